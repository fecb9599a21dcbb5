import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/kine-watch-corruption.js';
import stuckTerminating from '../../src/rules/stuck-terminating-pod.js';
import { ruleTester, runCase, type CaseInput } from '../support/rule-tester.js';
import {
  container, dqlite, kubelite, kubeletPodList, pod, started, stopping, systemd,
} from '../support/cluster-builders.js';

// 002: k8s03, times in UTC (AEST − 10 h). kine errors 03:40–03:54; kubelite restart #2
// complete 04:22:40; calico-node-sqfcs bound 04:59:11; pod list captured ~05:20.
const DQ = 'k8s03/k8s-dqlite.log';
const KL = 'k8s03/kubelite.log';
const SYS = 'k8s03/journal.log';

const kineErrors = [
  dqlite('2026-05-18T03:40:12Z', 'k8s03', 'error while range on /registry/pods/ /registry/pods0: query (try: 500): database is locked', DQ, 101),
  dqlite('2026-05-18T03:47:31Z', 'k8s03', 'WATCH Failed to create watcher: failed to get compact revision: context canceled', DQ, 102,
    { fields: 'error="failed to get compact revision: context canceled"' }),
  dqlite('2026-05-18T03:54:02Z', 'k8s03', 'error in txn: exec (try: 500): database is locked', DQ, 103),
];

const restart2 = [
  systemd('2026-05-18T04:22:37Z', 'k8s03', stopping('kubelite'), SYS, 40),
  systemd('2026-05-18T04:22:38Z', 'k8s03', started('kubelite'), SYS, 41),
  kubelite('2026-05-18T04:22:40Z', 'k8s03', 'I', 'kubelet.go:432] "Watching apiserver"', KL, 500, 812345),
];

/** The kubelet keeps housekeeping while its watch is dead: the capture runs to 05:20. */
const housekeeping = ['04:40:00', '05:00:00', '05:20:00'].map((hms, i) =>
  kubelite(`2026-05-18T${hms}Z`, 'k8s03', 'I', 'kubelet_getters.go:218] "Pod status updated" pod="kube-system/hostpath-provisioner-7b9cb5b79c-q2x9d" status="Running"', KL, 600 + i, 812345));

const calicoNodePending = pod({ namespace: 'kube-system', name: 'calico-node-sqfcs', node: 'k8s03', created: '2026-05-18T04:59:11Z', bound: '2026-05-18T04:59:11Z', ownerKind: 'DaemonSet', ownerName: 'calico-node', line: 1 });
const calicoNodeRunning = pod({ ...{ namespace: 'kube-system', name: 'calico-node-sqfcs', node: 'k8s03', created: '2026-05-18T04:59:11Z', bound: '2026-05-18T04:59:11Z', line: 1 }, phase: 'Running', containers: [container('calico-node', 'running', { startedAt: Date.parse('2026-05-18T04:59:17Z') * 1000 })] });
const redisTerminating = pod({
  namespace: 'argocd', name: 'argocd-redis-ha-server-2', node: 'k8s03', phase: 'Running', created: '2026-05-10T02:00:00Z', bound: '2026-05-10T02:00:00Z',
  deleted: '2026-05-18T04:26:10Z', ownerKind: 'StatefulSet', ownerName: 'argocd-redis-ha-server', line: 2,
  containers: [
    container('redis', 'terminated', { terminated: { exitCode: 0, reason: 'Completed' } }),
    container('sentinel', 'terminated', { terminated: { exitCode: 0, reason: 'Completed' } }),
    container('split-brain-fix', 'terminated', { terminated: { exitCode: 0, reason: 'Completed' } }),
  ],
});
const hostpath = pod({ namespace: 'kube-system', name: 'hostpath-provisioner-7b9cb5b79c-q2x9d', node: 'k8s03', phase: 'Running', created: '2026-05-18T04:05:00Z', bound: '2026-05-18T04:05:00Z', line: 3, containers: [container('hostpath-provisioner', 'running')] });

const staleList = kubeletPodList('k8s03', [
  ['kube-system', 'hostpath-provisioner-7b9cb5b79c-q2x9d'], ['argocd', 'argocd-redis-ha-server-2'],
], 'k8s03/kubelet-pods.json');

function incident(overrides: Partial<CaseInput> = {}): CaseInput {
  return {
    records: [...kineErrors, ...restart2, ...housekeeping],
    facts: { pods: [calicoNodePending, redisTerminating, hostpath], kubeletPodLists: [staleList] },
    ...overrides,
  };
}

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: database is locked hours away from any kubelite restart, all pods fine',
      records: [
        dqlite('2026-05-17T22:40:12Z', 'k8s03', 'error while range on /registry/pods/ /registry/pods0: query (try: 500): database is locked', DQ, 11),
        dqlite('2026-05-17T22:41:02Z', 'k8s03', 'error in txn: exec (try: 500): database is locked', DQ, 12),
        ...restart2, ...housekeeping,
      ],
      facts: { pods: [calicoNodeRunning, hostpath] },
    },
    {
      name: 'near miss: kine errors around the restart, but every pod on the node progresses',
      ...incident({ facts: { pods: [calicoNodeRunning, hostpath] } }),
    },
    {
      name: "near miss: stuck pod is in the kubelet's own list (the kubelet saw it; not a dead watch)",
      ...incident({
        facts: {
          pods: [calicoNodePending, hostpath],
          kubeletPodLists: [kubeletPodList('k8s03', [['kube-system', 'hostpath-provisioner-7b9cb5b79c-q2x9d'], ['kube-system', 'calico-node-sqfcs']], 'k8s03/kubelet-pods.json')],
        },
      }),
    },
    {
      name: 'healthy: restart without any kine error',
      records: [...restart2, ...housekeeping],
      facts: { pods: [calicoNodeRunning, hostpath] },
    },
  ],
  invalid: [
    {
      name: '002: lock + watcher errors before kubelite restart #2, calico-node Pending, redis Terminating, pod list stale',
      ...incident(),
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: DQ, line: 102 }, { path: DQ, line: 101 }, { path: SYS, line: 41 }, { path: KL, line: 500 }, { path: 'pods.json', line: 1 }, { path: 'pods.json', line: 2 }, { path: 'k8s03/kubelet-pods.json', line: 1 }],
        minConfidence: 0.99,
        signals: {
          'kine watch error near restart': 'present',
          'database is locked near restart': 'present',
          'kubelet watching apiserver after restart': 'present',
          'pods bound after restart stay Pending': 'present',
          'pods stuck Terminating': 'present',
          'kubelet pod list lacks bound pods': 'present',
        },
        runbookIncludes: [
          'kubectl cordon k8s03',
          'ssh k8s03 "sudo systemctl restart snap.microk8s.daemon-k8s-dqlite.service"',
          'kubectl get --raw /api/v1/nodes/k8s03/proxy/pods',
          'kube-system/calico-node-sqfcs',
          'kubectl delete pod argocd-redis-ha-server-2 -n argocd --grace-period=0 --force',
        ],
        facts: { restartAt: '2026-05-18T04:22:38.000Z', watcherErrors: 1, lockedErrors: 2, pendingPods: 1, terminatingPods: 1 },
      }],
    },
    {
      name: 'logs only (no kubectl state): correlation alone, post-restart symptoms unknown',
      records: [...kineErrors, ...restart2, ...housekeeping],
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: DQ, line: 102 }],
        signals: { 'kine watch error near restart': 'present', 'pods bound after restart stay Pending': 'unknown', 'kubelet pod list lacks bound pods': 'unknown' },
        runbookIncludes: ['kubectl uncordon k8s03', 'kubectl delete pod <pod> -n <namespace> --grace-period=0 --force'],
      }],
    },
  ],
});

describe('kine-watch-corruption causal links', () => {
  it('causes the stuck-terminating-pod finding on the same node (002 Chain 2)', () => {
    const result = runCase(rule, { ...incident(), withRules: [stuckTerminating] });
    const kine = result.findings.find((f) => f.id === 'kine-watch-corruption')!;
    const stuck = result.findings.find((f) => f.id === 'stuck-terminating-pod')!;
    expect(stuck.nodes).toEqual(['k8s03']);
    expect(kine.causes).toEqual(['stuck-terminating-pod']);
    expect(stuck.causedBy).toEqual(['kine-watch-corruption']);
  });
});
