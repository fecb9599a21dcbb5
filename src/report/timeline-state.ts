import type { ContainerTermination, Facts, PodFact } from '../model/facts.js';

/**
 * Pod and node state changes for the timeline, read from the times a `kubectl get -o json`
 * snapshot keeps: creation, condition transitions (PodScheduled, Ready), container starts and
 * terminations, deletion requests, and each node's Ready transition. A snapshot holds only
 * the latest transition of each condition, so these are the last known changes, not a history.
 */
export interface StateChange {
  micros: number;
  node?: string;
  /** What changed, the same for every pod it happened to at once: collapsed by it. */
  change: string;
  subject: string;
}

/** Above this many pods with the same change on the same node in one burst, one entry says how many. */
const COLLAPSE_AFTER = 3;
/** Changes further apart than this are separate bursts. */
const BURST_GAP_MICROS = 5 * 60 * 1e6;
const NAMES_SHOWN = 3;

function terminationText(container: string, t: ContainerTermination): string {
  const how = [t.reason, t.exitCode !== undefined ? `exit code ${t.exitCode}` : undefined].filter(Boolean).join(', ');
  return `container ${container} terminated${how ? ` (${how})` : ''}`;
}

function podChanges(pod: PodFact): StateChange[] {
  const subject = `${pod.namespace}/${pod.name}`;
  const node = pod.nodeName;
  const out: StateChange[] = [];
  const add = (micros: number | undefined, change: string) => {
    if (micros !== undefined && Number.isFinite(micros)) out.push({ micros, ...(node ? { node } : {}), change, subject });
  };
  add(pod.creationTimestamp, 'pod created');
  for (const c of pod.conditions) {
    if (c.type === 'PodScheduled') add(c.lastTransitionTime, c.status === 'True' ? 'pod scheduled' : `pod not schedulable${c.reason ? ` (${c.reason})` : ''}`);
    if (c.type === 'Ready') add(c.lastTransitionTime, c.status === 'True' ? 'pod Ready' : `pod not Ready${c.reason ? ` (${c.reason})` : ''}`);
  }
  for (const c of [...pod.initContainers, ...pod.containers]) {
    if (c.state === 'running') add(c.startedAt, `container ${c.name} started`);
    if (c.terminated) add(c.terminated.finishedAt, terminationText(c.name, c.terminated));
    if (c.lastTerminated) add(c.lastTerminated.finishedAt, `${terminationText(c.name, c.lastTerminated)}, restarted ${c.restartCount}×`);
  }
  add(pod.deletionTimestamp, `pod deletion requested (phase ${pod.phase ?? 'unknown'})`);
  return out;
}

function nodeChanges(facts: Pick<Facts, 'nodes'>): StateChange[] {
  return facts.nodes.flatMap((n) => {
    const ready = n.ready;
    if (ready?.lastTransitionTime === undefined) return [];
    const state = ready.status === 'True' ? 'Ready' : `not Ready${ready.reason ? ` (${ready.reason})` : ''}`;
    return [{ micros: ready.lastTransitionTime, node: n.name, change: `node ${state}`, subject: n.name }];
  });
}

export interface StateEntry {
  micros: number;
  node?: string;
  text: string;
  count?: number;
}

function formatSpan(micros: number): string {
  const seconds = Math.round(micros / 1e6);
  const m = Math.floor(seconds / 60);
  return m ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** Runs of the same change on the same node, each change within BURST_GAP of the previous one. */
function bursts(changes: StateChange[]): StateChange[][] {
  const byKind = new Map<string, StateChange[]>();
  for (const c of changes) {
    const key = `${c.node ?? ''}\u0000${c.change}`;
    byKind.set(key, [...(byKind.get(key) ?? []), c]);
  }
  const out: StateChange[][] = [];
  for (const list of byKind.values()) {
    list.sort((a, b) => a.micros - b.micros || a.subject.localeCompare(b.subject));
    let run: StateChange[] = [];
    for (const c of list) {
      if (run.length && c.micros - run[run.length - 1]!.micros > BURST_GAP_MICROS) {
        out.push(run);
        run = [];
      }
      run.push(c);
    }
    if (run.length) out.push(run);
  }
  return out;
}

/** Every state change, with bursts of many pods changing alike collapsed into one entry. */
export function stateTimeline(facts: Pick<Facts, 'pods' | 'nodes'>): StateEntry[] {
  const entries: StateEntry[] = [];
  for (const node of nodeChanges(facts)) entries.push({ micros: node.micros, node: node.node!, text: node.change });
  for (const run of bursts(facts.pods.flatMap(podChanges))) {
    const first = run[0]!;
    const node = first.node ? { node: first.node } : {};
    if (run.length <= COLLAPSE_AFTER) {
      for (const c of run) entries.push({ micros: c.micros, ...node, text: `${c.subject}: ${c.change}` });
      continue;
    }
    const span = run[run.length - 1]!.micros - first.micros;
    const names = run.map((c) => c.subject).sort().slice(0, NAMES_SHOWN).join(', ');
    const over = span > 0 ? ` over ${formatSpan(span)}` : '';
    entries.push({ micros: first.micros, ...node, text: `${first.change} ×${run.length}${over}: ${names}, …`, count: run.length });
  }
  return entries;
}
