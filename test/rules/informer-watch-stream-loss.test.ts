import rule from '../../src/rules/informer-watch-stream-loss.js';
import { ruleTester, type CaseInput } from '../support/rule-tester.js';
import { dqlite, event, pod, started, systemd, workload } from '../support/cluster-builders.js';

// 004: after the ArgoCD sync (~13:00 AEST = 03:00Z) the awx-operator Deployment is never
// observed, a test Deployment stays gen=1/obs=empty, a test pod is never scheduled, and
// kubelite was restarted on k8s03, k8s01, k8s02 (13:30, 14:00, 15:00 AEST).
const awx = workload({ kind: 'Deployment', namespace: 'ci', name: 'awx-operator-controller-manager', generation: 7, observedGeneration: 6, replicas: 1, created: '2026-02-05T01:00:00Z', line: 1 });
const awxRs = workload({ kind: 'ReplicaSet', namespace: 'ci', name: 'awx-operator-controller-manager-6b8d9c7f5', ownerKind: 'Deployment', ownerName: 'awx-operator-controller-manager', created: '2026-03-01T01:00:00Z', line: 2 });
const testStream = workload({ kind: 'Deployment', namespace: 'default', name: 'test-stream', generation: 1, replicas: 1, created: '2026-04-01T05:00:00Z', line: 3 });
const testPod = pod({ namespace: 'default', name: 'test-pod', created: '2026-04-01T05:02:00Z', line: 1 });

const restarts = [
  systemd('2026-04-01T03:30:10Z', 'k8s03', started('kubelite'), 'k8s03/journal.log', 301),
  systemd('2026-04-01T04:00:12Z', 'k8s01', started('kubelite'), 'k8s01/journal.log', 411),
  systemd('2026-04-01T05:00:08Z', 'k8s02', started('kubelite'), 'k8s02/journal.log', 522),
  dqlite('2026-04-01T04:58:31Z', 'k8s02', 'error in txn: exec (try: 500): database is locked', 'k8s02/k8s-dqlite.log', 77),
  systemd('2026-04-01T05:20:00Z', 'k8s02', 'Started Session 412 of User ubuntu.', 'k8s02/journal.log', 530),
];

function incident(overrides: Partial<CaseInput> = {}): CaseInput {
  return { records: restarts, facts: { workloads: [awx, awxRs, testStream], pods: [testPod] }, ...overrides };
}

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: one Deployment caught mid-rollout, the scheduler places pods normally',
      records: restarts,
      facts: {
        workloads: [awx, awxRs, workload({ kind: 'Deployment', namespace: 'default', name: 'web', generation: 4, observedGeneration: 4, created: '2026-03-01T00:00:00Z', line: 4 })],
        pods: [pod({ namespace: 'default', name: 'web-5f7b9d8c6-x2x9p', node: 'k8s01', phase: 'Running', created: '2026-04-01T05:02:00Z', bound: '2026-04-01T05:02:01Z', line: 2 })],
      },
    },
    {
      name: 'near miss: one stale Deployment and a Pending pod the scheduler did evaluate (FailedScheduling)',
      records: restarts,
      facts: {
        workloads: [awx, awxRs],
        pods: [testPod],
        events: [event({ namespace: 'default', pod: 'test-pod', reason: 'FailedScheduling', message: '0/3 nodes are available: 3 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }.', last: '2026-04-01T05:15:00Z', component: 'default-scheduler', line: 1 })],
      },
    },
    {
      name: 'healthy: every Deployment observed',
      facts: { workloads: [{ ...awx, observedGeneration: 7 }, awxRs, { ...testStream, observedGeneration: 1 }] },
    },
  ],
  invalid: [
    {
      name: '004: awx-operator and test-stream never observed, test pod never scheduled, 3 kubelite restarts under dqlite pressure',
      ...incident(),
      expect: [{
        nodes: [],
        evidence: [{ path: 'workloads.json', line: 1 }, { path: 'workloads.json', line: 3 }, { path: 'pods.json', line: 1 }, { path: 'k8s01/journal.log', line: 411 }, { path: 'k8s02/k8s-dqlite.log', line: 77 }],
        minConfidence: 0.99,
        signals: {
          'deployments not observed': 'present', 'no ReplicaSet for new deployments': 'present',
          'new pods ignored by the scheduler': 'present', 'kubelite restarts under dqlite pressure': 'present',
        },
        runbookIncludes: ['ci/awx-operator-controller-manager default/test-stream', 'microk8s-monthly-maintenance.yml', 'kubectl create deployment test-stream --image=nginx -n default'],
        facts: { staleDeployments: 2, ignoredPods: 1, kubeliteStarts: 3 },
      }],
    },
    {
      name: 'workloads only: two unobserved Deployments, pods and logs unknown',
      facts: { workloads: [awx, awxRs, workload({ kind: 'Deployment', namespace: 'ci', name: 'gh-arc-actions-runner-controller', generation: 12, observedGeneration: 11, created: '2026-01-10T00:00:00Z', line: 5 }), testStream] },
      expect: [{ signals: { 'deployments not observed': 'present', 'new pods ignored by the scheduler': 'unknown', 'kubelite restarts under dqlite pressure': 'unknown' }, evidence: [{ path: 'workloads.json', line: 1 }, { path: 'workloads.json', line: 5 }] }],
    },
  ],
});
