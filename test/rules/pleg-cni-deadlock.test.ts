import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/pleg-cni-deadlock.js';
import kubeletSilent from '../../src/rules/kubelet-silent.js';
import { ruleTester, runCase, type CaseInput } from '../support/rule-tester.js';
import {
  cniAddBlocked, containerd, containerdSteady, dump, ipamBlock, klog, kubeletArgs, kubeliteSteady, process,
  relistOnContainerStatus, relistOnListPodSandbox,
} from '../support/kubelet-builders.js';

// 000: k8s03 deadlocked ~00:15 AEST (14:15Z); kubelite alive, silent; dump at 01:00 AEST.
const LOG = 'k8s03/kubelite.log';
const CTRD = 'k8s03/containerd.log';
const KDUMP = 'k8s03/kubelite-goroutines.log';
const CDUMP = 'k8s03/containerd-goroutines.log';

const skipping = [
  containerd('2026-05-17T14:02:38Z', 'k8s03', '2026-05-17T05:59:38.124Z INFO calico/ipam Skipping full block block=10.1.237.64/26 node=k8s03', CTRD, 1),
  containerd('2026-05-17T14:02:38Z', 'k8s03', '2026-05-17T05:59:38.318Z INFO calico/ipam Skipping full block block=10.1.108.128/26 node=k8s03', CTRD, 2),
  containerd('2026-05-17T14:02:38Z', 'k8s03', '2026-05-17T05:59:38.501Z INFO calico/ipam Skipping full block block=10.1.108.192/26 node=k8s03', CTRD, 3),
];

function deadlock(overrides: Partial<CaseInput> = {}): CaseInput {
  return {
    records: [
      ...kubeliteSteady('k8s03', '2026-05-17T14:00:00Z', '2026-05-17T14:15:00Z', LOG, 1),
      ...skipping,
      ...containerdSteady('k8s03', '2026-05-17T14:03:00Z', '2026-05-17T14:30:00Z', CTRD, 10),
    ],
    facts: {
      kubeletArgs: [kubeletArgs('k8s03', { EventedPLEG: false })],
      processes: [process('k8s03', 53319, '/snap/microk8s/8612/kubelite --scheduler-args-file=/var/snap/microk8s/8612/args/kube-scheduler --kubelet-args-file=/var/snap/microk8s/8612/args/kubelet', 'k8s03/ps.txt', 7, { cpuPercent: 0.4 })],
      ipamBlocks: [
        ipamBlock('k8s03', '10.1.237.64/26', 64, 'ipamblocks.json', 1),
        ipamBlock('k8s03', '10.1.108.128/26', 64, 'ipamblocks.json', 2),
        ipamBlock('k8s03', '10.1.108.192/26', 64, 'ipamblocks.json', 3),
        ipamBlock('k8s03', '10.1.108.64/26', 62, 'ipamblocks.json', 4),
        ipamBlock('k8s03', '10.1.108.0/26', 9, 'ipamblocks.json', 5),
      ],
    },
    dumps: [
      dump('k8s03', 'kubelite', '2026-05-17T14:28:00Z', KDUMP, [relistOnListPodSandbox(412, KDUMP, 120)]),
      dump('k8s03', 'containerd', '2026-05-17T14:28:00Z', CDUMP, [cniAddBlocked(9001, CDUMP, 40)]),
    ],
    ...overrides,
  };
}

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: same silence and CNI goroutine but EventedPLEG=true (evented-pleg-grpc-freeze territory)',
      ...deadlock({ facts: { ...deadlock().facts, kubeletArgs: [kubeletArgs('k8s03', { EventedPLEG: true })] } }),
    },
    {
      name: 'near miss: relist blocked in ContainerStatus with no CNI ADD in flight (orphaned shims)',
      ...deadlock({
        dumps: [dump('k8s03', 'kubelite', '2026-05-17T14:28:00Z', KDUMP, [relistOnContainerStatus(412, KDUMP, 120)])],
      }),
    },
    {
      name: 'healthy: Generic PLEG and full blocks but kubelite keeps logging and no dump shows a block',
      records: [
        ...kubeliteSteady('k8s03', '2026-05-17T14:00:00Z', '2026-05-17T14:30:00Z', LOG, 1),
        ...skipping,
        ...containerdSteady('k8s03', '2026-05-17T14:03:00Z', '2026-05-17T14:30:00Z', CTRD, 10),
      ],
      facts: {
        ...deadlock().facts,
        processes: [process('k8s03', 53319, '/snap/microk8s/8612/kubelite --kubelet-args-file=/var/snap/microk8s/8612/args/kubelet', 'k8s03/ps.txt', 7, { cpuPercent: 10.7 })],
      },
    },
  ],
  invalid: [
    {
      name: '000: the finding cites the last kubelite line before the silence verbatim (an ordinary SyncLoop ADD)',
      ...deadlock({
        records: [
          ...deadlock().records!,
          klog('2026-05-17T14:15:01Z', 'k8s03', 'I', 'kubelet.go:2437] "SyncLoop ADD" source="api" pods=["arc-runners/k8s-runner-7cf5d-runner-q6w3e"]', LOG, 8689),
        ],
      }),
      expect: [{ nodes: ['k8s03'], evidence: [{ path: LOG, line: 8689 }, { path: KDUMP }], signals: { 'kubelite silent while alive': 'present' } }],
    },
    {
      name: '000: silent kubelite, relist behind a CNI ADD, EventedPLEG=false, full IPAM blocks',
      ...deadlock(),
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: CDUMP, line: 40 }, { path: KDUMP, line: 120 }, { path: 'k8s03/args/kubelet', line: 1 }, { path: 'ipamblocks.json', line: 1 }],
        signals: {
          'relist waiting on ListPodSandbox': 'present',
          'CNI ADD blocked in an API call': 'present',
          'EventedPLEG=false': 'present',
          'kubelite silent while alive': 'present',
          'kubelite CPU collapse': 'present',
          'full IPAM blocks on the node': 'present',
          'IPAM skipping full blocks': 'present',
          'PLEG not healthy': 'absent',
        },
        minConfidence: 0.8,
        runbookIncludes: ['kubectl cordon k8s03', 'sudo kill -SIGQUIT 53319', 'sandboxes remove --force', 'kubectl uncordon k8s03', '10.1.237.64/26', 'kubernetes/kubernetes#121886', '#121349'],
        facts: { fullBlocks: 4, blockedCniGoroutines: 1 },
      }],
    },
    {
      name: 'no dump yet: PLEG unhealthy during operation with Generic PLEG and full blocks',
      records: [
        ...kubeliteSteady('k8s03', '2026-05-17T14:00:00Z', '2026-05-17T14:10:00Z', LOG, 1),
        klog('2026-05-17T14:14:02Z', 'k8s03', 'E', 'kubelet.go:2525] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m2.104s ago; threshold is 3m0s"', LOG, 200),
        ...containerdSteady('k8s03', '2026-05-17T14:03:00Z', '2026-05-17T14:30:00Z', CTRD, 10),
      ],
      facts: { ...deadlock().facts, processes: [] },
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: LOG, line: 200 }],
        signals: { 'PLEG not healthy': 'present', 'CNI ADD blocked in an API call': 'unknown', 'EventedPLEG=false': 'present' },
        runbookIncludes: ['kubectl wait node/k8s03'],
      }],
    },
  ],
});

describe('pleg-cni-deadlock precedence', () => {
  it('explains kubelet-silent on the same node', () => {
    const result = runCase(rule, { ...deadlock(), withRules: [kubeletSilent] });
    const silent = result.findings.find((f) => f.id === 'kubelet-silent');
    expect(silent?.nodes).toEqual(['k8s03']);
    expect(silent?.explainedBy).toEqual(['pleg-cni-deadlock']);
    expect(silent?.differential).toBeUndefined();
    expect(result.findings.find((f) => f.id === 'pleg-cni-deadlock')?.explainedBy).toBeUndefined();
  });
});
