import type {
  ContainerStatusFact, DqliteSnapshotFileFact, DqliteSnapshotStatsFact, EventFact, KubeletPodListFact, LeaseFact,
  PdbFact, PodCondition, PodFact, WorkloadFact,
} from '../../src/model/facts.js';
import type { JournalMarker, LogRecord } from '../../src/model/records.js';
import { isoToMicros } from '../../src/model/time.js';
import { rec } from './rule-tester.js';

/**
 * Builders for the kine/dqlite, controller and scheduling rule tests: realistic MicroK8s
 * journal records (k8s-dqlite logrus lines, kubelite klog lines, systemd lifecycle lines)
 * and typed kubectl / dqlite facts. Times are ISO strings in UTC (the PIRs' AEST − 10 h).
 */

export const KUBELITE = 'snap.microk8s.daemon-kubelite';
export const DQLITE = 'snap.microk8s.daemon-k8s-dqlite';

export const t = (iso: string): number => isoToMicros(iso)!;

/** k8s-dqlite logrus line: `time="…" level=error msg="…"` (formats §7.4). */
export function dqlite(iso: string, node: string, msg: string, path: string, line: number, opts: { pid?: number; level?: string; fields?: string } = {}): LogRecord {
  const { pid = 2828, level = 'error', fields } = opts;
  const text = `time="${iso}" level=${level} msg="${msg}"${fields ? ` ${fields}` : ''}`;
  return rec(iso, node, DQLITE, text, path, line, { identifier: 'microk8s.daemon-k8s-dqlite', pid });
}

/** `2026-05-18T04:22:41Z` → klog header `I0518 04:22:41.000000   53319`. */
export function klogHeader(iso: string, severity: string, pid: number): string {
  const m = /^\d{4}-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)/.exec(iso)!;
  return `${severity}${m[1]}${m[2]} ${m[3]}.000000 ${String(pid).padStart(7)}`;
}

export function kubelite(iso: string, node: string, severity: string, body: string, path: string, line: number, pid = 53319): LogRecord {
  return rec(iso, node, KUBELITE, `${klogHeader(iso, severity, pid)} ${body}`, path, line, { identifier: 'microk8s.daemon-kubelite', pid });
}

export function systemd(iso: string, node: string, text: string, path: string, line: number): LogRecord {
  return rec(iso, node, 'systemd', text, path, line);
}

export const started = (unit: 'kubelite' | 'k8s-dqlite') => `Started Service for snap application microk8s.daemon-${unit}.`;
export const stopping = (unit: 'kubelite' | 'k8s-dqlite') => `Stopping Service for snap application microk8s.daemon-${unit}...`;

/** Kernel start line of a boot (a `Linux version` record from the kernel). */
export function kernelBoot(iso: string, node: string, path: string, line: number, bootId?: string): LogRecord {
  return rec(iso, node, 'kernel', 'Linux version 5.4.0-231-generic (buildd@lcy02-amd64-041) (gcc version 9.4.0 (Ubuntu 9.4.0-1ubuntu1~20.04.2)) #251-Ubuntu SMP Wed May 21 11:52:44 UTC 2026 (Ubuntu 5.4.0-231.251-generic 5.4.298)',
    path, line, { identifier: 'kernel', unit: 'kernel', pid: undefined, bootId });
}

export function bootMarker(iso: string, node: string, bootId: string, path: string, line: number): JournalMarker {
  return { kind: 'boot', bootId, ts: t(iso), node, source: { path, line }, text: `-- Boot ${bootId} --` };
}

export function container(name: string, state: ContainerStatusFact['state'], extra: Partial<ContainerStatusFact> = {}): ContainerStatusFact {
  return { name, state, restartCount: 0, ...extra };
}

export interface PodSpec {
  namespace: string;
  name: string;
  node?: string;
  phase?: string;
  created: string;
  bound?: string;
  deleted?: string;
  containers?: ContainerStatusFact[];
  conditions?: PodCondition[];
  ownerKind?: string;
  ownerName?: string;
  labels?: Record<string, string>;
  path?: string;
  line: number;
}

export function pod(spec: PodSpec): PodFact {
  const conditions = [...(spec.conditions ?? [])];
  if (spec.bound) conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: t(spec.bound) });
  return {
    namespace: spec.namespace,
    name: spec.name,
    uid: `uid-${spec.name}`,
    nodeName: spec.node,
    phase: spec.phase ?? 'Pending',
    creationTimestamp: t(spec.created),
    deletionTimestamp: spec.deleted ? t(spec.deleted) : undefined,
    ownerKind: spec.ownerKind,
    ownerName: spec.ownerName,
    labels: spec.labels ?? {},
    annotations: {},
    conditions,
    containers: spec.containers ?? [],
    initContainers: [],
    specImages: [],
    specArgs: {},
    source: { path: spec.path ?? 'pods.json', line: spec.line },
  };
}

export function kubeletPodList(node: string, pods: Array<[string, string]>, path: string): KubeletPodListFact {
  return { node, pods: pods.map(([namespace, name]) => ({ namespace, name })), source: { path, line: 1 } };
}

export function lease(namespace: string, name: string, holder: string, renew: string, line: number, extra: Partial<LeaseFact> = {}): LeaseFact {
  return {
    namespace, name, holderIdentity: holder, renewTime: t(renew), leaseDurationSeconds: 15,
    source: { path: 'leases.json', line }, ...extra,
  };
}

export function event(spec: {
  namespace: string; pod: string; reason: string; message: string; type?: string; last: string; count?: number;
  component?: string; host?: string; line: number;
}): EventFact {
  return {
    namespace: spec.namespace,
    name: `${spec.pod}.${spec.line.toString(16)}`,
    type: spec.type ?? 'Warning',
    reason: spec.reason,
    message: spec.message,
    involved: { kind: 'Pod', namespace: spec.namespace, name: spec.pod },
    count: spec.count ?? 1,
    firstTimestamp: t(spec.last),
    lastTimestamp: t(spec.last),
    sourceComponent: spec.component,
    sourceHost: spec.host,
    source: { path: 'events.json', line: spec.line },
  };
}

export function workload(spec: {
  kind: WorkloadFact['kind']; namespace: string; name: string; generation?: number; observedGeneration?: number;
  replicas?: number; readyReplicas?: number; ownerKind?: string; ownerName?: string; created?: string; line: number;
}): WorkloadFact {
  return {
    kind: spec.kind, namespace: spec.namespace, name: spec.name, generation: spec.generation,
    observedGeneration: spec.observedGeneration, replicas: spec.replicas, readyReplicas: spec.readyReplicas,
    ownerKind: spec.ownerKind, ownerName: spec.ownerName, creationTimestamp: spec.created ? t(spec.created) : undefined,
    containers: [], source: { path: 'workloads.json', line: spec.line },
  };
}

export function pdb(namespace: string, name: string, line: number, extra: Partial<PdbFact> = {}): PdbFact {
  return { namespace, name, source: { path: 'pdbs.json', line }, ...extra };
}

const MB = 1024 * 1024;

/** A dqlite snapshot data file (or its `.meta`) from `ls -la --time-style=full-iso`. */
export function snapshotFile(node: string, term: number, index: number, sizeMB: number, mtime: string | undefined, line: number, isMeta = false): DqliteSnapshotFileFact {
  const name = `snapshot-${term}-${index}-${7_000_000 + index}${isMeta ? '.meta' : ''}`;
  return {
    node, name, term, index, isMeta, sizeBytes: Math.round(sizeMB * MB), mtime: mtime ? t(mtime) : undefined,
    source: { path: `${node}/dqlite-ls.txt`, line },
  };
}

export function snapshotStats(node: string, snapshot: string, ipamHandles: number, databaseMB: number): DqliteSnapshotStatsFact {
  return {
    node, snapshot, databaseBytes: Math.round(databaseMB * MB), ipamHandles,
    prefixes: [
      { prefix: '/registry/crd.projectcalico.org/ipamhandles/', live: ipamHandles, deleted: 0 },
      { prefix: '/registry/pods/', live: 121, deleted: 3 },
    ],
    source: { path: `${node}/${snapshot}`, line: 1 },
  };
}

/** A container log line (kubectl logs / cluster-info dump), klog-formatted by the caller. */
export function containerLog(iso: string, node: string | undefined, ref: { namespace: string; pod: string; container: string }, text: string, path: string, line: number): LogRecord {
  return { ts: t(iso), node, message: text, source: { path, line }, container: { ...ref } };
}
