import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import type { ContainerStatusFact } from '../../src/model/facts.js';
import rule from '../../src/rules/controller-flag-unsupported.js';
import { rec, ruleTester } from '../support/rule-tester.js';
import { container, deployment, pod } from '../support/calico-builders.js';
import { SHARED_SAMPLES } from '../support/shared.js';
import { makeTempDir } from '../bundle/helpers.js';

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
/** A pod known from a `kubectl get pods` row: one summary status for all its containers. */
const rowSummary = (status: Partial<ContainerStatusFact>): ContainerStatusFact => ({ name: '', summary: true, restartCount: 0, state: 'running', ...status });
const arcDeployment = (args: string[]) =>
  deployment(NS, 'gh-arc-actions-runner-controller', [{ name: 'manager', image: IMAGE, args, command: ['/manager'] }], 31);

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: the get pods row shows the pod Running without restarts (the flag error is history)',
      records: flagLines,
      facts: { pods: [pod(NS, POD, undefined, [rowSummary({ ready: true })], { source: { path: 'session.txt', line: 7 } })] },
    },
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
      name: 'pod known from a get pods row: its CrashLoopBackOff summary stands for the logged container',
      records: flagLines,
      facts: { pods: [pod(NS, POD, undefined, [rowSummary({ ready: false, state: 'waiting', stateReason: 'CrashLoopBackOff', restartCount: 6 })], { source: { path: 'session.txt', line: 7 } })] },
      expect: [{
        nodes: [],
        evidence: [{ path: LOG, line: 1 }],
        signals: { 'flag not defined': 'present', 'container crash-looping': 'present', 'flag still in the spec': 'unknown' },
        runbookIncludes: [`kubectl -n ${NS} edit deployment/gh-arc-actions-runner-controller`],
        facts: { flag: 'lease-duration', restarts: 6 },
      }],
    },
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

describe('controller-flag-unsupported on pasted shell sessions (shared samples)', () => {
  const findingsOf = async (name: string) => {
    const report = await analyze([join(SHARED_SAMPLES, name)], { timezone: 'UTC', inputZone: 'UTC' });
    return report.findings.filter((f) => f.id === 'controller-flag-unsupported');
  };

  it('aibrix#668: kubectl get pods shows the controller in CrashLoopBackOff, kubectl logs the flag error', async () => {
    const [finding, ...more] = await findingsOf('flag-undefined__aibrix-668.txt');
    expect(more).toEqual([]);
    expect(finding?.summary).toBe('aibrix-system/deployment/aibrix-controller-manager exits on start with "flag provided but not defined: -enable-runtime-sidecar" and has restarted 6 times: its binary does not support that flag.');
    expect(finding?.signals.map((s) => [s.name, s.state])).toEqual([
      ['flag not defined', 'present'], ['container crash-looping', 'present'], ['flag still in the spec', 'unknown'],
    ]);
    expect(finding?.evidence.map((e) => [e.path.slice(SHARED_SAMPLES.length + 1), e.line])).toEqual([['flag-undefined__aibrix-668.txt', 14]]);
    // A paste carries no time: the finding has no window of its own.
    expect(finding?.window).toBeUndefined();
  });

  it('is not taken for history because another namespace\'s pods are known', async () => {
    const tmp = makeTempDir();
    try {
      const logs = readFileSync(join(SHARED_SAMPLES, 'flag-undefined__aibrix-668.txt'), 'utf8').split('\n').filter((l) => !l.startsWith('#'));
      // Only the `kubectl logs` part of the session, and a table of kube-system beside it.
      writeFileSync(join(tmp.dir, 'session.txt'), logs.slice(logs.findIndex((l) => l.includes('kubectl logs'))).join('\n'));
      writeFileSync(join(tmp.dir, 'pods.txt'), [
        '$ kubectl get pods -n kube-system',
        'NAME                       READY   STATUS    RESTARTS   AGE',
        'coredns-864597b5fd-4xq2v   1/1     Running   0          62m',
        '',
      ].join('\n'));
      const report = await analyze([tmp.dir], { timezone: 'UTC', inputZone: 'UTC' });
      const findings = report.findings.filter((f) => f.id === 'controller-flag-unsupported');
      expect(findings.map((f) => f.summary)).toEqual([expect.stringContaining('-enable-runtime-sidecar')]);
    } finally {
      tmp.cleanup();
    }
  });

  it('machine-api-operator#107: oc project + oc get pods + oc logs -c machine-controller', async () => {
    const [finding, ...more] = await findingsOf('flag-undefined__machine-api-operator-107.txt');
    expect(more).toEqual([]);
    expect(finding?.summary).toMatch(/^openshift-cluster-api\/deployment\/clusterapi-manager-controllers \(container machine-controller\) exits on start with "flag provided but not defined: -log-level" and has restarted 8 times/);
    expect(finding?.runbook.map((s) => s.command)).toContain("sudo microk8s ctr image pull <image> && sudo microk8s ctr run --rm <image> flag-check /machine-controller-manager --help 2>&1 | grep -e '-log-level'");
  });
});
