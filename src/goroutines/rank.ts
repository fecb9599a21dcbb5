/**
 * Order buckets by how likely they explain a node incident: known kubelet / containerd hot
 * spots first (PIR: PLEG relist stuck behind CRI calls stuck behind CNI exec; reflectors and
 * kine/etcd clients stuck on the datastore), then by longest wait, then by size; ties are
 * broken on state and frames so output is deterministic.
 */
import type { GoroutineBucket } from './bucket.js';

export interface Hotspot {
  label: string;
  /** Matched against every frame's func. */
  pattern: RegExp;
}

// Order matters: earlier = more interesting.
export const HOTSPOTS: readonly Hotspot[] = [
  // k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist
  { label: 'PLEG relist', pattern: /pkg\/kubelet\/pleg\.\((?:\*GenericPLEG|\*EventedPLEG)\)\.(?:relist|Relist)/ },
  // k8s.io/cri-client/pkg.(*remoteRuntimeService).ListPodSandbox, containerd internal/cri/server.(*criService).RunPodSandbox
  { label: 'CRI call', pattern: /ListPodSandbox|PodSandboxStatus|ContainerStatus|RunPodSandbox|StopPodSandbox|internal\/cri\/server|pkg\/cri\/server|[rR]untimeService/ },
  // github.com/containernetworking/cni/pkg/invoke.(*RawExec).ExecPlugin, libcni.(*CNIConfig).AddNetworkList
  { label: 'CNI exec', pattern: /containernetworking\/cni\/pkg\/invoke|\/libcni\.|\(\*cniNetwork\)|setupPodNetwork|calico\/ipam|libcalico-go\/lib\/ipam/ },
  // k8s.io/client-go/tools/cache.handleAnyWatch, (*Reflector).watchHandler, (*Reflector).ListAndWatch
  { label: 'reflector watch', pattern: /\/cache\.(?:handleAnyWatch|watchHandler|\(\*Reflector\)\.(?:watchHandler|ListAndWatch|watch)\b)/ },
  // go.etcd.io/etcd/client/v3.(*kv).Get, google.golang.org/grpc.(*ClientConn).Invoke
  { label: 'etcd/kine client', pattern: /go\.etcd\.io\/etcd\/client|coreos\/etcd\/clientv3|grpc\.\(\*ClientConn\)\.Invoke|k8s-dqlite|k3s-io\/kine/ },
];

/** Index into HOTSPOTS of the first hot spot a bucket touches; HOTSPOTS.length if none. */
export function hotspotRank(bucket: Pick<GoroutineBucket, 'frames' | 'createdBy'>): number {
  for (let i = 0; i < HOTSPOTS.length; i++) {
    const p = (HOTSPOTS[i] as Hotspot).pattern;
    if (bucket.frames.some((f) => p.test(f.func))) return i;
  }
  return HOTSPOTS.length;
}

export function hotspotLabel(bucket: Pick<GoroutineBucket, 'frames' | 'createdBy'>): string | undefined {
  return HOTSPOTS[hotspotRank(bucket)]?.label;
}

function tieKey(b: GoroutineBucket): string {
  const f = b.frames[0];
  return `${b.state}\u0000${f?.func ?? ''}\u0000${f?.file ?? ''}\u0000${String(f?.line ?? 0).padStart(9, '0')}\u0000${b.createdBy ?? ''}\u0000${b.ids[0] ?? 0}`;
}

/** Sorted copy: hot spot first, then max wait desc, count desc, then a stable textual key. */
export function rankBuckets<T extends GoroutineBucket>(buckets: readonly T[]): T[] {
  const decorated = buckets.map((b) => ({ b, rank: hotspotRank(b), tie: tieKey(b) }));
  decorated.sort((x, y) =>
    x.rank - y.rank
    || y.b.waitMinutes.max - x.b.waitMinutes.max
    || y.b.count - x.b.count
    || (x.tie < y.tie ? -1 : x.tie > y.tie ? 1 : 0));
  return decorated.map((d) => d.b);
}
