import rule from '../../src/rules/dqlite-write-path-failure.js';
import { ruleTester, type CaseInput } from '../support/rule-tester.js';
import { container, dqlite, kubeletPodList, pod, started, stopping, systemd } from '../support/cluster-builders.js';

// 003 Chain 4: k8s02 uncordoned ~09:00 AEST (2026-06-04T23:00Z); Jiva replicas bound to
// k8s02 stay Pending; k8s-dqlite logs context canceled on serviceaccount queries; k8s-dqlite
// restarted ~09:10 AEST.
const DQ = 'k8s02/k8s-dqlite.log';
const SYS = 'k8s02/journal.log';

const canceled = [
  dqlite('2026-06-04T23:01:12Z', 'k8s02', 'error while range on /registry/serviceaccounts/openebs/openebs-maya-operator : query (try: 0): context canceled', DQ, 210),
  dqlite('2026-06-04T23:03:40Z', 'k8s02', 'error while range on /registry/serviceaccounts/openebs/default : query (try: 0): context canceled', DQ, 231),
  dqlite('2026-06-04T23:05:02Z', 'k8s02', 'error in txn: query (try: 0): context canceled', DQ, 247),
  dqlite('2026-06-04T23:07:55Z', 'k8s02', 'error while range on /registry/serviceaccounts/kube-system/calico-node : query (try: 0): context canceled', DQ, 262),
  dqlite('2026-06-04T23:10:05Z', 'k8s02', 'error in txn: exec (try: 0): context canceled', DQ, 280),
];
const dqliteRestart = [
  systemd('2026-06-04T23:10:30Z', 'k8s02', stopping('k8s-dqlite'), SYS, 88),
];

const replicas = ['pvc-05e03b60-rep-1-7f9c6d5b8-xk2lp', 'pvc-a3a7e012-rep-2-5c6d8f7b9-m4q8r'].map((name, i) =>
  pod({ namespace: 'openebs', name, node: 'k8s02', created: '2026-06-04T23:00:40Z', bound: '2026-06-04T23:00:40Z', ownerKind: 'ReplicaSet', ownerName: name.slice(0, -6), line: 10 + i }));
const running = pod({ namespace: 'kube-system', name: 'calico-node-4jx7w', node: 'k8s02', phase: 'Running', created: '2026-06-04T22:00:00Z', bound: '2026-06-04T22:00:00Z', line: 20, containers: [container('calico-node', 'running')] });
const kubeletHasThem = kubeletPodList('k8s02', [
  ['kube-system', 'calico-node-4jx7w'], ['openebs', 'pvc-05e03b60-rep-1-7f9c6d5b8-xk2lp'], ['openebs', 'pvc-a3a7e012-rep-2-5c6d8f7b9-m4q8r'],
], 'k8s02/kubelet-pods.json');

function incident(overrides: Partial<CaseInput> = {}): CaseInput {
  return {
    records: [...canceled, ...dqliteRestart],
    facts: { pods: [...replicas, running], kubeletPodLists: [kubeletHasThem] },
    ...overrides,
  };
}

// Real sample kine-locked__inspection-dqlite-shutdown (MicroK8s 1.28, 'microk8s stop'),
// journal times +05:30 → UTC.
const VM = 'microk8s-vm';
const VMLOG = 'inspection-report/snap.microk8s.daemon-k8s-dqlite/journal.log';
const shutdownBurst = [
  systemd('2024-10-29T12:09:47Z', VM, 'Stopping Service for snap application microk8s.daemon-k8s-dqlite...', VMLOG, 20),
  dqlite('2024-10-29T12:09:48Z', VM, 'error while range on /registry/rolebindings/ /registry/rolebindings/: sql: statement is closed', VMLOG, 26, { pid: 2828 }),
  dqlite('2024-10-29T12:09:53Z', VM, 'error while range on /registry/crd.projectcalico.org/clusterinformations/default : query (try: 0): context canceled', VMLOG, 32),
  dqlite('2024-10-29T12:09:57Z', VM, 'error while range on /registry/services/endpoints/kube-system/microk8s.io-hostpath : query (try: 0): context canceled', VMLOG, 39),
  dqlite('2024-10-29T12:10:02Z', VM, 'error in txn: query (try: 0): context canceled', VMLOG, 40),
  dqlite('2024-10-29T12:10:02Z', VM, 'error in txn: query (try: 0): sql: database is closed', VMLOG, 59),
];
const vmPending = pod({ namespace: 'default', name: 'web-6d4cf56db6-2xq9s', node: VM, created: '2024-10-29T12:00:00Z', bound: '2024-10-29T12:00:00Z', line: 1 });

ruleTester(rule, {
  valid: [
    {
      name: 'near miss (real sample): context canceled burst of a `microk8s stop`',
      records: shutdownBurst,
      facts: { pods: [vmPending], kubeletPodLists: [kubeletPodList(VM, [['default', 'web-6d4cf56db6-2xq9s']], 'kubelet-pods.json')] },
    },
    {
      name: "near miss: the kubelet's pod list lacks the stuck pods (a watch problem, not writes)",
      ...incident({ facts: { pods: [...replicas, running], kubeletPodLists: [kubeletPodList('k8s02', [['kube-system', 'calico-node-4jx7w']], 'k8s02/kubelet-pods.json')] } }),
    },
    {
      name: 'near miss: watch-side cancellations only (WATCH Failed to send cancel response)',
      records: [
        dqlite('2026-06-04T23:01:12Z', 'k8s02', 'WATCH Failed to send cancel response for watchID 77: rpc error: code = Canceled desc = context canceled', DQ, 300),
        dqlite('2026-06-04T23:02:12Z', 'k8s02', 'WATCH Failed to send cancel response for watchID 78: rpc error: code = Canceled desc = context canceled', DQ, 301),
        dqlite('2026-06-04T23:03:12Z', 'k8s02', 'WATCH Failed to send cancel response for watchID 79: rpc error: code = Canceled desc = context canceled', DQ, 302),
        dqlite('2026-06-04T23:10:12Z', 'k8s02', 'Started kine', DQ, 303, { level: 'info' }),
      ],
      facts: { pods: [...replicas, running], kubeletPodLists: [kubeletHasThem] },
    },
    {
      name: 'healthy: same errors but every pod on the node Running',
      ...incident({ facts: { pods: [running], kubeletPodLists: [kubeletHasThem] } }),
    },
  ],
  invalid: [
    {
      name: '003 Chain 4: serviceaccount queries canceled on k8s02, Jiva replicas Pending though the kubelet has them',
      ...incident(),
      expect: [{
        nodes: ['k8s02'],
        evidence: [{ path: DQ, line: 210 }, { path: 'pods.json', line: 10 }, { path: 'k8s02/kubelet-pods.json', line: 1 }],
        minConfidence: 0.99,
        signals: {
          'query context canceled': 'present', 'pods stuck Pending on node': 'present',
          'kubelet started the pods': 'present', 'not a shutdown burst': 'present',
        },
        runbookIncludes: [
          'ssh k8s02 "sudo systemctl restart snap.microk8s.daemon-k8s-dqlite.service"',
          'openebs/pvc-05e03b60-rep-1-7f9c6d5b8-xk2lp',
          'kubectl get pods -A --field-selector spec.nodeName=k8s02 -o wide',
        ],
        facts: { canceledQueries: 4, shutdownErrors: 1, stuckPods: 2 },
      }],
    },
    {
      name: '003 k8s02 at boot: errors 3.5 min after a stop belong to the restarted k8s-dqlite, not to the stop',
      records: [
        systemd('2026-06-04T20:00:02Z', 'k8s02', stopping('k8s-dqlite'), SYS, 81),
        systemd('2026-06-04T20:02:06Z', 'k8s02', started('k8s-dqlite'), SYS, 90),
        dqlite('2026-06-04T20:03:37Z', 'k8s02', 'error while range on /registry/serviceaccounts/kube-system/calico-node : query (try: 0): context canceled', SYS, 154),
        dqlite('2026-06-04T20:03:37Z', 'k8s02', 'error in txn: exec (try: 0): context canceled', SYS, 155),
        dqlite('2026-06-04T20:05:06Z', 'k8s02', 'error while range on /registry/serviceaccounts/kube-system/calico-node : query (try: 0): context canceled', SYS, 286),
      ],
      facts: { pods: [pod({ namespace: 'argocd', name: 'argocd-redis-ha-server-0', node: 'k8s02', created: '2026-05-31T07:13:01Z', bound: '2026-05-31T07:13:01Z', line: 316 })] },
      expect: [{
        nodes: ['k8s02'],
        evidence: [{ path: SYS, line: 154 }, { path: SYS, line: 286 }],
        signals: { 'query context canceled': 'present', 'not a shutdown burst': 'present' },
        facts: { canceledQueries: 3, shutdownErrors: 0 },
      }],
    },
    {
      name: 'no kubelet pod list: the kubelet side is unknown, the finding stands on logs and pods',
      ...incident({ facts: { pods: [...replicas, running] } }),
      expect: [{
        nodes: ['k8s02'],
        signals: { 'kubelet started the pods': 'unknown', 'query context canceled': 'present' },
        evidence: [{ path: 'k8s02/k8s-dqlite.log', line: 210 }, { path: 'k8s02/k8s-dqlite.log', line: 262 }, { path: 'pods.json', line: 10 }],
        runbookIncludes: ['openebs/pvc-a3a7e012-rep-2-5c6d8f7b9-m4q8r'],
      }],
    },
  ],
});
