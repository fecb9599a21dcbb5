import rule from '../../src/rules/calico-outdated.js';
import { ruleTester } from '../support/rule-tester.js';
import { calicoNodePod, deployment, kubeControllersDeployment, kubeControllersPod, nodeFact } from '../support/calico-builders.js';

const nodes = (version: string) => ['k8s01', 'k8s02', 'k8s03'].map((n, i) => nodeFact(n, { kubeletVersion: version, line: 1 + i * 40 }));

ruleTester(rule, {
  valid: [
    {
      name: "near miss: MicroK8s' current Calico v3.29.3 on Kubernetes v1.35.0 (6 minors apart)",
      facts: {
        nodes: nodes('v1.35.0'),
        pods: [calicoNodePod('v3.29.3', 'k8s01', 'calico-node-qvnwt', '2026-05-01T00:00:00Z'), kubeControllersPod('v3.29.3', 'k8s01')],
        workloads: [kubeControllersDeployment('v3.29.3', 'node')],
      },
    },
    {
      name: 'Calico v3.25.1 on Kubernetes v1.30.4 (5 minors apart)',
      facts: {
        nodes: nodes('v1.30.4'),
        pods: [calicoNodePod('v3.25.1', 'k8s01', 'calico-node-qvnwt', '2026-05-01T00:00:00Z')],
      },
    },
    {
      name: 'no Calico images at all (another CNI)',
      facts: { nodes: nodes('v1.35.0'), workloads: [deployment('kube-system', 'kube-flannel', [{ name: 'kube-flannel', image: 'docker.io/flannel/flannel:v0.24.2' }])] },
    },
  ],
  invalid: [
    {
      name: '000/004: Calico v3.13.2 on Kubernetes v1.35.0',
      facts: {
        nodes: nodes('v1.35.0'),
        pods: [calicoNodePod('v3.13.2', 'k8s01', 'calico-node-qvnwt', '2026-05-01T00:00:00Z'), kubeControllersPod('v3.13.2', 'k8s01')],
        workloads: [kubeControllersDeployment('v3.13.2', 'node', 5)],
      },
      expect: [{
        nodes: [],
        evidence: [{ path: 'pods.json', line: 1 }, { path: 'nodes.json', line: 1 }],
        signals: { 'Calico v3.13.x or older': 'present', 'Calico years older than Kubernetes': 'present', 'mixed Calico versions': 'absent' },
        runbookIncludes: ['staged Calico upgrade from v3.13.2', 'cluster v1.35.0', 'calicoctl version'],
        facts: { calicoVersion: 'v3.13.2', kubernetesVersion: 'v1.35.0', minorGap: 22 },
      }],
    },
    {
      name: 'quay.io Calico v3.25.0 on Kubernetes v1.33.1: years behind though not v3.13',
      facts: {
        nodes: nodes('v1.33.1'),
        workloads: [{ ...kubeControllersDeployment('v3.25.0', 'node', 8), containers: [{ name: 'calico-kube-controllers', image: 'quay.io/calico/kube-controllers:v3.25.0', env: {}, args: [], command: [] }] }],
      },
      expect: [{
        evidence: [{ path: 'workloads.json', line: 8 }],
        signals: { 'Calico v3.13.x or older': 'absent', 'Calico years older than Kubernetes': 'present' },
        facts: { calicoVersion: 'v3.25.0', minorGap: 8 },
      }],
    },
  ],
});
