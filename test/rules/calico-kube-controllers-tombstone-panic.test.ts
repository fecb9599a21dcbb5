import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/calico-kube-controllers-tombstone-panic.js';
import gcDisabled from '../../src/rules/calico-ipam-gc-disabled.js';
import fullBlocks from '../../src/rules/calico-ipam-full-blocks.js';
import { rec, ruleTester, runCase } from '../support/rule-tester.js';
import { container, ipamBlock, ipamHandles, kubeControllersDeployment, kubeControllersPod, pod } from '../support/calico-builders.js';

const POD = 'calico-kube-controllers-5d9bd8b6c8-q2m7w';
const LOG = `cluster-info/kube-system/${POD}/logs.txt`;
const kc = (iso: string, message: string, line: number) =>
  rec(iso, 'k8s02', 'calico-kube-controllers', message, LOG, line, {
    node: undefined,
    container: { namespace: 'kube-system', pod: POD, container: 'calico-kube-controllers' },
  });

// 000 "Key Error Signatures": the v3.13.2 panic, as kubectl logs --previous prints it.
const panicLines = [
  kc('2026-05-17T13:58:02Z', '2026-05-17 13:58:02.114 [INFO][1] main.go 88: Loaded configuration from environment config=&config.Config{LogLevel:"info", ReconcilerPeriod:"5m", EnabledControllers:"node", WorkloadEndpointWorkers:1, ProfileWorkers:1, PolicyWorkers:1, NodeWorkers:1, Kubeconfig:"", DatastoreType:"kubernetes"}', 1),
  kc('2026-05-17T13:58:03Z', 'panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod', 14),
  kc('2026-05-17T13:58:03Z', 'goroutine 1 [running]:', 15),
];

const crashLoopingPod = kubeControllersPod('v3.13.2', 'k8s02', { ready: false, state: 'waiting', stateReason: 'CrashLoopBackOff', restartCount: 1417 }, POD);

ruleTester(rule, {
  valid: [
    {
      name: 'healthy v3.29.3 controller: start-up lines, no panic, no restarts',
      records: [
        kc('2026-05-17T13:58:02Z', '2026-05-17 13:58:02.114 [INFO][1] main.go 139: Starting controller ControllerType="Node"', 1),
        kc('2026-05-17T14:03:02Z', '2026-05-17 14:03:02.541 [INFO][1] ipam.go 1021: Garbage collecting leaked IP addresses num=2', 2),
      ],
      facts: { pods: [kubeControllersPod('v3.29.3', 'k8s02', {}, POD)] },
    },
    {
      name: "near miss: the same tombstone panic from another controller's container",
      records: [
        rec('2026-05-17T13:58:03Z', 'k8s01', 'manager', 'panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod', 'cluster-info/ci/awx-operator-controller-manager-6d9c7f7b6-2mz8x/logs.txt', 88, {
          container: { namespace: 'ci', pod: 'awx-operator-controller-manager-6d9c7f7b6-2mz8x', container: 'manager' },
        }),
      ],
      facts: { pods: [kubeControllersPod('v3.13.2', 'k8s02', {}, POD)] },
    },
    {
      name: 'near miss: calico-kube-controllers restarting for another reason (no tombstone panic)',
      records: [
        kc('2026-05-17T13:58:02Z', '2026-05-17 13:58:02.114 [ERROR][1] client.go 255: Error getting cluster information config ClusterInformation="default" error=connection is unauthorized: Unauthorized', 1),
      ],
      facts: { pods: [kubeControllersPod('v3.13.2', 'k8s02', { restartCount: 9, state: 'waiting', stateReason: 'CrashLoopBackOff' }, POD)] },
    },
  ],
  invalid: [
    {
      name: '000 capture: `kubectl logs --previous` file named after the workload (namespace unknown) with the Go panic',
      records: [
        rec('2026-05-18T01:01:12.399+10:00', 'k8s01', 'x', 'panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod [recovered]', 'cluster/calico-kube-controllers.previous.log', 10, {
          node: undefined, unit: undefined, identifier: undefined,
          container: { namespace: '', pod: 'calico-kube-controllers', container: 'calico-kube-controllers' },
        }),
      ],
      facts: { pods: [crashLoopingPod] },
      expect: [{
        nodes: [],
        evidence: [{ path: 'cluster/calico-kube-controllers.previous.log', line: 10 }, { path: 'pods.json', line: 1 }],
        signals: { 'tombstone panic': 'present', 'controller restarts': 'present' },
        runbookIncludes: ['kubectl -n kube-system logs -l k8s-app=calico-kube-controllers --previous', '1417 restarts before'],
      }],
    },
    {
      name: '000: v3.13.2 calico-kube-controllers crash-loops on DeletedFinalStateUnknown',
      records: panicLines,
      facts: { pods: [crashLoopingPod], workloads: [kubeControllersDeployment('v3.13.2', 'node', 4)] },
      expect: [{
        // Cluster-scoped controller: the finding is cluster-wide; the pod's node is in the summary.
        nodes: [],
        evidence: [{ path: LOG, line: 14 }, { path: 'pods.json', line: 1 }],
        minConfidence: 0.99,
        signals: { 'tombstone panic': 'present', 'controller restarts': 'present', 'Calico v3.13.x': 'present' },
        runbookIncludes: [
          'kubectl -n kube-system logs -l k8s-app=calico-kube-controllers --previous',
          'from v3.13.2',
          '1417 restarts before',
        ],
        facts: { panics: 1, restarts: 1417, calicoVersion: 'v3.13.2' },
      }],
    },
    {
      name: 'klog "Observed a panic" from a newer node controller, no pod state captured',
      records: [
        kc('2026-03-24T09:19:17Z', 'E0324 09:19:17.980069      11 iface.go:275] "Observed a panic" panic="interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod" panicGoValue="&runtime.TypeAssertionError{_interface:(*abi.Type)(0x55d30f686500), concrete:(*abi.Type)(0x55d30f818fe0), asserted:(*abi.Type)(0x55d30faabe00), missingMethod:\\"\\"}" stacktrace=<', 7),
      ],
      expect: [{
        nodes: [],
        evidence: [{ path: LOG, line: 7 }],
        signals: { 'tombstone panic': 'present', 'controller restarts': 'unknown', 'Calico v3.13.x': 'unknown' },
        runbookIncludes: ['calico-kube-controllers'],
      }],
    },
  ],
});

describe('calico-kube-controllers-tombstone-panic links', () => {
  it('is not fooled by kubelite journal panics (kube-controller-manager runs inside kubelite)', () => {
    const result = runCase(rule, {
      records: [rec('2026-05-17T13:58:03Z', 'k8s01', 'snap.microk8s.daemon-kubelite', 'panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod', 'k8s01/kubelite.log', 3)],
      facts: { pods: [pod('kube-system', 'coredns-5c8d9b7c4-x7bq2', 'k8s01', [container('coredns', 'coredns/coredns:1.10.1')])] },
    });
    expect(result.findings).toEqual([]);
  });

  it('summary names the pod, version and restart count', () => {
    const finding = runCase(rule, { records: panicLines, facts: { pods: [crashLoopingPod] } }).findings[0]!;
    expect(finding.summary).toContain(`kube-system/${POD}`);
    expect(finding.summary).toContain('v3.13.2');
    expect(finding.summary).toContain('1417 restarts');
    expect(finding.summary).toContain('running on k8s02');
    expect(finding.window).toEqual({ start: '2026-05-17T13:58:03.000Z', end: '2026-05-17T13:58:03.000Z' });
  });

  it('a workload-named log (namespace unknown) is reported with the pod found in pods.json', () => {
    const finding = runCase(rule, {
      records: [rec('2026-05-18T01:01:12.399+10:00', 'k8s01', 'x', 'panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod [recovered]', 'cluster/calico-kube-controllers.previous.log', 10, {
        node: undefined, unit: undefined, identifier: undefined,
        container: { namespace: '', pod: 'calico-kube-controllers', container: 'calico-kube-controllers' },
      })],
      facts: { pods: [crashLoopingPod] },
    }).findings[0]!;
    expect(finding.summary).toContain(`(kube-system/${POD}, v3.13.2, running on k8s02)`);
  });

  it('causes calico-ipam-full-blocks on another node (000: controller on k8s01, full blocks on k8s03)', () => {
    const result = runCase(rule, {
      records: panicLines,
      facts: {
        pods: [crashLoopingPod],
        ipamBlocks: [
          ipamBlock('10.1.237.64/26', 'k8s03', { used: 64 }),
          ipamBlock('10.1.108.128/26', 'k8s03', { used: 64 }),
        ],
      },
      withRules: [fullBlocks],
    });
    const panic = result.findings.find((f) => f.id === rule.id)!;
    const full = result.findings.find((f) => f.id === fullBlocks.id)!;
    expect(full.nodes).toEqual(['k8s03']);
    expect(panic.nodes).toEqual([]);
    expect(panic.causes).toContain('calico-ipam-full-blocks');
  });

  it('links to calico-ipam-gc-disabled when both fire (000 causal chain)', () => {
    const result = runCase(rule, {
      records: panicLines,
      facts: { pods: [crashLoopingPod], workloads: [kubeControllersDeployment('v3.13.2', 'node')], ipamHandles: ipamHandles(1500) },
      withRules: [gcDisabled],
    });
    const panic = result.findings.find((f) => f.id === rule.id)!;
    const gc = result.findings.find((f) => f.id === gcDisabled.id)!;
    expect(panic.causes).toEqual(['calico-ipam-gc-disabled']);
    expect(gc.causedBy).toEqual([rule.id]);
    expect(gc.signals.find((s) => s.name === 'calico-kube-controllers crash-looping')?.state).toBe('present');
  });
});
