import rule from '../../src/rules/pods-not-progressing.js';
import { ruleTester } from '../support/rule-tester.js';
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
      name: 'near miss: Pending pod not bound to any node (a scheduling problem, not the kubelet)',
      records: capture,
      facts: { pods: [pendingPod('default', 'web-6c9d7f8b5-4kq2z', 'k8s03', '2026-05-18T14:05:00Z', 'pods.json', 4, { nodeName: undefined, conditions: [] })] },
    },
  ],
  invalid: [
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
