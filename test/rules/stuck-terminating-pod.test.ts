import rule from '../../src/rules/stuck-terminating-pod.js';
import { ruleTester } from '../support/rule-tester.js';
import { container, kubelite, pdb, pod } from '../support/cluster-builders.js';

// 002 Chain 2: argocd-redis-ha-server-2 on k8s03 Terminating 44+ min (deleted ~14:26 AEST =
// 04:26Z, checked ~15:10 AEST = 05:10Z), containers already stopped.
// 003: Jiva ctrl pods stuck Terminating behind a PDB that cannot be satisfied.
const exited = (name: string) => container(name, 'terminated', { terminated: { exitCode: 0, reason: 'Completed' } });
const redis = pod({
  namespace: 'argocd', name: 'argocd-redis-ha-server-2', node: 'k8s03', phase: 'Running', created: '2026-05-10T02:00:00Z', bound: '2026-05-10T02:00:00Z',
  deleted: '2026-05-18T04:26:10Z', ownerKind: 'StatefulSet', ownerName: 'argocd-redis-ha-server', line: 7,
  containers: [exited('redis'), exited('sentinel'), exited('split-brain-fix')],
});
const jivaCtrl = pod({
  namespace: 'openebs', name: 'pvc-05e03b60-ctrl-6d8f7c9b5-2xk4p', node: 'k8s01', phase: 'Running', created: '2026-05-01T00:00:00Z', bound: '2026-05-01T00:00:00Z',
  deleted: '2026-05-18T04:40:00Z', ownerKind: 'ReplicaSet', ownerName: 'pvc-05e03b60-ctrl-6d8f7c9b5', line: 8,
  containers: [container('jiva-controller', 'terminated', { terminated: { exitCode: 137, reason: 'Error' } })],
});
const jivaPdb = pdb('openebs', 'pvc-05e03b60-ctrl-pdb', 2, { minAvailable: '1', currentHealthy: 0, desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: 1 });
const otherPdb = pdb('openebs', 'openebs-ndm-pdb', 3, { maxUnavailable: '1', currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
const healthy = pod({ namespace: 'argocd', name: 'argocd-server-6c9d7f8b5-k2l9m', node: 'k8s01', phase: 'Running', created: '2026-05-18T05:09:00Z', bound: '2026-05-18T05:09:00Z', line: 9, containers: [container('argocd-server', 'running')] });
/** The capture runs to 05:10Z. */
const end = kubelite('2026-05-18T05:10:00Z', 'k8s03', 'I', 'kubelet_getters.go:218] "Pod status updated" pod="kube-system/calico-node-7xk2p" status="Running"', 'k8s03/kubelite.log', 900);

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: deleted 3 minutes ago, still inside its grace period',
      records: [end],
      facts: { pods: [{ ...redis, deletionTimestamp: Date.parse('2026-05-18T05:07:00Z') * 1000 }, healthy] },
    },
    {
      name: 'near miss: deletionTimestamp 44 min old but a container still runs (not safe to force-delete)',
      records: [end],
      facts: { pods: [{ ...redis, containers: [container('redis', 'running'), exited('sentinel')] }, healthy] },
    },
    {
      name: 'healthy: nothing being deleted',
      records: [end],
      facts: { pods: [healthy], pdbs: [otherPdb] },
    },
  ],
  invalid: [
    {
      name: '002 + 003: redis Terminating 44 min on k8s03, Jiva ctrl behind an unsatisfiable PDB on k8s01',
      records: [end],
      facts: { pods: [redis, jivaCtrl, healthy], pdbs: [jivaPdb, otherPdb] },
      expect: [
        {
          nodes: ['k8s01'],
          evidence: [{ path: 'pods.json', line: 8 }, { path: 'pdbs.json', line: 2 }],
          minConfidence: 0.99,
          signals: { 'Terminating over 10 min': 'present', 'containers exited': 'present', 'unsatisfiable PDB': 'present' },
          runbookIncludes: ['kubectl delete pod pvc-05e03b60-ctrl-6d8f7c9b5-2xk4p -n openebs --grace-period=0 --force'],
          facts: { stuckPods: 1, longestMinutes: 30 },
        },
        {
          nodes: ['k8s03'],
          evidence: [{ path: 'pods.json', line: 7 }],
          signals: { 'Terminating over 10 min': 'present', 'containers exited': 'present', 'unsatisfiable PDB': 'absent' },
          runbookIncludes: [
            'kubectl delete pod argocd-redis-ha-server-2 -n argocd --grace-period=0 --force',
            "kubectl get pod argocd-redis-ha-server-2 -n argocd -o jsonpath='{.status.containerStatuses[*].state}'",
          ],
          facts: { stuckPods: 1, longestMinutes: 43 },
        },
      ],
    },
    {
      name: 'kubectl-only bundle: "now" from the newest pod time, no PDB list',
      facts: { pods: [redis, healthy] },
      expect: [{ nodes: ['k8s03'], signals: { 'unsatisfiable PDB': 'unknown' }, evidence: [{ path: 'pods.json', line: 7 }], facts: { longestMinutes: 42 } }],
    },
  ],
});
