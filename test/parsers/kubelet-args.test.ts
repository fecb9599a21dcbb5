import { describe, expect, it } from 'vitest';
import { parseKubeletArgs, shellWords } from '../../src/parsers/kubelet-args.js';
import { inspectMember } from './node-helpers.js';

describe('parseKubeletArgs', () => {
  it('parses the header sample', () => {
    const text = '--kubeconfig=${SNAP_DATA}/credentials/kubelet.config\n--eviction-hard="memory.available<100Mi,nodefs.available<1Gi,imagefs.available<1Gi"\n--node-labels="microk8s.io/cluster=true,node.kubernetes.io/microk8s-controlplane=microk8s-controlplane"\n--feature-gates=EventedPLEG=true\n';
    const { value, unparsed } = parseKubeletArgs(text, { path: 'args/kubelet', node: 'k8s03' });
    expect(unparsed).toEqual([]);
    expect(value).toEqual([{
      component: 'kubelet', node: 'k8s03', source: { path: 'args/kubelet', line: 1 }, featureGates: { EventedPLEG: true },
      flags: {
        kubeconfig: '${SNAP_DATA}/credentials/kubelet.config',
        'eviction-hard': 'memory.available<100Mi,nodefs.available<1Gi,imagefs.available<1Gi',
        'node-labels': 'microk8s.io/cluster=true,node.kubernetes.io/microk8s-controlplane=microk8s-controlplane',
        'feature-gates': 'EventedPLEG=true',
      },
      flagLines: { kubeconfig: 1, 'eviction-hard': 2, 'node-labels': 3, 'feature-gates': 4 },
    }]);
  });

  it('reads the real args/ files of the inspect report', () => {
    const kubelet = parseKubeletArgs(inspectMember('args/kubelet'), { path: 'args/kubelet' });
    expect(kubelet.unparsed).toEqual([]);
    expect(kubelet.value[0]?.flags['container-runtime-endpoint']).toBe('${SNAP_COMMON}/run/containerd.sock');
    expect(kubelet.value[0]?.flags['eviction-hard']).toBe('memory.available<100Mi,nodefs.available<1Gi,imagefs.available<1Gi');
    expect(kubelet.value[0]?.featureGates).toEqual({});
    const api = parseKubeletArgs(inspectMember('args/kube-apiserver'), { path: 'args/kube-apiserver' });
    expect(api.unparsed).toEqual([]);
    expect(api.value[0]?.component).toBe('kube-apiserver');
    expect(api.value[0]?.flags['etcd-servers']).toBe('unix://${SNAP_DATA}/var/kubernetes/backend/kine.sock:12379');
    expect(api.value[0]?.flags['service-account-issuer']).toBe('https://kubernetes.default.svc');
    const lite = parseKubeletArgs(inspectMember('args/kubelite'), { path: 'args/kubelite' });
    expect(lite.value[0]?.flags['start-control-plane']).toBe('true');
    const containerd = parseKubeletArgs(inspectMember('args/containerd'), { path: 'args/containerd' });
    expect(containerd.value[0]?.flags).toEqual({
      config: '${SNAP_DATA}/args/containerd.toml', root: '${SNAP_COMMON}/var/lib/containerd', state: '${SNAP_COMMON}/run/containerd', address: '${SNAP_COMMON}/run/containerd.sock',
    });
    const ctr = parseKubeletArgs(inspectMember('args/ctr'), { path: 'args/ctr' });
    expect(ctr.value[0]?.flags.namespace).toBe('k8s.io');
  });

  it('feature gates merge, comments, bad lines', () => {
    const text = '# PLEG\n--feature-gates=EventedPLEG=false,Foo=true\n--feature-gates="EventedPLEG=true" # later wins\n--bare\nPATH=$PATH:x\n--x="unterminated\n';
    const { value, unparsed, warnings } = parseKubeletArgs(text, { path: 'args/kubelet' });
    expect(value[0]?.featureGates).toEqual({ EventedPLEG: true, Foo: true });
    expect(value[0]?.flags.bare).toBe('true');
    expect(unparsed.map((u) => u.line)).toEqual([5, 6]);
    expect(warnings).toEqual([]);
    expect(shellWords("a 'b c' \"d\\\"e\" f\\ g # c").words).toEqual(['a', 'b c', 'd"e', 'f g']);
  });
});
