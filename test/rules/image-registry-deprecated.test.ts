import rule from '../../src/rules/image-registry-deprecated.js';
import { rec, ruleTester } from '../support/rule-tester.js';
import { at, container, event, pod } from '../support/calico-builders.js';

// 004: awx-operator's kube-rbac-proxy sidecar still referenced gcr.io/kubebuilder.
const IMAGE = 'gcr.io/kubebuilder/kube-rbac-proxy:v0.15.0';
const POD = 'awx-operator-controller-manager-6d9c7f7b6-2mz8x';
const awxPod = (rbacState: Parameters<typeof container>[2]) =>
  pod('ci', POD, 'k8s02', [
    container('kube-rbac-proxy', IMAGE, rbacState),
    container('awx-manager', 'quay.io/ansible/awx-operator:2.7.2'),
  ], { ownerKind: 'ReplicaSet', ownerName: 'awx-operator-controller-manager-6d9c7f7b6', source: { path: 'pods.json', line: 412 } });

const pullEvent = event('Failed',
  `Failed to pull image "${IMAGE}": rpc error: code = NotFound desc = failed to pull and unpack image "${IMAGE}": failed to resolve reference "${IMAGE}": ${IMAGE}: not found`,
  { namespace: 'ci', name: POD },
  { count: 37, sourceHost: 'k8s02', firstTimestamp: at('2026-05-20T02:10:00Z'), lastTimestamp: at('2026-05-20T04:12:31Z'), source: { path: 'events.json', line: 77 } });

const kubeletLine = rec('2026-05-20T04:12:31.123456Z', 'k8s02', 'snap.microk8s.daemon-kubelite',
  `E0520 04:12:31.123456 2345678 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"kube-rbac-proxy\\" with ErrImagePull: \\"rpc error: code = NotFound desc = failed to pull and unpack image \\\\\\"${IMAGE}\\\\\\": not found\\"" pod="ci/${POD}" podUID="3f6f0f0e-8a43-4a53-9d62-2f6f4f1f2a10"`,
  'k8s02/kubelite.log', 1841);

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: a running pod from k8s.gcr.io (image cached on the node), no pull failure',
      facts: {
        pods: [pod('kube-system', 'metrics-server-5f8f64cb86-8xq2n', 'k8s01', [container('metrics-server', 'k8s.gcr.io/metrics-server/metrics-server:v0.5.2')])],
        events: [event('Pulled', 'Container image "k8s.gcr.io/metrics-server/metrics-server:v0.5.2" already present on machine', { namespace: 'kube-system', name: 'metrics-server-5f8f64cb86-8xq2n' }, { type: 'Normal' })],
      },
    },
    {
      name: 'near miss: ImagePullBackOff for a registry.k8s.io image (wrong tag, not a retired registry)',
      facts: {
        pods: [pod('ci', POD, 'k8s02', [container('kube-rbac-proxy', 'registry.k8s.io/kubebuilder/kube-rbac-proxy:v0.99.0', { ready: false, state: 'waiting', stateReason: 'ImagePullBackOff' })])],
        events: [event('Failed', 'Failed to pull image "registry.k8s.io/kubebuilder/kube-rbac-proxy:v0.99.0": not found', { namespace: 'ci', name: POD })],
      },
    },
  ],
  invalid: [
    {
      name: '004: awx-operator kube-rbac-proxy ImagePullBackOff on gcr.io/kubebuilder',
      records: [kubeletLine],
      facts: {
        pods: [awxPod({ ready: false, state: 'waiting', stateReason: 'ImagePullBackOff', stateMessage: `Back-off pulling image "${IMAGE}"` })],
        events: [pullEvent],
      },
      expect: [{
        nodes: ['k8s02'],
        evidence: [{ path: 'k8s02/kubelite.log', line: 1841 }, { path: 'events.json', line: 77 }, { path: 'pods.json', line: 412 }],
        minConfidence: 0.99,
        signals: { 'pull failure from a retired registry': 'present', 'pods waiting on the image': 'present' },
        runbookIncludes: [
          'kubectl -n ci set image deployment/awx-operator-controller-manager kube-rbac-proxy=registry.k8s.io/kubebuilder/kube-rbac-proxy:v0.15.0',
          `grep -rn '${IMAGE}'`,
          `ci/${POD}`,
        ],
        facts: { image: IMAGE, replacement: 'registry.k8s.io/kubebuilder/kube-rbac-proxy:v0.15.0', occurrences: 3 },
      }],
    },
    {
      name: 'k8s.gcr.io pull failure known only from a pod status (no events, no logs)',
      facts: {
        pods: [pod('monitoring', 'kube-state-metrics-7d8c9b5f4-9k2lq', 'k8s03', [
          container('kube-state-metrics', 'k8s.gcr.io/kube-state-metrics/kube-state-metrics:v2.3.0', { ready: false, state: 'waiting', stateReason: 'ErrImagePull' }),
        ], { source: { path: 'pods.json', line: 9 } })],
      },
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: 'pods.json', line: 9 }],
        runbookIncludes: ['kube-state-metrics=registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.3.0', 'deployment/kube-state-metrics'],
      }],
    },
  ],
});
