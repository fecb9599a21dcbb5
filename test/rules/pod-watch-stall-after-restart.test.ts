import rule from '../../src/rules/pod-watch-stall-after-restart.js';
import { ruleTester, rec, type CaseInput } from '../support/rule-tester.js';
import {
  DQLITE, containerdSteady, dump, kubeletPodList, kubeliteSteady, nodeFact, pendingPod, podWatchWaiting, runningPod, systemd,
} from '../support/kubelet-builders.js';

// 001 FM2 (PGM-195): kubelite restarted on k8s03 without a cordon at 13:00Z; pods bound at 13:01Z never start.
const LOG = 'k8s03/kubelite.log';
const KDUMP = 'k8s03/kubelite-goroutines.log';
const restart = systemd('2026-05-16T13:00:00Z', 'k8s03', 'Started Service for snap application microk8s.daemon-kubelite.', 'k8s03/systemd.log', 7);

function watchStall(overrides: Partial<CaseInput> = {}): CaseInput {
  return {
    records: [
      ...kubeliteSteady('k8s03', '2026-05-16T12:40:00Z', '2026-05-16T12:59:00Z', LOG, 1, 60, 41000),
      restart,
      ...kubeliteSteady('k8s03', '2026-05-16T13:00:05Z', '2026-05-16T13:30:00Z', LOG, 100, 30, 53319),
      ...containerdSteady('k8s03', '2026-05-16T12:40:00Z', '2026-05-16T13:30:00Z', 'k8s03/containerd.log', 1, 60),
    ],
    facts: {
      nodes: [nodeFact('k8s03', false, 'nodes.json', 3)],
      pods: [
        pendingPod('arc-systems', 'arc-runner-set-7d9xk-listener', 'k8s03', '2026-05-16T13:01:10Z', 'pods.json', 12),
        runningPod('kube-system', 'calico-node-7xk2p', 'k8s03', '2026-05-10T00:00:00Z', 'pods.json', 30),
      ],
      kubeletPodLists: [kubeletPodList('k8s03', [['kube-system', 'calico-node-7xk2p'], ['default', 'old-job-28131']])],
      events: [],
    },
    dumps: [dump('k8s03', 'kubelite', '2026-05-16T13:25:00Z', KDUMP, [podWatchWaiting(12104, KDUMP, 88, 4)])],
    inputs: [['events']],
    ...overrides,
  };
}

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: the watch goroutine waits minutes but every bound pod is in the kubelet pod list (quiet cluster)',
      ...watchStall({
        facts: {
          ...watchStall().facts,
          kubeletPodLists: [kubeletPodList('k8s03', [['kube-system', 'calico-node-7xk2p'], ['arc-systems', 'arc-runner-set-7d9xk-listener']])],
        },
      }),
    },
    {
      name: 'near miss: the node was cordoned during the restart',
      ...watchStall({ facts: { ...watchStall().facts, nodes: [nodeFact('k8s03', true, 'nodes.json', 3)] } }),
    },
    {
      name: 'kine watch errors at the restart point at kine-watch-corruption instead',
      ...watchStall({
        records: [
          ...watchStall().records!,
          rec('2026-05-16T13:00:20Z', 'k8s03', DQLITE, 'time="2026-05-16T13:00:20Z" level=error msg="error while range on /registry/pods/ : database is locked"', 'k8s03/k8s-dqlite.log', 5),
        ],
      }),
    },
  ],
  invalid: [
    {
      name: '001 FM2: uncordoned restart, listener pod bound after it never reaches the kubelet',
      ...watchStall(),
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: 'k8s03/systemd.log', line: 7 }, { path: 'pods.json', line: 12 }, { path: 'k8s03/kubelet-pods.json', line: 1 }, { path: KDUMP, line: 88 }],
        signals: {
          'kubelite restart while schedulable': 'present',
          'pods bound after restart stuck Pending': 'present',
          'no kubelet events for them': 'present',
          'kubelite kept logging': 'present',
          'kubelet pod list lacks them': 'present',
          'pod watch goroutine waiting': 'present',
          'no k8s-dqlite watch errors near restart': 'unknown',
        },
        runbookIncludes: ['kubectl cordon k8s03', 'arc-systems/arc-runner-set-7d9xk-listener', 'kubectl uncordon k8s03'],
        facts: { stuckPods: 1, missingFromKubelet: 1 },
      }],
    },
  ],
});
