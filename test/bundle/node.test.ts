import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attributeNode, inspectLayout } from '../../src/bundle/node.js';
import { SHARED_SAMPLES } from '../support/shared.js';

const b = (s: string) => Buffer.from(s);

describe('attributeNode', () => {
  it('takes _HOSTNAME from journald export and JSON', () => {
    expect(attributeNode('x.export', b('__CURSOR=s=1\n_HOSTNAME=k8s03\nMESSAGE=x\n\n'), 'journald-export')).toBe('k8s03');
    expect(attributeNode('x.json', b('{"__CURSOR":"s=1","_HOSTNAME":"k8s02","MESSAGE":"x"}\n'), 'journald-json')).toBe('k8s02');
  });

  it('takes the journalctl host column only when it is constant', () => {
    const head = readFileSync(`${SHARED_SAMPLES}/pleg-unhealthy__k3s-2370-b.txt`);
    expect(attributeNode('journal.log', head, 'journalctl-text')).toBe('worker9');
    const mixed = b('May 17 05:59:38 k8s01 kubelite[1]: a\nMay 17 05:59:39 k8s02 kubelite[1]: b\n');
    expect(attributeNode('journal.log', mixed, 'journalctl-text')).toBeUndefined();
    expect(attributeNode('k8s03/journal.log', mixed, 'journalctl-text')).toBe('k8s03');
  });

  it('does not take the identifier of `journalctl --no-hostname` lines for a host', () => {
    const kernel = b('Oct 29 17:22:59 kernel: Linux version 5.15.0-91-generic (buildd@lcy02-amd64-045)\nOct 29 17:23:00 kernel: Command line: BOOT_IMAGE=/vmlinuz\n');
    expect(attributeNode('k8s01/kern.txt', kernel, 'journalctl-text')).toBe('k8s01');
    const kubelite = b('Oct 29 17:22:59 microk8s.daemon-kubelite[1234]: I1029 17:22:59.000001 1234 server.go:487] "Kubelet version"\n');
    expect(attributeNode('k8s01/kubelite.txt', kubelite, 'journalctl-text')).toBe('k8s01');
    // A syslog TAG ended by a space still names the host before it.
    const bare = b('Aug 21 08:14:29 worker-1035 syslog 2020-08-21 13:14:29.039 [INFO][23948] ipam.go 547: Attempting to assign IPs\n');
    expect(attributeNode('x/log.txt', bare, 'journalctl-text')).toBe('worker-1035');
  });

  it('names a single Node object and pods sharing one nodeName', () => {
    const node = '{\n    "apiVersion": "v1",\n    "kind": "Node",\n    "metadata": {\n        "labels": {"a": "b"},\n        "name": "k8s01"\n    }\n}\n';
    expect(attributeNode('node.json', b(node), 'kubectl-json')).toBe('k8s01');
    const pods = '{"apiVersion":"v1","kind":"List","items":[{"spec":{"nodeName":"k8s02"}},{"spec":{"nodeName":"k8s02"}}]}';
    expect(attributeNode('pods.json', b(pods), 'kubectl-json')).toBe('k8s02');
    const spread = '{"apiVersion":"v1","kind":"PodList","items":[{"spec":{"nodeName":"k8s02"}},{"spec":{"nodeName":"k8s03"}}]}';
    expect(attributeNode('pods.json', b(spread), 'kubectl-json')).toBeUndefined();
    const nodeList = readFileSync(`${SHARED_SAMPLES}/healthy-kubelet__inspection-nodelist-json.txt`);
    expect(attributeNode('nodes.json', nodeList, 'kubectl-json')).toBeUndefined();
  });

  it('falls back to a node-like directory, skipping layout and service directories', () => {
    const none = b('');
    expect(attributeNode('k8s01/inspection-report/snap.microk8s.daemon-kubelite/journal.log', none, 'klog')).toBe('k8s01');
    expect(attributeNode('bundle/nodes/microk8s-vm/ps.txt', none, 'ps')).toBe('microk8s-vm');
    expect(attributeNode('000-pleg-cni-deadlock/node-1/ip-route.txt', none, 'ip-route')).toBe('node-1');
    expect(attributeNode('inspection-report/k8s/cluster-info-dump', none, 'cluster-info-dump')).toBeUndefined();
    expect(attributeNode('inspection-report/args/certs.d/localhost_32000/hosts.toml', none, 'kubelet-args')).toBeUndefined();
    expect(attributeNode('var/log/k8s-pleg-debug/20260517_kubelite_goroutines.log', none, 'goroutine-dump')).toBeUndefined();
  });
});

describe('inspectLayout', () => {
  it('recognises services and areas under inspection-report/', () => {
    expect(inspectLayout('inspection-report/snap.microk8s.daemon-kubelite/journal.log')).toEqual({
      service: 'snap.microk8s.daemon-kubelite',
      root: 'inspection-report/',
    });
    expect(inspectLayout('k8s01/inspection-report/network/ip-addr')).toEqual({ area: 'network', root: 'k8s01/inspection-report/' });
    expect(inspectLayout('inspection-report/microk8s.daemon-containerd/snapctl.log')).toEqual({
      service: 'microk8s.daemon-containerd',
      root: 'inspection-report/',
    });
    expect(inspectLayout('inspection-report/bom.json')).toEqual({ root: 'inspection-report/' });
  });

  it('recognises an unpacked report by its service directories only', () => {
    expect(inspectLayout('snap.microk8s.daemon-k8s-dqlite/journal.log')).toEqual({ service: 'snap.microk8s.daemon-k8s-dqlite', root: '' });
    expect(inspectLayout('network/ip-addr')).toBeUndefined();
    expect(inspectLayout('k8s03/kubelite.log')).toBeUndefined();
  });
});

describe('attributeNode on a Node cut off by the head', () => {
  it('finds metadata.name by indentation', () => {
    const head = '{\n    "apiVersion": "v1",\n    "kind": "Node",\n    "metadata": {\n        "labels": {\n            "kubernetes.io/hostname": "x"\n        },\n        "name": "k8s09",\n        "uid": "1"\n    },\n    "status": {\n        "images": [\n';
    expect(attributeNode('node.json', Buffer.from(head), 'kubectl-json')).toBe('k8s09');
  });
});
