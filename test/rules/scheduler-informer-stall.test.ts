import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/scheduler-informer-stall.js';
import type { PodFact } from '../../src/model/facts.js';
import { ruleTester, runCase, type CaseInput } from '../support/rule-tester.js';
import { event, lease, pod } from '../support/cluster-builders.js';

// 003: all nodes Ready at ~06:27 AEST (2026-06-04T20:27Z), 46 pods Pending with no node and
// zero FailedScheduling events; kube-system/kube-scheduler held by k8s02 and renewed.
const APPS = ['sonarr', 'radarr', 'vaultwarden', 'argocd-server', 'cloudflared', 'survive-minecraft'];
const pending: PodFact[] = Array.from({ length: 46 }, (_, i) => pod({
  namespace: i % 2 ? 'media' : 'apps', name: `${APPS[i % APPS.length]}-7d9f8c6b5-${(1000 + i).toString(36)}`,
  created: `2026-06-04T20:${String(5 + (i % 15)).padStart(2, '0')}:00Z`, line: 100 + i,
}));
const runningPod = pod({ namespace: 'kube-system', name: 'calico-node-4jx7w', node: 'k8s02', phase: 'Running', created: '2026-06-04T20:03:00Z', bound: '2026-06-04T20:03:00Z', line: 5 });

const schedulerLease = lease('kube-system', 'kube-scheduler', 'k8s02_6f1c9a52-3b7e-4d1a-9c2f-8e5b7a1d0c34', '2026-06-04T20:29:58Z', 3, { leaseDurationSeconds: 60, leaseTransitions: 14 });
const nodeLeases = ['k8s01', 'k8s02', 'k8s03'].map((n, i) => lease('kube-node-lease', n, n, '2026-06-04T20:29:55Z', 10 + i, { leaseDurationSeconds: 40 }));
const kubeletEvent = event({ namespace: 'kube-system', pod: 'calico-node-4jx7w', reason: 'Started', type: 'Normal', message: 'Started container calico-node', last: '2026-06-04T20:29:50Z', component: 'kubelet', host: 'k8s02', line: 1 });

function incident(overrides: Partial<CaseInput> = {}): CaseInput {
  return { facts: { pods: [...pending, runningPod], leases: [schedulerLease, ...nodeLeases], events: [kubeletEvent] }, ...overrides };
}

const unschedulable = pending.map((p) => ({
  ...p, conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }],
}));

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: ordinary scheduling pressure (FailedScheduling events, PodScheduled=False)',
      facts: {
        pods: [...unschedulable, runningPod], leases: [schedulerLease, ...nodeLeases],
        events: [event({ namespace: 'apps', pod: unschedulable[0]!.name, reason: 'FailedScheduling', message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.', last: '2026-06-04T20:28:40Z', count: 46, component: 'default-scheduler', line: 2 })],
      },
    },
    {
      name: 'near miss: scheduler lease not renewed for 20 min (scheduler down, lease expiring)',
      ...incident({ facts: { pods: [...pending, runningPod], leases: [{ ...schedulerLease, renewTime: Date.parse('2026-06-04T20:09:58Z') * 1000 }, ...nodeLeases], events: [kubeletEvent] } }),
    },
    {
      name: 'healthy: pods Pending for only two minutes',
      facts: { pods: [pod({ namespace: 'apps', name: 'web-1', created: '2026-06-04T20:28:00Z', line: 1 }), runningPod], leases: [schedulerLease, ...nodeLeases], events: [kubeletEvent] },
    },
  ],
  invalid: [
    {
      name: '003: 46 pods Pending, zero FailedScheduling, lease held and renewed by k8s02',
      ...incident(),
      expect: [{
        nodes: ['k8s02'],
        evidence: [{ path: 'leases.json', line: 3 }, { path: 'pods.json', line: 100 }],
        minConfidence: 0.99,
        signals: {
          'pods Pending without a node': 'present', 'zero FailedScheduling events': 'present',
          'scheduler never evaluated them': 'present', 'scheduler lease held and renewed': 'present',
        },
        runbookIncludes: ['kubectl cordon k8s02', 'ssh k8s02 "sudo systemctl restart snap.microk8s.daemon-kubelite.service"', 'was 46', 'was k8s02_6f1c9a52-3b7e-4d1a-9c2f-8e5b7a1d0c34', 'kubectl uncordon k8s02'],
        facts: { pendingPods: 46, failedSchedulingEvents: 0, leaseHolder: 'k8s02' },
      }],
    },
    {
      name: 'no events captured: fires on the missing PodScheduled condition, events unknown',
      ...incident({ facts: { pods: [...pending, runningPod], leases: [schedulerLease, ...nodeLeases] } }),
      expect: [{ nodes: ['k8s02'], signals: { 'zero FailedScheduling events': 'unknown' }, evidence: [{ path: 'leases.json', line: 3 }, { path: 'pods.json', line: 100 }], facts: { pendingPods: 46 } }],
    },
  ],
});

describe('scheduler-informer-stall confidence', () => {
  it('is capped at 0.5 without the events input', () => {
    const result = runCase(rule, incident({ facts: { pods: [...pending, runningPod], leases: [schedulerLease, ...nodeLeases] } }));
    expect(result.findings[0]!.confidence).toBe(0.5);
  });
});
