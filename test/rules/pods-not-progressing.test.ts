import rule from '../../src/rules/pods-not-progressing.js';
import { describe, expect, it } from 'vitest';
import { ruleTester, runCase } from '../support/rule-tester.js';
import { containerdSteady, event, pendingPod, runningPod, t } from '../support/kubelet-builders.js';

const CTRD = 'k8s03/containerd.log';
// The capture ends 14:30Z (the containerd log); pods bound at 14:10Z have waited 20 minutes.
const capture = containerdSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:30:00Z', CTRD, 1, 300);

ruleTester(rule, {
  valid: [
    {
      name: 'healthy: bound pods are Running',
      records: capture,
      facts: { pods: [runningPod('arc-systems', 'arc-runner-set-7d9xk-runner-2bq8n', 'k8s03', '2026-05-18T14:10:00Z', 'pods.json', 3)] },
    },
    {
      name: 'near miss: Pending for only 2 minutes before the capture end',
      records: capture,
      facts: { pods: [pendingPod('arc-systems', 'arc-runner-set-7d9xk-runner-2bq8n', 'k8s03', '2026-05-18T14:28:00Z', 'pods.json', 3)] },
    },
    {
      name: 'near miss: Pending in ImagePullBackOff (the kubelet is working on it)',
      records: capture,
      facts: {
        pods: [pendingPod('kube-system', 'kube-state-metrics-5d8f7c9b6-2xv9k', 'k8s03', '2026-05-18T14:05:00Z', 'pods.json', 8, {
          containers: [{ name: 'kube-state-metrics', restartCount: 0, state: 'waiting', stateReason: 'ImagePullBackOff', image: 'k8s.gcr.io/kube-state-metrics/kube-state-metrics:v2.3.0' }],
        })],
        events: [event('BackOff', 'Back-off pulling image "k8s.gcr.io/kube-state-metrics/kube-state-metrics:v2.3.0"', { kind: 'Pod', namespace: 'kube-system', name: 'kube-state-metrics-5d8f7c9b6-2xv9k' }, '2026-05-18T14:25:00Z', { sourceComponent: 'kubelet', sourceHost: 'k8s03', type: 'Warning' })],
      },
    },
    {
      name: 'near miss: a sandbox failure followed by an image pull back-off (the kubelet got further: image rules cover it)',
      records: capture,
      facts: {
        pods: [pendingPod('kube-system', 'kube-state-metrics-5d8f7c9b6-2xv9k', 'k8s03', '2026-05-18T14:05:00Z', 'pods.json', 8)],
        events: [
          event('FailedCreatePodSandBox', 'Failed to create pod sandbox: rpc error: code = DeadlineExceeded desc = context deadline exceeded', { kind: 'Pod', namespace: 'kube-system', name: 'kube-state-metrics-5d8f7c9b6-2xv9k' }, '2026-05-18T14:06:00Z', { sourceComponent: 'kubelet', sourceHost: 'k8s03', type: 'Warning' }),
          event('BackOff', 'Back-off pulling image "k8s.gcr.io/kube-state-metrics/kube-state-metrics:v2.3.0"', { kind: 'Pod', namespace: 'kube-system', name: 'kube-state-metrics-5d8f7c9b6-2xv9k' }, '2026-05-18T14:25:00Z', { sourceComponent: 'kubelet', sourceHost: 'k8s03', type: 'Warning' }),
        ],
      },
    },
    {
      name: 'near miss: Pending pod not bound to any node (a scheduling problem, not the kubelet)',
      records: capture,
      facts: { pods: [pendingPod('default', 'web-6c9d7f8b5-4kq2z', 'k8s03', '2026-05-18T14:05:00Z', 'pods.json', 4, { nodeName: undefined, conditions: [] })] },
    },
  ],
  invalid: [
    {
      name: '003: pods bound to k8s02 Pending whose only kubelet events are sandbox-creation failures',
      records: capture.map((r) => ({ ...r, node: 'k8s02' })),
      facts: {
        pods: [
          pendingPod('openebs', 'pvc-05e03b60-rep-1-6d9f8c7b5-k2m4p', 'k8s02', '2026-05-18T14:05:00Z', 'pods.json', 21),
          pendingPod('argocd', 'argocd-redis-ha-server-0', 'k8s02', '2026-05-18T14:06:00Z', 'pods.json', 35),
        ],
        events: [
          event('FailedCreatePodSandBox', 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to reserve sandbox name "pvc-05e03b60-rep-1-6d9f8c7b5-k2m4p_openebs_6d708db2-af5e-4b7e-9c1d-3f2a8e6b0c41_0": name "pvc-05e03b60-rep-1-6d9f8c7b5-k2m4p_openebs_6d708db2-af5e-4b7e-9c1d-3f2a8e6b0c41_0" is reserved for "4f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e"', { kind: 'Pod', namespace: 'openebs', name: 'pvc-05e03b60-rep-1-6d9f8c7b5-k2m4p' }, '2026-05-18T14:25:00Z', { sourceComponent: 'kubelet', sourceHost: 'k8s02', type: 'Warning', count: 186 }),
          event('SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.', { kind: 'Pod', namespace: 'argocd', name: 'argocd-redis-ha-server-0' }, '2026-05-18T14:25:00Z', { sourceComponent: 'kubelet', sourceHost: 'k8s02', count: 187 }),
        ],
      },
      expect: [{
        nodes: ['k8s02'],
        evidence: [{ path: 'pods.json', line: 21 }, { path: 'pods.json', line: 35 }],
        signals: { 'bound pods Pending > 5 min': 'present', 'no kubelet events for them': 'absent' },
        runbookIncludes: ['spec.nodeName=k8s02'],
        facts: { pendingPods: 2 },
      }],
    },
    {
      name: '001: pods bound to k8s03 Pending for 20 minutes with no kubelet events',
      records: capture,
      facts: {
        pods: [
          pendingPod('arc-systems', 'arc-runner-set-7d9xk-runner-2bq8n', 'k8s03', '2026-05-18T14:10:00Z', 'pods.json', 3),
          pendingPod('awx', 'awx-task-7f9c6d5b8-lmq4t', 'k8s03', '2026-05-18T14:12:00Z', 'pods.json', 9),
          runningPod('kube-system', 'calico-node-7xk2p', 'k8s03', '2026-05-10T00:00:00Z', 'pods.json', 15),
        ],
        events: [event('Scheduled', 'Successfully assigned arc-systems/arc-runner-set-7d9xk-runner-2bq8n to k8s03', { kind: 'Pod', namespace: 'arc-systems', name: 'arc-runner-set-7d9xk-runner-2bq8n' }, '2026-05-18T14:10:00Z', { sourceComponent: 'default-scheduler' })],
      },
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: 'pods.json', line: 3 }, { path: 'pods.json', line: 9 }],
        signals: { 'bound pods Pending > 5 min': 'present', 'no kubelet events for them': 'present' },
        runbookIncludes: ['spec.nodeName=k8s03', '/api/v1/nodes/k8s03/proxy/pods', 'arc-systems/arc-runner-set-7d9xk-runner-2bq8n awx/awx-task-7f9c6d5b8-lmq4t'],
        facts: { pendingPods: 2, oldestSeconds: (t('2026-05-18T14:30:00Z') - t('2026-05-18T14:10:00Z')) / 1_000_000 },
      }],
    },
  ],
});

describe('pods-not-progressing summary', () => {
  it('says the kubelet could not create the sandboxes when that is all it did', () => {
    const pod = pendingPod('argocd', 'argocd-redis-ha-server-0', 'k8s02', '2026-05-18T14:06:00Z', 'pods.json', 35);
    const finding = runCase(rule, {
      records: capture.map((r) => ({ ...r, node: 'k8s02' })),
      facts: { pods: [pod], events: [event('FailedCreatePodSandBox', 'Failed to create pod sandbox: … is reserved for "4f1c"', { kind: 'Pod', namespace: 'argocd', name: pod.name }, '2026-05-18T14:25:00Z', { sourceComponent: 'kubelet', sourceHost: 'k8s02', count: 190 })] },
    }).findings[0]!;
    expect(finding.summary).toContain('could not create a sandbox for 1 of them (190 FailedCreatePodSandBox/SandboxChanged event(s))');
  });
});
