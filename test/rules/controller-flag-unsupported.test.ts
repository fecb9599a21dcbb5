import rule from '../../src/rules/controller-flag-unsupported.js';
import { rec, ruleTester } from '../support/rule-tester.js';
import { container, deployment, pod } from '../support/calico-builders.js';

// 004: flags patched onto summerwind/actions-runner-controller:v0.27.6, which does not define them.
const NS = 'actions-runner-system';
const POD = 'gh-arc-actions-runner-controller-7b9f6c5d8-kx2vq';
const LOG = `cluster-info/${NS}/${POD}/logs.txt`;
const IMAGE = 'summerwind/actions-runner-controller:v0.27.6';
const patchedArgs = ['--metrics-addr=127.0.0.1:8080', '--enable-leader-election', '--lease-duration=60s', '--renew-deadline=40s', '--retry-period=10s'];
const cleanArgs = ['--metrics-addr=127.0.0.1:8080', '--enable-leader-election'];

const arcLog = (message: string, line: number) =>
  rec('2026-05-20T05:00:12Z', 'k8s01', 'manager', message, LOG, line, {
    node: undefined,
    container: { namespace: NS, pod: POD, container: 'manager' },
  });
const flagLines = [arcLog('flag provided but not defined: -lease-duration', 1), arcLog('Usage of /manager:', 2)];

const arcPod = (args: string[], status: Parameters<typeof container>[2], name = POD) =>
  pod(NS, name, 'k8s01', [container('manager', IMAGE, status)], {
    ownerKind: 'ReplicaSet', ownerName: 'gh-arc-actions-runner-controller-7b9f6c5d8', specArgs: { manager: args },
  });
const arcDeployment = (args: string[]) =>
  deployment(NS, 'gh-arc-actions-runner-controller', [{ name: 'manager', image: IMAGE, args, command: ['/manager'] }], 31);

ruleTester(rule, {
  valid: [
    {
      name: 'healthy controller: no flag error in its log',
      records: [arcLog('2026-05-20T05:00:12.511Z\tINFO\tcontroller-runtime.metrics\tMetrics server is starting to listen\t{"addr": "127.0.0.1:8080"}', 1)],
      facts: { pods: [arcPod(cleanArgs, {})], workloads: [arcDeployment(cleanArgs)] },
    },
    {
      name: 'near miss: the flag error is history — flags removed, the new pod runs without restarts',
      records: flagLines,
      facts: {
        pods: [arcPod(cleanArgs, {}, 'gh-arc-actions-runner-controller-5f8d7c9b4-w2x7m')],
        workloads: [arcDeployment(cleanArgs)],
      },
    },
  ],
  invalid: [
    {
      name: '004: gh-arc crash-loops with flag provided but not defined: -lease-duration',
      records: flagLines,
      facts: {
        pods: [arcPod(patchedArgs, { ready: false, state: 'waiting', stateReason: 'CrashLoopBackOff', restartCount: 14, lastTerminated: { reason: 'Error', exitCode: 2 } })],
        workloads: [arcDeployment(patchedArgs)],
      },
      expect: [{
        nodes: ['k8s01'],
        evidence: [{ path: LOG, line: 1 }, { path: 'workloads.json', line: 31 }],
        minConfidence: 0.99,
        signals: { 'flag not defined': 'present', 'container crash-looping': 'present', 'flag still in the spec': 'present' },
        runbookIncludes: [
          `kubectl -n ${NS} edit deployment/gh-arc-actions-runner-controller`,
          'Remove `-lease-duration` from container manager',
          `sudo microk8s ctr run --rm ${IMAGE} flag-check /manager --help`,
        ],
        facts: { flag: 'lease-duration', restarts: 14 },
      }],
    },
    {
      name: 'termination message only (no logs captured): -log-level',
      facts: {
        pods: [pod('openshift-cluster-api', 'clusterapi-manager-controllers-c59577c86-pbcvk', 'k8s02', [
          container('machine-controller', 'quay.io/openshift/origin-libvirt-machine-controllers:v4.0.0', {
            ready: false, state: 'waiting', stateReason: 'CrashLoopBackOff', restartCount: 8,
            lastTerminated: { reason: 'Error', exitCode: 2, message: 'flag provided but not defined: -log-level\nUsage of /machine-controller-manager:\n' },
          }),
        ], { source: { path: 'pods.json', line: 88 } })],
      },
      expect: [{
        nodes: ['k8s02'],
        evidence: [{ path: 'pods.json', line: 88 }],
        signals: { 'flag not defined': 'present', 'container crash-looping': 'present', 'flag still in the spec': 'unknown' },
        runbookIncludes: ['deployment/clusterapi-manager-controllers', '-log-level'],
        facts: { flag: 'log-level', restarts: 8 },
      }],
    },
  ],
});
