#!/usr/bin/env node
// Writes test/data/kube/{ipamblocks-pir000.json,pods-pir000.json,k8s03-kubelet-pods.json}:
// the Calico IPAM state of PIR 000 (k8s03 blocks 64/64, 64/64, 64/64, 62/64, 9/64 with 237
// stale allocations) in the shape `kubectl get ipamblocks -o json` prints for Calico v3.13
// CRDs (null affinity/handle_id/secondary kept, no sequenceNumber, no timestamp attribute),
// the matching `kubectl get pods -A -o json`, and k8s03's kubelet pod list (`--raw
// /api/v1/nodes/k8s03/proxy/pods`, compact, struct field order).
// Deterministic: names and ids derive from counters and sha256, no randomness.
// Usage: node scripts/make-ipam-test-data.mjs
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'data', 'kube');
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'; // k8s rand.SafeEncodeString alphabet

const sha = (s) => createHash('sha256').update(s).digest('hex');
const suffix = (seed, n) => {
  const h = sha(seed);
  let s = '';
  for (let i = 0; i < n; i++) s += SUFFIX_ALPHABET[parseInt(h.slice(i * 2, i * 2 + 2), 16) % SUFFIX_ALPHABET.length];
  return s;
};
const uid = (seed) => {
  const h = sha(`uid:${seed}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const sandboxId = (ns, pod) => sha(`sandbox:${ns}/${pod}`);

/** Go encodes unstructured maps with sorted keys; kubectl -o json indents with 4 spaces. */
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}
const kubectlJson = (items) => JSON.stringify(sortKeys({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }), null, 4) + '\n';

function ipOf(cidr, ordinal) {
  const [base] = cidr.split('/');
  const p = base.split('.').map(Number);
  const n = ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3] + ordinal;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

// ---- live pods (the API server's view) -------------------------------------------------
const workloads = [
  // [namespace, deployment/owner base, count on k8s03, image]
  ['arc-systems', 'arc-runner-set-listener', 1, 'ghcr.io/actions/gha-runner-scale-set-controller:0.9.3'],
  ['arc-systems', 'k8s03-runner', 6, 'ghcr.io/actions/actions-runner:2.317.0'],
  ['monitoring', 'prometheus-kube-state-metrics', 1, 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.12.0'],
  ['monitoring', 'grafana', 1, 'docker.io/grafana/grafana:11.1.0'],
  ['kube-system', 'coredns', 2, 'coredns/coredns:1.11.1'],
  ['kube-system', 'metrics-server', 1, 'registry.k8s.io/metrics-server/metrics-server:v0.7.1'],
  ['ingress', 'nginx-ingress-microk8s-controller', 1, 'registry.k8s.io/ingress-nginx/controller:v1.10.1'],
  ['default', 'api-gateway', 4, 'registry.internal:32000/api-gateway:2026.05.14'],
  ['default', 'worker', 8, 'registry.internal:32000/worker:2026.05.14'],
];
const pods = [];
const podOn = (ns, base, i, node, image, cidr, ordinal) => {
  const name = `${base}-${suffix(`${base}-rs`, 10)}-${suffix(`${base}-${node}-${i}`, 5)}`;
  const ip = cidr ? ipOf(cidr, ordinal) : undefined;
  pods.push({ ns, name, node, image, ip, base });
  return pods[pods.length - 1];
};

// ---- blocks ------------------------------------------------------------------------------
// k8s03 (PIR 000): [cidr, used, live pod ordinals, free ordinals]
const k8s03 = [
  { cidr: '10.1.237.64/26', created: '2020-06-02T08:14:51Z', used: 64, tunnel: 0, live: [], free: [] },
  { cidr: '10.1.108.128/26', created: '2023-11-20T03:41:09Z', used: 64, live: [6, 22, 40, 57], free: [] },
  { cidr: '10.1.108.192/26', created: '2024-08-07T19:02:33Z', used: 64, live: [3, 19, 35, 61], free: [] },
  { cidr: '10.1.108.64/26', created: '2025-09-15T11:27:45Z', used: 62, live: [1, 4, 8, 11, 15, 20, 24, 28, 31, 36, 39, 44, 47, 50, 53, 58, 62], free: [41, 17] },
  { cidr: '10.1.108.0/26', created: '2026-04-29T22:10:04Z', used: 9, live: [], free: [] },
];
const others = [
  { node: 'k8s01', cidr: '10.1.52.0/26', created: '2020-06-02T08:10:12Z', used: 6, tunnel: 0, live: [1, 2, 3, 4, 5], free: [] },
  { node: 'k8s02', cidr: '10.1.176.128/26', created: '2020-06-02T08:12:40Z', used: 4, tunnel: 0, live: [1, 2, 3], free: [] },
];

const liveQueue = [];
for (const [ns, base, count, image] of workloads) for (let i = 0; i < count; i++) liveQueue.push([ns, base, i, image]);
// 25 live pod allocations on k8s03 = 4 + 4 + 17
const k8s03LiveSlots = k8s03.flatMap((b) => b.live.map((o) => [b.cidr, o]));
if (liveQueue.length !== k8s03LiveSlots.length) throw new Error(`live pods ${liveQueue.length} != live slots ${k8s03LiveSlots.length}`);
const liveAt = new Map();
k8s03LiveSlots.forEach(([cidr, ordinal], i) => {
  const [ns, base, n, image] = liveQueue[i];
  liveAt.set(`${cidr}#${ordinal}`, podOn(ns, base, n, 'k8s03', image, cidr, ordinal));
});
const otherWorkloads = [['default', 'api-gateway', 'registry.internal:32000/api-gateway:2026.05.14'], ['default', 'worker', 'registry.internal:32000/worker:2026.05.14'], ['monitoring', 'alertmanager', 'quay.io/prometheus/alertmanager:v0.27.0']];
for (const b of others) {
  b.live.forEach((ordinal, i) => {
    const [ns, base, image] = otherWorkloads[i % otherWorkloads.length];
    liveAt.set(`${b.cidr}#${ordinal}`, podOn(ns, base, i + 100, b.node, image, b.cidr, ordinal));
  });
}
// host-network pods (no IPAM allocation)
for (const node of ['k8s01', 'k8s02', 'k8s03']) pods.push({ ns: 'kube-system', name: `calico-node-${suffix(`calico-node-${node}`, 5)}`, node, image: 'calico/node:v3.13.2', base: 'calico-node', hostNetwork: true });

// Stale owners: pods of deleted runner sets, finished CronJob pods, old deployment revisions.
const staleOwners = [
  ['arc-systems', 'k8s03-runner'],
  ['backup', 'db-backup-29112480'],
  ['default', 'worker'],
  ['ci', 'buildkit'],
  ['default', 'api-gateway'],
];
let staleN = 0;
const stalePod = () => {
  const [ns, base] = staleOwners[staleN % staleOwners.length];
  staleN++;
  return { ns, name: `${base}-${suffix(`${base}-old-${staleN}`, 10)}-${suffix(`stale-${staleN}`, 5)}` };
};

// The live pod whose allocation was written without owner attributes (host-local → calico-ipam
// migration style): matched through its cni.projectcalico.org/containerID annotation.
const liveWithoutSecondary = '10.1.108.64/26#62';
const staleWithoutSecondary = '10.1.108.0/26#8';

function block(node, b) {
  const allocations = Array(64).fill(null);
  const attributes = [];
  const ordinals = [];
  for (let o = 0; o < 64 && ordinals.length < b.used; o++) if (!b.free.includes(o)) ordinals.push(o);
  for (const o of ordinals) {
    const key = `${b.cidr}#${o}`;
    const live = liveAt.get(key);
    let attr;
    if (b.tunnel === o) attr = { handle_id: `vxlan-tunnel-addr-${node}`, secondary: { node, type: 'vxlanTunnelAddress' } };
    else if (live) {
      attr = { handle_id: `k8s-pod-network.${sandboxId(live.ns, live.name)}`, secondary: { namespace: live.ns, node, pod: live.name } };
      if (key === liveWithoutSecondary) attr.secondary = null;
    } else {
      const p = stalePod();
      attr = { handle_id: `k8s-pod-network.${sandboxId(p.ns, p.name)}`, secondary: { namespace: p.ns, node, pod: p.name } };
      if (key === staleWithoutSecondary) attr.secondary = null;
    }
    allocations[o] = attributes.length;
    attributes.push(attr);
  }
  const unallocated = [];
  for (let o = 0; o < 64; o++) if (allocations[o] === null && !b.free.includes(o)) unallocated.push(o);
  unallocated.push(...b.free); // released ordinals are appended, not sorted
  const name = b.cidr.replace('.', '-').replace('.', '-').replace('.', '-').replace('/', '-');
  return {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'IPAMBlock',
    metadata: {
      annotations: { 'projectcalico.org/metadata': '{"creationTimestamp":null}' },
      creationTimestamp: b.created,
      generation: 1 + b.used * 2 + b.free.length * 2,
      name,
      resourceVersion: String(1000 + parseInt(sha(name).slice(0, 6), 16) % 900000),
      uid: uid(name),
    },
    spec: { affinity: `host:${node}`, allocations, attributes, cidr: b.cidr, deleted: false, strictAffinity: false, unallocated },
  };
}

const blocks = [...k8s03.map((b) => block('k8s03', b)), ...others.map((b) => block(b.node, b))];
// A v3.13 block whose node was removed: affinity null, all addresses free.
blocks.push({
  apiVersion: 'crd.projectcalico.org/v1',
  kind: 'IPAMBlock',
  metadata: { annotations: { 'projectcalico.org/metadata': '{"creationTimestamp":null}' }, creationTimestamp: '2021-03-11T06:45:00Z', generation: 12, name: '10-1-33-0-26', resourceVersion: '48213', uid: uid('10-1-33-0-26') },
  spec: { affinity: null, allocations: Array(64).fill(null), attributes: [], cidr: '10.1.33.0/26', deleted: false, strictAffinity: false, unallocated: Array.from({ length: 64 }, (_, i) => i) },
});

// ---- pod objects -------------------------------------------------------------------------
function podObject(p, i) {
  const rs = p.hostNetwork ? undefined : `${p.base}-${suffix(`${p.base}-rs`, 10)}`;
  const annotations = p.hostNetwork ? undefined : {
    'cni.projectcalico.org/containerID': sandboxId(p.ns, p.name),
    'cni.projectcalico.org/podIP': `${p.ip}/32`,
    'cni.projectcalico.org/podIPs': `${p.ip}/32`,
  };
  const container = p.base.replace(/-\d+$/, '');
  const started = `2026-05-17T2${i % 4}:${String(10 + (i % 50)).padStart(2, '0')}:0${i % 10}Z`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(annotations ? { annotations } : {}),
      creationTimestamp: started,
      generateName: p.hostNetwork ? 'calico-node-' : `${rs}-`,
      labels: p.hostNetwork ? { 'k8s-app': 'calico-node' } : { app: p.base, 'pod-template-hash': suffix(`${p.base}-rs`, 10) },
      name: p.name,
      namespace: p.ns,
      ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: p.hostNetwork ? 'DaemonSet' : 'ReplicaSet', name: p.hostNetwork ? 'calico-node' : rs, uid: uid(`owner-${p.base}`) }],
      resourceVersion: String(8000000 + i * 37),
      uid: uid(`${p.ns}/${p.name}`),
    },
    spec: {
      containers: [{ image: p.image, imagePullPolicy: 'IfNotPresent', name: container }],
      ...(p.hostNetwork ? { hostNetwork: true } : {}),
      nodeName: p.node,
      restartPolicy: 'Always',
    },
    status: {
      conditions: [
        { lastProbeTime: null, lastTransitionTime: started, status: 'True', type: 'Initialized' },
        { lastProbeTime: null, lastTransitionTime: started, status: 'True', type: 'Ready' },
        { lastProbeTime: null, lastTransitionTime: started, status: 'True', type: 'ContainersReady' },
        { lastProbeTime: null, lastTransitionTime: started, status: 'True', type: 'PodScheduled' },
      ],
      containerStatuses: [{
        containerID: `containerd://${sha(`ctr:${p.ns}/${p.name}`)}`,
        image: p.image,
        imageID: `${p.image.split(':')[0]}@sha256:${sha(p.image)}`,
        lastState: {},
        name: container,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: started } },
      }],
      hostIP: { k8s01: '192.168.10.11', k8s02: '192.168.10.12', k8s03: '192.168.10.13' }[p.node],
      phase: 'Running',
      podIP: p.hostNetwork ? { k8s01: '192.168.10.11', k8s02: '192.168.10.12', k8s03: '192.168.10.13' }[p.node] : p.ip,
      qosClass: 'BestEffort',
      startTime: started,
    },
  };
}
const podObjects = pods.map(podObject);

// kubelet's own list: struct field order, compact; it still runs one pod the API server deleted.
const kubeletItems = pods.filter((p) => p.node === 'k8s03').map((p) => ({
  metadata: { name: p.name, namespace: p.ns, uid: uid(`${p.ns}/${p.name}`) },
  spec: { containers: [{ name: p.base, image: p.image }], nodeName: 'k8s03' },
  status: { phase: 'Running', podIP: p.ip },
}));
kubeletItems.push({ metadata: { name: 'arc-runner-set-listener-7c9d8f6b5-zx2kq', namespace: 'arc-systems', uid: uid('ghost') }, spec: { containers: [{ name: 'listener', image: 'ghcr.io/actions/gha-runner-scale-set-controller:0.9.3' }], nodeName: 'k8s03' }, status: { phase: 'Running' } });

writeFileSync(join(out, 'ipamblocks-pir000.json'), kubectlJson(blocks));
writeFileSync(join(out, 'pods-pir000.json'), kubectlJson(podObjects));
writeFileSync(join(out, 'k8s03-kubelet-pods.json'), JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: kubeletItems }) + '\n');
console.log(`blocks ${blocks.length}, pods ${podObjects.length}, stale pods generated ${staleN}, kubelet pods ${kubeletItems.length}`);
