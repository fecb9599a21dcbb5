import rule from '../../src/rules/coredns-single-replica.js';
import { describe, expect, it } from 'vitest';
import { ruleTester, runCase } from '../support/rule-tester.js';
import { container, pod, workload } from '../support/cluster-builders.js';

// 003: CoreDNS was a single replica on a single node until it was scaled to 2 during the incident.
const coredns = (replicas: number) => workload({ kind: 'Deployment', namespace: 'kube-system', name: 'coredns', generation: 3, observedGeneration: 3, replicas, readyReplicas: replicas, created: '2024-01-10T00:00:00Z', line: 4 });
const dnsPod = (name: string, node: string, line: number) => pod({
  namespace: 'kube-system', name, node, phase: 'Running', created: '2026-06-04T20:10:00Z', bound: '2026-06-04T20:10:00Z',
  labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '7d9f8c6b5' }, ownerKind: 'ReplicaSet', ownerName: 'coredns-7d9f8c6b5', line,
  containers: [container('coredns', 'running')],
});

ruleTester(rule, {
  valid: [
    {
      name: 'healthy: two replicas on two nodes (after the 003 fix)',
      facts: { workloads: [coredns(2)], pods: [dnsPod('coredns-7d9f8c6b5-4xk2p', 'k8s01', 1), dnsPod('coredns-7d9f8c6b5-9qz7w', 'k8s03', 2)] },
    },
    {
      name: 'near miss: two replicas, one pod momentarily Running during a rollout (the Deployment decides)',
      facts: { workloads: [coredns(2)], pods: [dnsPod('coredns-7d9f8c6b5-4xk2p', 'k8s01', 1)] },
    },
    {
      name: 'near miss: a cluster without the dns addon (no CoreDNS at all)',
      facts: { pods: [pod({ namespace: 'kube-system', name: 'calico-node-4jx7w', node: 'k8s02', phase: 'Running', created: '2026-06-04T20:03:00Z', line: 5 })] },
    },
  ],
  invalid: [
    {
      name: '003: coredns Deployment with spec.replicas=1 on k8s02',
      facts: { workloads: [coredns(1)], pods: [dnsPod('coredns-7d9f8c6b5-4xk2p', 'k8s02', 1)] },
      expect: [{
        // Cluster-level configuration risk: no node; the pod's node is in the summary and runbook.
        nodes: [],
        evidence: [{ path: 'workloads.json', line: 4 }, { path: 'pods.json', line: 1 }],
        minConfidence: 0.99,
        signals: { 'one replica': 'present' },
        runbookIncludes: ['kubectl -n kube-system scale deployment coredns --replicas=2', 'podAntiAffinity', 'one is on k8s02 now'],
        facts: { replicas: 1 },
      }],
    },
    {
      name: 'pods only: one Running CoreDNS pod',
      facts: { pods: [dnsPod('coredns-864597b5fd-m8p2x', 'k8s01', 3)] },
      expect: [{ nodes: [], evidence: [{ path: 'pods.json', line: 3 }], runbookIncludes: ['one is on k8s01 now'], facts: { replicas: 1 } }],
    },
  ],
});

describe('coredns-single-replica summary', () => {
  it('names where the one replica runs (the finding itself is cluster-wide)', () => {
    const finding = runCase(rule, { facts: { workloads: [coredns(1)], pods: [dnsPod('coredns-7d9f8c6b5-4xk2p', 'k8s02', 1)] } }).findings[0]!;
    expect(finding.nodes).toEqual([]);
    expect(finding.summary).toContain('running as kube-system/coredns-7d9f8c6b5-4xk2p on k8s02');
  });
});
