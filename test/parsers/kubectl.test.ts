import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseKubernetesObjects } from '../../src/parsers/kubectl.js';
import { ParseError } from '../../src/parsers/types.js';
import { isoToMicros } from '../../src/model/time.js';
import { SHARED_SAMPLES } from '../support/shared.js';

const data = (name: string): string => readFileSync(new URL(`../data/kube/${name}`, import.meta.url), 'utf8');
const sample = (name: string): string => readFileSync(`${SHARED_SAMPLES}/${name}`, 'utf8');
const t = (iso: string): number => isoToMicros(iso)!;

describe('parseKubernetesObjects: the header sample (cluster-info dump NodeList)', () => {
  it('reads the real healthy MicroK8s NodeList, header lines included', () => {
    const { value, unparsed, warnings } = parseKubernetesObjects(sample('healthy-kubelet__inspection-nodelist-json.txt'), { path: 'k8s/nodes.json' });
    expect(unparsed).toEqual([]);
    expect(warnings).toEqual([]);
    expect(value.nodes).toHaveLength(1);
    const node = value.nodes![0]!;
    expect(node.name).toBe('microk8s-vm');
    expect(node.vxlanTunnelAddr).toBe('10.1.254.64');
    expect(node.internalIP).toBe('172.22.104.186');
    expect(node.kubeletVersion).toBe('v1.28.14');
    expect(node.bootID).toBe('63561e02-5c4e-4114-aa3e-a87c8229cd06');
    expect(node.ready).toMatchObject({ status: 'True', reason: 'KubeletReady', lastHeartbeatTime: t('2024-10-29T12:47:06Z') });
    expect(node.unschedulable).toBe(false);
    // items of a typed list carry no kind; the `{` of items[0] is on line 8 of the JSON + 4 header lines
    expect(node.source).toEqual({ path: 'k8s/nodes.json', line: 12 });
  });
});

describe('parseKubernetesObjects: kubectl get -o json', () => {
  it('nodes: Ready condition, cordon, tunnel address with its mask stripped', () => {
    const { value } = parseKubernetesObjects(data('nodes.json'), { path: 'nodes.json' });
    const [k8s03, k8s01] = value.nodes!;
    expect(k8s03).toMatchObject({
      name: 'k8s03', unschedulable: true, vxlanTunnelAddr: '10.1.237.64', internalIP: '192.168.10.13', podCIDR: '10.1.3.0/24',
      kubeletVersion: 'v1.35.0', bootID: '0d6f7a3e-5b8c-4e21-9c4f-7a1b2c3d4e5f',
      ready: { type: 'Ready', status: 'True', reason: 'KubeletReady', lastTransitionTime: t('2026-05-17T14:36:02Z'), lastHeartbeatTime: t('2026-05-17T14:44:51Z') },
      source: { path: 'nodes.json', line: 4 },
    });
    expect(k8s01).toMatchObject({ name: 'k8s01', vxlanTunnelAddr: '10.1.52.0', ready: { status: 'Unknown', reason: 'NodeStatusUnknown' } });
  });

  it('pods: statuses, owner, annotations, spec images; line of each item', () => {
    const text = data('pods-pir000.json');
    const { value, unparsed } = parseKubernetesObjects(text, { path: 'pods.json' });
    expect(unparsed).toEqual([]);
    expect(value.pods).toHaveLength(36);
    expect(value.kubeletPodLists).toBeUndefined();
    const pod = value.pods!.find((p) => p.name.startsWith('coredns-'))!;
    expect(pod).toMatchObject({
      namespace: 'kube-system', nodeName: 'k8s03', phase: 'Running', ownerKind: 'ReplicaSet', specImages: ['coredns/coredns:1.11.1'],
    });
    expect(pod.annotations['cni.projectcalico.org/containerID']).toMatch(/^[0-9a-f]{64}$/);
    expect(pod.containers[0]).toMatchObject({ name: 'coredns', state: 'running', restartCount: 0, ready: true });
    expect(pod.conditions.map((c) => c.type)).toEqual(['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    const lines = text.split('\n');
    for (const p of value.pods!) {
      expect(lines[p.source.line! - 1]).toBe('        {');
      expect(lines.slice(p.source.line!, p.source.line! + 60).join('\n')).toContain(`"name": "${p.name}"`);
    }
  });

  it('container states: waiting with reason, terminated with exit code, lastState, init containers, args', () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'calico-kube-controllers-5c9b6d7f8-xk2lp', namespace: 'kube-system', deletionTimestamp: '2026-05-17T14:02:00Z', ownerReferences: [{ kind: 'ReplicaSet', name: 'calico-kube-controllers-5c9b6d7f8' }] },
      spec: {
        nodeName: 'k8s02',
        initContainers: [{ name: 'wait', image: 'busybox:1.36', command: ['sh', '-c'], args: ['sleep 1'] }],
        containers: [{ name: 'calico-kube-controllers', image: 'calico/kube-controllers:v3.13.2', args: ['--v=2'] }],
      },
      status: {
        phase: 'Running',
        initContainerStatuses: [{ name: 'wait', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-05-17T13:00:00Z', finishedAt: '2026-05-17T13:00:01Z' } } }],
        containerStatuses: [{
          name: 'calico-kube-controllers', restartCount: 212, image: 'calico/kube-controllers:v3.13.2', containerID: 'containerd://abc',
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
          lastState: { terminated: { exitCode: 2, reason: 'Error', startedAt: '2026-05-17T14:00:00Z', finishedAt: '2026-05-17T14:00:04Z' } },
        }],
      },
    };
    const { value } = parseKubernetesObjects(JSON.stringify(pod), { path: 'pod.json' });
    const p = value.pods![0]!;
    expect(p).toMatchObject({ deletionTimestamp: t('2026-05-17T14:02:00Z'), ownerKind: 'ReplicaSet', ownerName: 'calico-kube-controllers-5c9b6d7f8' });
    expect(p.specImages).toEqual(['busybox:1.36', 'calico/kube-controllers:v3.13.2']);
    expect(p.specArgs).toEqual({ wait: ['sh', '-c', 'sleep 1'], 'calico-kube-controllers': ['--v=2'] });
    expect(p.containers[0]).toEqual({
      name: 'calico-kube-controllers', image: 'calico/kube-controllers:v3.13.2', restartCount: 212, containerID: 'containerd://abc',
      state: 'waiting', stateReason: 'CrashLoopBackOff', stateMessage: 'back-off 5m0s restarting failed container',
      lastTerminated: { reason: 'Error', exitCode: 2, startedAt: t('2026-05-17T14:00:00Z'), finishedAt: t('2026-05-17T14:00:04Z') },
    });
    expect(p.initContainers[0]).toMatchObject({ state: 'terminated', stateReason: 'Completed', terminated: { exitCode: 0, reason: 'Completed' } });
  });

  it('events: core/v1 and events.k8s.io/v1', () => {
    const { value } = parseKubernetesObjects(data('events.json'), { path: 'events.json' });
    const [sandbox, ready, leader] = value.events!;
    expect(sandbox).toMatchObject({
      namespace: 'default', type: 'Warning', reason: 'FailedCreatePodSandBox', count: 7,
      involved: { kind: 'Pod', namespace: 'default', name: 'worker-7d9c5b8f4d-q2w7x' },
      firstTimestamp: t('2026-05-17T14:50:12Z'), lastTimestamp: t('2026-05-17T14:51:24Z'), sourceComponent: 'kubelet', sourceHost: 'k8s03',
      source: { path: 'events.json', line: 4 },
    });
    expect(sandbox!.eventTime).toBeUndefined();
    expect(ready).toMatchObject({
      reason: 'NodeReady', message: 'Node k8s03 status is now: NodeReady', count: 4, involved: { kind: 'Node', name: 'k8s03' },
      firstTimestamp: t('2026-05-17T14:36:02Z'), lastTimestamp: t('2026-05-17T14:44:51Z'), eventTime: t('2026-05-17T14:36:02.417263Z'),
      sourceComponent: 'kubelet', sourceHost: 'k8s03',
    });
    expect(ready!.eventTime! % 1_000_000).toBe(417263);
    expect(leader).toMatchObject({ reason: 'LeaderElection', count: 1, sourceComponent: 'kube-controller-manager', eventTime: t('2026-05-17T14:00:03.512044Z') });
    expect(leader!.sourceHost).toBeUndefined();
  });

  it('a JSON array of objects and concatenated documents', () => {
    const text = '[{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"a","namespace":"x"},"spec":{"holderIdentity":"h"}}]\n{"kind":"Lease","metadata":{"name":"b","namespace":"x"},"spec":{}}';
    const { value } = parseKubernetesObjects(text, { path: 'l.json' });
    expect(value.leases!.map((l) => [l.name, l.source.line])).toEqual([['a', 1], ['b', 2]]);
  });
});

describe('parseKubernetesObjects: kubelet pod list', () => {
  it('a PodList with "metadata":{} becomes kubeletPodLists, node from the pods', () => {
    const { value } = parseKubernetesObjects(data('k8s03-kubelet-pods.json'), { path: 'k8s03/pods.json' });
    expect(value.pods).toBeUndefined();
    expect(value.kubeletPodLists).toHaveLength(1);
    const list = value.kubeletPodLists![0]!;
    expect(list.node).toBe('k8s03');
    expect(list.pods).toHaveLength(27);
    expect(list.pods).toContainEqual(expect.objectContaining({ namespace: 'arc-systems', name: 'arc-runner-set-listener-7c9d8f6b5-zx2kq' }));
  });

  it('ctx.node wins; the path alone marks a kubectl List as the kubelet view', () => {
    const text = data('pods-pir000.json');
    const { value } = parseKubernetesObjects(text, { path: 'nodes/k8s03/proxy/pods', node: 'k8s03' });
    expect(value.pods).toBeUndefined();
    expect(value.kubeletPodLists![0]!.node).toBe('k8s03');
  });
});

describe('parseKubernetesObjects: YAML', () => {
  it('List of leases with µs renew times', () => {
    const { value } = parseKubernetesObjects(data('leases.yaml'), { path: 'leases.yaml' });
    expect(value.leases).toEqual([
      {
        namespace: 'kube-system', name: 'kube-controller-manager', holderIdentity: 'k8s01_4c9e1b7a-55e2-4b0e-9d3c-1f2a3b4c5d6e',
        renewTime: t('2026-05-17T14:51:40.118263Z'), acquireTime: t('2026-05-17T14:00:03.512044Z'), leaseDurationSeconds: 15, leaseTransitions: 212,
        source: { path: 'leases.yaml', line: 3 },
      },
      { namespace: 'kube-node-lease', name: 'k8s03', holderIdentity: 'k8s03', renewTime: t('2026-05-17T14:51:38.700139Z'), leaseDurationSeconds: 40, source: { path: 'leases.yaml', line: 17 } },
    ]);
    expect(value.leases![0]!.renewTime! % 1_000_000).toBe(118263);
  });

  it('multi-document workloads, PDB, unknown kinds summarised', () => {
    const { value, warnings, unparsed } = parseKubernetesObjects(data('workloads.yaml'), { path: 'w.yaml' });
    expect(unparsed).toEqual([]);
    const [deploy, ds, rs] = value.workloads!;
    expect(deploy).toMatchObject({ kind: 'Deployment', name: 'calico-kube-controllers', generation: 3, observedGeneration: 3, replicas: 1, source: { line: 1 } });
    expect(deploy!.readyReplicas).toBeUndefined();
    expect(deploy!.containers[0]).toEqual({
      name: 'calico-kube-controllers', image: 'calico/kube-controllers:v3.13.2', env: { ENABLED_CONTROLLERS: 'node', DATASTORE_TYPE: 'kubernetes' }, args: [], command: [],
    });
    expect(ds).toMatchObject({ kind: 'DaemonSet', replicas: 3, readyReplicas: 2, availableReplicas: 2, observedGeneration: 2 });
    expect(ds!.containers.map((c) => c.name)).toEqual(['upgrade-ipam', 'calico-node']);
    expect(ds!.containers[0]!.command).toEqual(['/opt/cni/bin/calico-ipam', '-upgrade']);
    expect(rs).toMatchObject({ kind: 'ReplicaSet', ownerKind: 'Deployment', ownerName: 'worker', replicas: 8, readyReplicas: 6, generation: 5 });
    expect(rs!.observedGeneration).toBeUndefined();
    expect(rs!.containers[0]!.args).toEqual(['--queue=default', '--concurrency=4']);
    expect(value.pdbs).toEqual([{ namespace: 'kube-system', name: 'coredns', minAvailable: '1', currentHealthy: 1, desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: 1, source: { path: 'w.yaml', line: 109 } }]);
    expect(warnings).toEqual(['w.yaml: ignored 1 object(s) of kinds not analysed: Service (1)']);
  });
});

describe('parseKubernetesObjects: malformed input', () => {
  it('missing fields and wrong types → unparsed or defaults, never a throw', () => {
    const text = JSON.stringify({
      apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' },
      items: [
        { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'x' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'x', labels: 'oops' }, status: { containerStatuses: [{ name: 'c', restartCount: 'many', state: 7 }], conditions: 'no' } },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready' }] } },
        'not an object',
        { metadata: { name: 'kindless' } },
      ],
    }, null, 2);
    const { value, unparsed } = parseKubernetesObjects(text, { path: 'm.json' });
    expect(value.pods!.map((p) => p.name)).toEqual(['p']);
    expect(value.pods![0]!.containers[0]).toEqual({ name: 'c', restartCount: 0, state: 'unknown' });
    expect(value.nodes![0]!.ready).toEqual({ type: 'Ready', status: 'Unknown' });
    expect(unparsed.map((u) => u.reason)).toEqual(['Pod without metadata.name', 'list item is not an object', 'object without kind']);
  });

  it('truncated JSON keeps the complete items and reports the cut one', () => {
    const full = data('nodes.json');
    const cut = full.slice(0, full.indexOf('"nodeInfo": {', full.indexOf('"name": "k8s01"')));
    const { value, unparsed, warnings } = parseKubernetesObjects(cut, { path: 'cut.json' });
    expect(value.nodes!.map((n) => n.name)).toEqual(['k8s03']);
    expect(unparsed).toContainEqual({ path: 'cut.json', line: 73, reason: 'object truncated (the input ends inside it)' });
    expect(unparsed.some((u) => u.reason.startsWith('JSON syntax: unexpected end of input'))).toBe(true);
    expect(warnings.some((w) => w.includes('truncated'))).toBe(true);
  });

  it('input that is not JSON/YAML objects at all is a ParseError', () => {
    expect(() => parseKubernetesObjects('{"items": [{"kind": "Pod", "metadata": {"na', { path: 'x.json' })).toThrow(ParseError);
    expect(() => parseKubernetesObjects('{ this is not json', { path: 'x.json' })).toThrow(ParseError);
    expect(() => parseKubernetesObjects('', { path: 'x' })).toThrow(ParseError);
    expect(() => parseKubernetesObjects('The connection to the server 127.0.0.1:16443 was refused - did you specify the right host or port?\n', { path: 'x' })).toThrow(ParseError);
    expect(() => parseKubernetesObjects('Error from server (NotFound): the server could not find the requested resource\n', { path: 'x' })).toThrow(ParseError);
    expect(() => parseKubernetesObjects('a: [b\nc: }\n', { path: 'x' })).toThrow(ParseError);
  });

  it('arbitrary strings never throw anything but ParseError', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.string().map((s) => `{"kind":"List","items":[${s}`)), (s) => {
      try {
        parseKubernetesObjects(s, { path: 'fuzz' });
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
      }
    }), { numRuns: 500 });
  });
});
