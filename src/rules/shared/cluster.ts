import { evidenceFromFact, evidenceFromMatch } from '../../engine/evidence.js';
import type { EvidenceItem, RestartEvent, RuleContext, SignatureMatch } from '../../engine/types.js';
import type { EventFact, LeaseFact, PodFact } from '../../model/facts.js';
import { MICROS_PER_MINUTE, microsToIso } from '../../model/time.js';
import { K8S_DQLITE_UNIT, KUBELET_UNITS } from '../../model/units.js';
import { PENDING_THRESHOLD, containersOf, podBoundAt, podRef } from './pods.js';

/**
 * Helpers shared by the kine/dqlite, controller, scheduling and cluster-operation rules:
 * "now" for state facts, pod predicates (Pending, Terminating, scheduled by nobody),
 * kubelite (re)starts, k8s-dqlite stop windows, leases and small formatting helpers.
 */

export { K8S_DQLITE_UNIT, KUBELET_UNITS };

/**
 * "Now" for state facts: the capture end, else the newest time the kubectl facts carry (a
 * kubectl-only bundle has no log times). Deletion timestamps are left out: they can lie in
 * the future (now + grace period).
 */
export function nowOf(ctx: RuleContext): number | undefined {
  if (ctx.captureEnd !== undefined) return ctx.captureEnd;
  let latest: number | undefined;
  const see = (t: number | undefined) => {
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  };
  for (const p of ctx.facts.pods) {
    see(p.creationTimestamp);
    for (const c of p.conditions) see(c.lastTransitionTime);
  }
  for (const e of ctx.facts.events) {
    see(e.lastTimestamp);
    see(e.eventTime);
  }
  for (const l of ctx.facts.leases) see(l.renewTime);
  for (const n of ctx.facts.nodes) see(n.ready?.lastHeartbeatTime);
  for (const w of ctx.facts.workloads) see(w.creationTimestamp);
  return latest;
}

export type ExitState = 'exited' | 'running' | 'unknown';

/** Have the pod's containers exited? `unknown` when the pod carries no container statuses. */
export function containersExited(pod: PodFact): ExitState {
  const statuses = containersOf(pod);
  if (statuses.length === 0) return 'unknown';
  return statuses.some((c) => c.state === 'running') ? 'running' : 'exited';
}

/** Pods whose deletionTimestamp is more than `minMicros` before `now` (still in the API: Terminating). */
export function terminatingPods(ctx: RuleContext, now: number, minMicros: number, node?: string): PodFact[] {
  return ctx.facts.pods.filter(
    (p) => p.deletionTimestamp !== undefined && now - p.deletionTimestamp > minMicros && (node === undefined || p.nodeName === node),
  );
}

/** The scheduler wrote a verdict on the pod (PodScheduled=False, e.g. reason Unschedulable). */
function schedulerTouched(pod: PodFact): boolean {
  return pod.conditions.some((c) => c.type === 'PodScheduled');
}

export function failedSchedulingEvents(ctx: RuleContext): EventFact[] {
  return ctx.facts.events.filter((e) => e.reason === 'FailedScheduling');
}

export interface UnscheduledPods {
  /** Pending, no spec.nodeName, older than the threshold, not being deleted. */
  pods: PodFact[];
  /** Of those, pods the scheduler never gave a verdict on (no PodScheduled condition, no FailedScheduling event). */
  silent: PodFact[];
  /** FailedScheduling events in the capture; undefined without the events input. */
  failedScheduling?: EventFact[];
}

/** Pods nobody scheduled, and whether the scheduler said anything about them (003 "Zero FailedScheduling events"). */
export function unscheduledPods(ctx: RuleContext, now: number, minMicros = PENDING_THRESHOLD): UnscheduledPods {
  const pods = ctx.facts.pods.filter(
    (p) => !p.nodeName && p.phase === 'Pending' && p.deletionTimestamp === undefined
      && p.creationTimestamp !== undefined && now - p.creationTimestamp > minMicros,
  );
  const failed = ctx.hasInput('events') ? failedSchedulingEvents(ctx) : undefined;
  const eventFor = (p: PodFact) => (failed ?? []).some((e) => e.involved.namespace === p.namespace && e.involved.name === p.name);
  const silent = pods.filter((p) => !schedulerTouched(p) && !eventFor(p));
  return { pods, silent, failedScheduling: failed };
}

export interface KubeliteStart {
  node: string;
  ts: number;
  evidence: EvidenceItem;
}

/**
 * kubelite/kubelet starts on a node: systemd `Started` lines, PID changes and the kubelet's
 * pod-watch lines (logged once per start), grouped so one restart counts once.
 */
export function kubeliteStarts(ctx: RuleContext, node: string, gap = 2 * MICROS_PER_MINUTE): KubeliteStart[] {
  const raw: KubeliteStart[] = [];
  for (const r of ctx.restarts({ node, units: KUBELET_UNITS })) {
    if (r.kind === 'start' || r.kind === 'pid-change') raw.push({ node, ts: r.ts, evidence: restartEvidence(r) });
  }
  for (const m of watchLines(ctx, node)) {
    if (m.record.ts !== undefined) raw.push({ node, ts: m.record.ts, evidence: evidenceFromMatch(m) });
  }
  raw.sort((a, b) => a.ts - b.ts);
  const out: KubeliteStart[] = [];
  for (const s of raw) {
    const last = out[out.length - 1];
    if (last && s.ts - last.ts < gap) continue;
    out.push(s);
  }
  return out;
}

/** The kubelet's "Watching apiserver" lines (either wording) on a node, in time order. */
export function watchLines(ctx: RuleContext, node: string, since?: number): SignatureMatch[] {
  return [
    ...ctx.matches('watching-apiserver', { node, units: KUBELET_UNITS, since }),
    ...ctx.matches('kubelet-apiserver-pod-source', { node, units: KUBELET_UNITS, since }),
  ].sort((a, b) => (a.record.ts ?? 0) - (b.record.ts ?? 0));
}

export function restartEvidence(r: RestartEvent): EvidenceItem {
  return { source: r.record.source, ts: r.ts, node: r.node, text: r.record.message };
}

/** Stops/exits of k8s-dqlite on a node. */
export function dqliteStops(ctx: RuleContext, node: string): RestartEvent[] {
  return ctx.restarts({ node, units: [K8S_DQLITE_UNIT] }).filter((r) => r.kind === 'stop' || r.kind === 'exit');
}

/** Node of a lease holder identity: the scheduler writes `<hostname>_<uuid>`. */
export function holderNode(holderIdentity: string | undefined): string | undefined {
  if (!holderIdentity) return undefined;
  const node = holderIdentity.split('_')[0];
  return node || undefined;
}

/**
 * When the leases were read: the freshest renewTime among all leases (node leases renew
 * every 10 s), which is closer to the kubectl snapshot than the log capture end.
 */
export function leaseSnapshotTime(leases: readonly LeaseFact[]): number | undefined {
  let latest: number | undefined;
  for (const l of leases) if (l.renewTime !== undefined && (latest === undefined || l.renewTime > latest)) latest = l.renewTime;
  return latest;
}

export function leaseText(l: LeaseFact): string {
  const parts = [`Lease ${l.namespace}/${l.name}`, `holderIdentity=${l.holderIdentity ?? '<none>'}`];
  if (l.renewTime !== undefined) parts.push(`renewTime=${microsToIso(l.renewTime)}`);
  if (l.leaseDurationSeconds !== undefined) parts.push(`leaseDurationSeconds=${l.leaseDurationSeconds}`);
  if (l.leaseTransitions !== undefined) parts.push(`leaseTransitions=${l.leaseTransitions}`);
  return parts.join(' ');
}

/** One line per pod, as `kubectl get pod` would show the state that matters. */
export function podText(pod: PodFact): string {
  const parts = [`pod ${podRef(pod)}`, `phase=${pod.phase ?? '?'}`, `spec.nodeName=${pod.nodeName ?? '<none>'}`];
  if (pod.creationTimestamp !== undefined) parts.push(`created=${microsToIso(pod.creationTimestamp)}`);
  if (pod.deletionTimestamp !== undefined) parts.push(`deletionTimestamp=${microsToIso(pod.deletionTimestamp)}`);
  const states = containersOf(pod).map((c) => {
    const exit = c.terminated?.exitCode !== undefined ? ` exitCode=${c.terminated.exitCode}` : '';
    return `${c.name}:${c.state}${c.stateReason ? `(${c.stateReason})` : ''}${exit}`;
  });
  if (states.length) parts.push(`containers=[${states.join(', ')}]`);
  return parts.join(' ');
}

export function podEvidence(pod: PodFact): EvidenceItem {
  return { ...evidenceFromFact(pod.source, podText(pod), pod.nodeName, podBoundAt(pod)), pod: podRef(pod) };
}

export function timesOf(matches: readonly SignatureMatch[]): number[] {
  return matches.map((m) => m.record.ts).filter((t): t is number => t !== undefined);
}

/** [min, max] of the given times; undefined when there are none. */
export function spanOf(times: readonly (number | undefined)[]): { start: number; end: number } | undefined {
  const defined = times.filter((t): t is number => t !== undefined);
  if (defined.length === 0) return undefined;
  return { start: Math.min(...defined), end: Math.max(...defined) };
}

/** `kubectl delete pod … --force` for each pod, as one command line (003/002 runbooks). */
export function forceDeleteCommands(pods: readonly PodFact[]): string {
  if (pods.length === 0) return 'kubectl delete pod <pod> -n <namespace> --grace-period=0 --force';
  return pods.map((p) => `kubectl delete pod ${p.name} -n ${p.namespace} --grace-period=0 --force`).join('; ');
}

export function uniqueSorted(values: Iterable<string | undefined>): string[] {
  return [...new Set([...values].filter((v): v is string => Boolean(v)))].sort();
}

/** `215.0 MB` from bytes (MiB, as `ls -lh` prints them). */
export function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
