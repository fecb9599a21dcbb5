import { evidenceFromFact } from '../../engine/evidence.js';
import { SIGNATURE_IDS } from '../../engine/signatures.js';
import type { EvidenceItem, RuleContext, SignatureMatch } from '../../engine/types.js';
import type {
  KubeletArgsFact, PodFact, ProcessFact, SchedstatFact,
} from '../../model/facts.js';
import { newestStateTime } from '../../model/facts.js';
import type { Goroutine, GoroutineDump } from '../../model/goroutines.js';
import { atLine } from '../../model/records.js';
import { MICROS_PER_MINUTE, MICROS_PER_SECOND } from '../../model/time.js';
import { CONTAINERD_UNIT, KUBELET_UNITS } from '../../model/units.js';
import { podBoundAt, podRef } from './pods.js';

/**
 * Helpers shared by the node-level kubelet rules: kubelet start times and the startup
 * window, kubelet args feature gates, goroutine-dump queries ("N goroutines blocked in X"),
 * process/schedstat/shim/task readings and the pods a node should be running.
 */

export { KUBELET_UNITS };

/**
 * `pleg has yet to be successful` clears within ~60 s of a start (001 "EventedPLEG Behavior");
 * the catalog allows 90 s before a PLEG complaint counts.
 */
export const PLEG_STARTUP_WINDOW = 90 * MICROS_PER_SECOND;

/** Signatures whose lines a kubelet prints once per start. */
const STARTUP_SIGNATURES = ['kubelet-version-startup', 'kubelet-main-sync-loop', 'registered-node'] as const;

export interface KubeletStart {
  node: string;
  ts: number;
  how: 'systemd start' | 'pid change' | 'startup line';
  pid?: number;
  evidence: EvidenceItem;
}

/** Nodes whose kubelet (kubelite or plain kubelet) logged anything. */
export function kubeletNodes(ctx: RuleContext): string[] {
  return ctx.nodes.filter((n) => ctx.lastActivity(n, KUBELET_UNITS) !== undefined);
}

/** Every kubelet start seen on the node: systemd `Started` lines, PID changes and startup lines, in time order. */
export function kubeletStarts(ctx: RuleContext, node: string): KubeletStart[] {
  const starts: KubeletStart[] = [];
  for (const r of ctx.restarts({ node, units: KUBELET_UNITS })) {
    if (r.kind !== 'start' && r.kind !== 'pid-change') continue;
    starts.push({
      node, ts: r.ts, how: r.kind === 'start' ? 'systemd start' : 'pid change', pid: r.pid,
      evidence: { source: r.record.source, ts: r.ts, node, text: r.record.message },
    });
  }
  for (const sig of STARTUP_SIGNATURES) {
    for (const m of ctx.matches(sig, { node })) {
      if (m.record.ts === undefined) continue;
      starts.push({ node, ts: m.record.ts, how: 'startup line', pid: m.record.pid, evidence: matchEvidence(m) });
    }
  }
  return starts.sort((a, b) => a.ts - b.ts);
}

/** Kubelet starts grouped into restarts: starts less than `gap` apart are one restart (Started + PID change + startup lines). */
export function kubeletRestarts(ctx: RuleContext, node: string, gap = 2 * MICROS_PER_MINUTE): KubeletStart[] {
  const out: KubeletStart[] = [];
  for (const s of kubeletStarts(ctx, node)) {
    const last = out[out.length - 1];
    if (last && s.ts - last.ts < gap) continue;
    out.push(s);
  }
  return out;
}

/** The latest kubelet start at or before `ts`. */
export function lastStartBefore(starts: readonly KubeletStart[], ts: number): KubeletStart | undefined {
  let found: KubeletStart | undefined;
  for (const s of starts) {
    if (s.ts > ts) break;
    found = s;
  }
  return found;
}

export interface StartupPlacement {
  inWindow: boolean;
  /** The start the time is measured from; undefined when none was seen before it. */
  start?: KubeletStart;
  /** µs since that start (or since the fallback anchor). */
  sinceStart?: number;
}

/**
 * Is `ts` within PLEG_STARTUP_WINDOW of the kubelet start before it? With no start seen,
 * `fallbackAnchor` (the earliest time the kubelet is known to have been up in this run,
 * e.g. the first `yet to be successful` line) gives a lower bound of the time since start.
 */
export function placeInStartup(starts: readonly KubeletStart[], ts: number, fallbackAnchor?: number): StartupPlacement {
  const start = lastStartBefore(starts, ts);
  const anchor = start?.ts ?? fallbackAnchor;
  if (anchor === undefined) return { inWindow: false };
  const sinceStart = ts - anchor;
  return { inWindow: sinceStart <= PLEG_STARTUP_WINDOW, start, sinceStart };
}

/** PLEG complaints split by the startup window, per node. */
export interface PlegComplaints {
  /** `pleg was last seen active …` outside the startup window. */
  lastSeenActive: SignatureMatch[];
  /** `pleg has yet to be successful` inside the window: normal startup noise. */
  yetToBeInWindow: SignatureMatch[];
  /** `pleg has yet to be successful` past the window: the first relist never finished. */
  yetToBePastWindow: SignatureMatch[];
}

/** A line the kubelet could have written: from a kubelet unit, or from a log with no unit (a plain klog file). */
function fromKubelet(m: SignatureMatch): boolean {
  return m.record.unit === undefined || KUBELET_UNITS.has(m.record.unit);
}

export function plegComplaints(ctx: RuleContext, node: string): PlegComplaints {
  const starts = kubeletStarts(ctx, node);
  const lastSeenActive = ctx.matches('pleg-last-seen-active', { node }).filter(fromKubelet).filter((m) => {
    if (m.record.ts === undefined) return true;
    return !placeInStartup(starts, m.record.ts).inWindow;
  });
  const yetToBeInWindow: SignatureMatch[] = [];
  const yetToBePastWindow: SignatureMatch[] = [];
  // Runs are separated by starts; without a start the first line of the run anchors the window.
  const firstOfRun = new Map<number, number>();
  for (const m of ctx.matches('pleg-yet-to-be-successful', { node }).filter(fromKubelet)) {
    const ts = m.record.ts;
    if (ts === undefined) {
      yetToBeInWindow.push(m);
      continue;
    }
    const runKey = lastStartBefore(starts, ts)?.ts ?? -1;
    if (!firstOfRun.has(runKey)) firstOfRun.set(runKey, ts);
    const placement = placeInStartup(starts, ts, firstOfRun.get(runKey));
    (placement.inWindow ? yetToBeInWindow : yetToBePastWindow).push(m);
  }
  return { lastSeenActive, yetToBeInWindow, yetToBePastWindow };
}

export function matchEvidence(m: SignatureMatch): EvidenceItem {
  return { source: m.record.source, ts: m.record.ts, node: m.record.node, text: m.record.message };
}

/** The latest `since` … `until` span of matches' times. */
export function matchWindow(matches: readonly SignatureMatch[]): { start: number; end: number } | undefined {
  const times = matches.map((m) => m.record.ts).filter((t): t is number => t !== undefined);
  return times.length ? { start: Math.min(...times), end: Math.max(...times) } : undefined;
}

// ---------------------------------------------------------------------------------------
// Facts of one node

/** Facts carrying `node`; a fact without a node belongs to the only node of a single-node capture. */
export function ofNode<T extends { node?: string }>(ctx: RuleContext, facts: readonly T[], node: string): T[] {
  const single = ctx.nodes.length <= 1;
  return facts.filter((f) => f.node === node || (f.node === undefined && single));
}

export function dumpsOf(ctx: RuleContext, node: string): GoroutineDump[] {
  const single = ctx.nodes.length <= 1;
  return ctx.dumps.filter((d) => d.node === node || (d.node === undefined && single));
}

export interface FeatureGateReading {
  value: boolean;
  /** False when the gate is not in the args and the value is the kubelet default. */
  explicit: boolean;
  fact: KubeletArgsFact;
}

const KUBELET_COMPONENTS = new Set(['kubelet', 'kubelite']);

/**
 * A kubelet feature gate from the node's args file; `defaultValue` when the args were
 * captured but do not set it; undefined when no kubelet args were captured for the node.
 */
export function featureGate(ctx: RuleContext, node: string, gate: string, defaultValue: boolean): FeatureGateReading | undefined {
  const args = ofNode(ctx, ctx.facts.kubeletArgs, node).filter((a) => KUBELET_COMPONENTS.has(a.component));
  const explicit = args.find((a) => gate in a.featureGates);
  if (explicit) return { value: explicit.featureGates[gate]!, explicit: true, fact: explicit };
  const any = args[0];
  return any ? { value: defaultValue, explicit: false, fact: any } : undefined;
}

/** EventedPLEG is off by default (alpha in current Kubernetes docs). */
export function eventedPleg(ctx: RuleContext, node: string): FeatureGateReading | undefined {
  return featureGate(ctx, node, 'EventedPLEG', false);
}

export function featureGateEvidence(reading: FeatureGateReading, gate: string, node: string): EvidenceItem {
  const flag = reading.fact.flags['feature-gates'] ?? reading.fact.flags['--feature-gates'];
  const text = reading.explicit
    ? flag !== undefined ? `--feature-gates=${flag}` : `--feature-gates=${gate}=${reading.value}`
    : `${reading.fact.component} args: no ${gate} feature gate (default ${reading.value})`;
  const line = reading.explicit ? reading.fact.flagLines['feature-gates'] : undefined;
  return evidenceFromFact(atLine(reading.fact.source, line), text, node);
}

// ps: `/snap/microk8s/8612/kubelite --scheduler-args-file=…` or `/usr/bin/kubelet --config=…`
const KUBELET_PROCESS = /(?:^|\/)(?:kubelite|kubelet)(?:\s|$)/;

export function kubeletProcesses(ctx: RuleContext, node: string): ProcessFact[] {
  return ofNode(ctx, ctx.facts.processes, node).filter((p) => KUBELET_PROCESS.test(p.command));
}

/**
 * Is the kubelet process alive? From the process listing or systemctl; undefined when
 * neither was captured for the node.
 */
export function kubeletAlive(ctx: RuleContext, node: string): boolean | undefined {
  const units = ofNode(ctx, ctx.facts.systemctl, node).filter((u) => KUBELET_UNITS.has(u.unit.replace(/\.service$/, '')));
  if (units.length) return units.some((u) => u.activeState === 'active');
  // Only a full listing can prove absence: `pgrep -c` counts list nothing and `pgrep -a buildkitd`
  // lists one program. A listing with PID 1 or containerd is taken as full.
  const procs = ofNode(ctx, ctx.facts.processes, node);
  if (kubeletProcesses(ctx, node).length) return true;
  const full = procs.some((p) => p.pid === 1 || /(?:^|\/)containerd(?:\s|$)/.test(p.command));
  return full ? false : undefined;
}

/** 000 detector threshold: kubelite CPU < 3 % (sustained 120 s) means the PLEG loop is not running. */
export const CPU_COLLAPSE_PERCENT = 3;

export interface CpuReading {
  collapsed: boolean;
  detail: string;
  evidence: EvidenceItem;
}

/**
 * CPU collapse of the kubelet: `ps` %CPU below 3, or `/proc/<pid>/schedstat` run time
 * identical across samples (001 FM3: no CPU consumed). Note `ps` %CPU is the lifetime
 * average, so a low value after a long healthy run understates nothing but a high one can
 * hide a recent collapse: schedstat wins when both exist.
 */
export function kubeletCpu(ctx: RuleContext, node: string): CpuReading | undefined {
  const sched = schedstatReading(ctx, node);
  if (sched) return { collapsed: sched.frozen, detail: sched.detail, evidence: sched.evidence };
  const procs = kubeletProcesses(ctx, node).filter((p) => p.cpuPercent !== undefined);
  const proc = procs[0];
  if (!proc) return undefined;
  const collapsed = proc.cpuPercent! < CPU_COLLAPSE_PERCENT;
  return {
    collapsed,
    detail: `kubelite PID ${proc.pid} at ${proc.cpuPercent}% CPU`,
    evidence: evidenceFromFact(proc.source, `${proc.pid} ${proc.cpuPercent} ${proc.startTime ?? ''} ${proc.command}`.replace(/\s+/g, ' '), node),
  };
}

export interface SchedstatReading {
  frozen: boolean;
  fact: SchedstatFact;
  detail: string;
  evidence: EvidenceItem;
}

/** `/proc/<pid>/schedstat` sampled at least twice: frozen when the run time did not move. */
export function schedstatReading(ctx: RuleContext, node: string): SchedstatReading | undefined {
  const fact = ofNode(ctx, ctx.facts.schedstats, node).find((s) => s.samples.length >= 2);
  if (!fact) return undefined;
  const first = fact.samples[0]!;
  const last = fact.samples[fact.samples.length - 1]!;
  const frozen = first[0] === last[0];
  const lines = fact.samples.map((s) => s.join(' '));
  return {
    frozen,
    fact,
    detail: frozen
      ? `schedstat identical across ${fact.samples.length} samples (${lines[0]})`
      : `schedstat run time moved ${first[0]} → ${last[0]} ns`,
    evidence: evidenceFromFact(fact.source, lines.join('\n'), node),
  };
}

export interface ShimReading {
  shims: number;
  tasks: number;
  orphans: number;
  /** shims ≫ tasks: at least 5 more shims than running tasks and 20 % over (001: 44 vs 27). */
  excessive: boolean;
  evidence: EvidenceItem[];
}

const SHIM = /containerd-shim/;

/** Count of containerd shims against running tasks; undefined unless both were captured. */
export function shimsVersusTasks(ctx: RuleContext, node: string): ShimReading | undefined {
  const tasks = ofNode(ctx, ctx.facts.tasks, node);
  if (!tasks.length) return undefined;
  const evidence: EvidenceItem[] = [];
  let shims: number | undefined;
  const counted = ofNode(ctx, ctx.facts.processCounts, node).find((c) => SHIM.test(c.pattern));
  if (counted) {
    shims = counted.count;
    evidence.push(evidenceFromFact(counted.source, `pgrep -c ${counted.pattern}: ${counted.count}`, node));
  } else {
    const procs = ofNode(ctx, ctx.facts.processes, node);
    if (!procs.length) return undefined;
    const shimProcs = procs.filter((p) => SHIM.test(p.command) && !/\bpgrep\b|\bgrep\b/.test(p.command));
    shims = shimProcs.length;
    if (shimProcs[0]) evidence.push(evidenceFromFact(shimProcs[0].source, `${shimProcs.length} containerd-shim processes, e.g. ${shimProcs[0].pid} ${shimProcs[0].command}`, node));
  }
  const running = tasks.filter((t) => /running/i.test(t.status)).length;
  evidence.push(evidenceFromFact(tasks[0]!.source, `${running} running task(s) of ${tasks.length} in ctr tasks list`, node));
  const orphans = shims - running;
  return { shims, tasks: running, orphans, excessive: orphans >= 5 && shims >= running * 1.2, evidence };
}

/** Node-affine Calico IPAM blocks at least 95 % used (the threshold of calico-ipam-full-blocks). */
export function fullIpamBlocks(ctx: RuleContext, node: string): Array<{ cidr: string; used: number; size: number; evidence: EvidenceItem }> | undefined {
  if (!ctx.hasInput('ipamblocks')) return undefined;
  return ctx.facts.ipamBlocks
    .filter((b) => b.node === node && !b.deleted)
    .map((b) => {
      const size = b.size || b.allocations.length;
      const used = b.allocations.filter((a) => a !== null).length;
      return { cidr: b.cidr, used, size, evidence: evidenceFromFact(b.source, `IPAMBlock ${b.cidr} affinity ${b.affinity ?? `host:${node}`}: ${used}/${size} used`, node) };
    })
    .filter((b) => b.size > 0 && b.used / b.size >= 0.95);
}

// ---------------------------------------------------------------------------------------
// Goroutine dumps

export type FramePattern = string | RegExp;

const matchesPattern = (text: string, p: FramePattern) => (typeof p === 'string' ? text.includes(p) : p.test(text));

/** The first frame of `g` whose function matches any pattern. */
export function frameMatching(g: Goroutine, patterns: readonly FramePattern[]): string | undefined {
  return g.frames.find((f) => patterns.some((p) => matchesPattern(f.func, p)))?.func;
}

export function hasFrame(g: Goroutine, patterns: readonly FramePattern[]): boolean {
  return frameMatching(g, patterns) !== undefined;
}

/** Goroutines that are parked (not running/runnable): what a blocked call looks like. */
export function isWaiting(g: Goroutine): boolean {
  return !/^(?:running|runnable)\b/.test(g.state);
}

/** Goroutines with an identical stack, counted (panicparse `Aggregate`). */
export interface GoroutineBucket {
  count: number;
  state: string;
  maxWaitMinutes?: number;
  /** The function the query matched, e.g. `k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist`. */
  matched: string;
  example: Goroutine;
  dump: GoroutineDump;
}

/** Buckets of waiting goroutines in `dumps` that satisfy `where`, largest first. */
export function blockedIn(
  dumps: readonly GoroutineDump[],
  patterns: readonly FramePattern[],
  where: (g: Goroutine) => boolean = () => true,
): GoroutineBucket[] {
  const buckets = new Map<string, GoroutineBucket>();
  for (const dump of dumps) {
    for (const g of dump.goroutines) {
      if (!isWaiting(g) || !where(g)) continue;
      const matched = frameMatching(g, patterns);
      if (!matched) continue;
      const key = `${dump.path}\u0000${g.state}\u0000${g.frames.map((f) => f.func).join('\u0001')}`;
      const bucket = buckets.get(key);
      if (bucket) {
        bucket.count++;
        if (g.waitMinutes !== undefined && (bucket.maxWaitMinutes ?? -1) < g.waitMinutes) bucket.maxWaitMinutes = g.waitMinutes;
      } else {
        buckets.set(key, { count: 1, state: g.state, maxWaitMinutes: g.waitMinutes, matched, example: g, dump });
      }
    }
  }
  return [...buckets.values()].sort((a, b) => b.count - a.count || a.matched.localeCompare(b.matched));
}

function shortFunc(func: string): string {
  const slash = func.lastIndexOf('/');
  return slash >= 0 ? func.slice(slash + 1) : func;
}

export function describeBucket(b: GoroutineBucket): string {
  const wait = b.maxWaitMinutes !== undefined ? `, ${b.maxWaitMinutes} minutes` : '';
  return `${b.count} goroutine(s) [${b.state}${wait}] blocked in ${shortFunc(b.matched)}`;
}

/** The goroutine header as printed plus the matched frame: a faithful, short rendering. */
export function bucketEvidence(b: GoroutineBucket, node: string): EvidenceItem {
  const g = b.example;
  const wait = g.waitMinutes !== undefined ? `, ${g.waitMinutes} minutes` : '';
  const frame = g.frames.find((f) => f.func === b.matched);
  const at = frame ? ` (${frame.file}:${frame.line})` : '';
  const created = g.createdBy ? `; created by ${g.createdBy.func}` : '';
  const same = b.count > 1 ? ` [${b.count} goroutines with this stack]` : '';
  return {
    ...evidenceFromFact(g.source, `goroutine ${g.id} [${g.state}${wait}]: … ${b.matched}${at}${created}${same}`, node, b.dump.ts),
    ...(b.count > 1 ? { count: b.count } : {}),
  };
}

/** Generic PLEG relist or a CRI ListPodSandbox call (kubelet client or containerd server side). */
export const RELIST_FRAMES: readonly FramePattern[] = ['(*GenericPLEG).relist', 'ListPodSandbox'];
/** CNI ADD: containerd's sandbox network setup, libcni, the plugin exec, Calico IPAM. */
export const CNI_FRAMES: readonly FramePattern[] = [
  'RunPodSandbox', 'setupPodNetwork', 'libcni', 'invoke.(*RawExec).ExecPlugin', 'AutoAssign', /\bipam\b/i,
];
/** An API (kine) call in flight: client-go REST request, etcd client, HTTP round trip. */
export const API_CALL_FRAMES: readonly FramePattern[] = [
  'rest.(*Request)', 'clientv3', 'kine', 'net/http.(*persistConn)', 'net/http.(*Client)', 'invoke.(*RawExec).ExecPlugin',
];
/** Per-container status calls a relist makes: where orphaned shims hang it (001 FM3). */
export const CONTAINER_STATUS_FRAMES: readonly FramePattern[] = ['ContainerStatus', 'PodSandboxStatus'];

// ---------------------------------------------------------------------------------------
// Pods

/** A container of the pod has started (running, terminated, or has a start time / id). */
/** Waiting reasons that show the kubelet did process the pod (image pull, config, crash loop…). */
const KUBELET_ACTED = /^(?!ContainerCreating$|PodInitializing$).+/;

/**
 * Kubelet event reasons (pkg/kubelet/events) saying the pod never got a sandbox: the kubelet
 * tried, but the pod cannot progress past its first step (003 Chain 3).
 */
export const SANDBOX_FAILURE_REASONS: ReadonlySet<string> = new Set(['FailedCreatePodSandBox', 'SandboxChanged', 'FailedPodSandBoxStatus']);

/**
 * The kubelet processed the pod: a waiting reason of its own (image pull, config, crash loop),
 * or kubelet events for it — except those whose reason is in `ignoring`.
 */
export function kubeletActedOnPod(pod: PodFact, ctx: RuleContext, ignoring: ReadonlySet<string> = new Set()): boolean {
  if ([...pod.containers, ...pod.initContainers].some((c) => c.state === 'waiting' && c.stateReason && KUBELET_ACTED.test(c.stateReason))) {
    return true;
  }
  return kubeletEventsFor(ctx, pod).some((e) => !ignoring.has(e.reason));
}

export function kubeletEventsFor(ctx: RuleContext, pod: PodFact) {
  return ctx.facts.events.filter(
    (e) => e.sourceComponent === 'kubelet' && e.involved.kind !== 'Node'
      && e.involved.namespace === pod.namespace && e.involved.name === pod.name,
  );
}

/**
 * "Now" for state facts: the capture end, else the newest time the state facts carry (a
 * kubectl-only bundle has no log times).
 */
export function snapshotTime(ctx: RuleContext): number | undefined {
  return ctx.captureEnd ?? newestStateTime(ctx.facts);
}

export function podEvidence(pod: PodFact, node: string): EvidenceItem {
  const waiting = [...pod.initContainers, ...pod.containers].find((c) => c.state === 'waiting');
  const reason = waiting?.stateReason ? ` (${waiting.name}: ${waiting.stateReason})` : '';
  return { ...evidenceFromFact(pod.source, `pod ${podRef(pod)} spec.nodeName=${node} phase=${pod.phase ?? '?'}${reason}`, node, podBoundAt(pod)), pod: podRef(pod) };
}

export { CONTAINERD_UNIT };

/** The kubelet's PID: systemctl MainPID, the process listing, else the PID of its latest start or of the latest `seen` line. */
export function kubeletPid(ctx: RuleContext, node: string, seen: readonly SignatureMatch[] = []): number | undefined {
  const unit = ofNode(ctx, ctx.facts.systemctl, node).find((u) => KUBELET_UNITS.has(u.unit.replace(/\.service$/, '')) && u.mainPid);
  if (unit?.mainPid) return unit.mainPid;
  const proc = kubeletProcesses(ctx, node)[0];
  if (proc) return proc.pid;
  const starts = kubeletStarts(ctx, node).filter((s) => s.pid !== undefined && s.how !== 'systemd start');
  const lastStart = starts[starts.length - 1];
  const lastSeen = [...seen].reverse().find((m) => m.record.pid !== undefined);
  if (lastStart && (!lastSeen || (lastSeen.record.ts ?? 0) < lastStart.ts)) return lastStart.pid;
  return lastSeen?.record.pid;
}

/** Silences of the kubelet units that the process lived through (not stopped, not known dead). */
export function kubeletSilences(ctx: RuleContext, node: string, minMicros: number) {
  return ctx.silences(node, KUBELET_UNITS, minMicros);
}

/**
 * The last kubelet line at or before `ts`, verbatim: the line a silence begins after
 * (`ctx.lastRecord`, which the store keeps for every unit and gap). Falls back to the last
 * signature match or restart record when the store has none.
 */
export function lastKubeletLineBefore(ctx: RuleContext, node: string, ts: number): EvidenceItem | undefined {
  const record = ctx.lastRecord(node, KUBELET_UNITS, ts);
  if (record) return { source: record.source, ts: record.ts, node, text: record.message };
  let best: { ts: number; item: EvidenceItem } | undefined;
  const consider = (t: number | undefined, item: EvidenceItem) => {
    if (t === undefined || t > ts) return;
    if (!best || t > best.ts) best = { ts: t, item };
  };
  for (const id of SIGNATURE_IDS) {
    const found = ctx.matches(id, { node, units: KUBELET_UNITS, until: ts });
    const last = found[found.length - 1];
    if (last) consider(last.record.ts, matchEvidence(last));
  }
  for (const r of ctx.restarts({ node, units: KUBELET_UNITS, until: ts })) {
    if (r.kind === 'pid-change') consider(r.ts, { source: r.record.source, ts: r.ts, node, text: r.record.message });
  }
  return best?.item;
}

/** Exact count, first/last time and nodes of a noise signature (counts per node are exact in the store). */
export function countNoise(ctx: RuleContext, signature: string) {
  const matches = ctx.matches(signature);
  const count = ctx.matchCount(signature);
  const nodes = ctx.nodes.filter((n) => ctx.matchCount(signature, { node: n }) > 0);
  const times = matches.map((m) => m.record.ts).filter((t): t is number => t !== undefined);
  return { matches, count, nodes, first: times.length ? Math.min(...times) : undefined, last: times.length ? Math.max(...times) : undefined };
}
