import type { Facts } from '../model/facts.js';
import { FACT_INPUTS, type InputId } from './inputs.js';
import { ACTIVITY_BUCKET_MICROS, type EventStore } from './store.js';
import type { BootEvent, RestartEvent, RuleContext, Silence, SignatureMatch, TimeFilter } from './types.js';

function unitSet(units: ReadonlySet<string> | string[]): ReadonlySet<string> {
  return Array.isArray(units) ? new Set(units) : units;
}

function inFilter(node: string | undefined, unit: string | undefined, ts: number | undefined, f?: TimeFilter): boolean {
  if (!f) return true;
  if (f.node !== undefined && node !== f.node) return false;
  if (f.units && (unit === undefined || !unitSet(f.units).has(unit))) return false;
  if (f.since !== undefined && (ts === undefined || ts < f.since)) return false;
  if (f.until !== undefined && (ts === undefined || ts > f.until)) return false;
  return true;
}

/** Merge the activity buckets of several units of one node: sorted [bucket, latest ts]. */
function mergedActivity(store: EventStore, node: string, units: ReadonlySet<string>): Array<[number, number]> {
  const merged = new Map<number, number>();
  for (const unit of units) {
    for (const [bucket, ts] of store.unitActivity(node, unit)) {
      const seen = merged.get(bucket);
      if (seen === undefined || ts > seen) merged.set(bucket, ts);
    }
  }
  return [...merged.entries()].sort((a, b) => a[0] - b[0]);
}

// …/k8s01/inspection-report-20260401_162012.tar.gz/inspection-report/dqlite/list.out → the report root
// (up to and including its `inspection-report/` directory, unpacked or inside the tarball).
const INSPECT_ROOT = /^(.*(?:^|\/)inspection-report(?:-\d{8}_\d{6})?\/)/;

/**
 * A `microk8s inspect` report is one node's: its journals name the host, its other members
 * (`dqlite/list.out`, `args/kubelet`, `network/*`) do not. Facts without a node that sit in a
 * report whose log records all name one node take that node; everything else is unchanged.
 */
function attributeInspectReports(store: EventStore): { facts: Facts; inputs: Set<string> } {
  const reportNodes = new Map<string, Set<string>>();
  for (const node of store.nodes) {
    for (const unit of store.unitsOf(node)) {
      const path = store.lastRecord(node, unit, Number.MAX_SAFE_INTEGER)?.source.path;
      const root = path === undefined ? undefined : INSPECT_ROOT.exec(path)?.[1];
      if (root !== undefined) reportNodes.set(root, (reportNodes.get(root) ?? new Set()).add(node));
    }
  }
  const inputs = new Set<string>();
  if (reportNodes.size === 0) return { facts: store.facts, inputs };
  const nodeOf = (path: string): string | undefined => {
    const root = INSPECT_ROOT.exec(path)?.[1];
    const nodes = root === undefined ? undefined : reportNodes.get(root);
    return nodes?.size === 1 ? [...nodes][0] : undefined;
  };
  const facts = { ...store.facts };
  for (const key of Object.keys(facts) as Array<keyof Facts>) {
    const values = facts[key] as Array<{ node?: string; source?: { path: string } }>;
    if (!values.some((v) => v.node === undefined && v.source && nodeOf(v.source.path))) continue;
    const input = FACT_INPUTS[key as keyof typeof FACT_INPUTS] as InputId | undefined;
    (facts[key] as unknown[]) = values.map((v) => {
      const node = v.node === undefined && v.source ? nodeOf(v.source.path) : undefined;
      if (node === undefined) return v;
      if (input) inputs.add(`${input}|${node}`);
      return { ...v, node };
    });
  }
  return { facts, inputs };
}

export function createRuleContext(store: EventStore): RuleContext {
  const attributed = attributeInspectReports(store);
  const byTime = (a: { ts?: number }, b: { ts?: number }) => (a.ts ?? 0) - (b.ts ?? 0);
  const sortedRestarts = [...store.restarts].sort(byTime);
  const sortedBoots = [...store.bootEvents].sort(byTime);

  const ctx: RuleContext = {
    captureStart: store.captureStart,
    captureEnd: store.captureEnd,
    nodes: [...store.nodes].sort(),
    facts: attributed.facts,
    dumps: store.dumps,

    hasInput: (input: InputId, node?: string) => store.hasInput(input, node) || (node !== undefined && attributed.inputs.has(`${input}|${node}`)),

    matches(signature: string, filter?: TimeFilter): SignatureMatch[] {
      return store
        .matches(signature)
        .filter((m) => inFilter(m.record.node, m.record.unit, m.record.ts, filter))
        .sort((a, b) => (a.record.ts ?? 0) - (b.record.ts ?? 0));
    },

    matchCount(signature: string, filter?: TimeFilter): number {
      if (!filter || (filter.units === undefined && filter.since === undefined && filter.until === undefined)) {
        return store.matchTotal(signature, filter?.node);
      }
      // Exact counts exist per node only; a narrower filter counts what was kept.
      return ctx.matches(signature, filter).length;
    },

    silences(node: string, units: ReadonlySet<string> | string[], minMicros: number): Silence[] {
      const wanted = unitSet(units);
      const activity = mergedActivity(store, node, wanted);
      if (activity.length === 0) return [];
      const nodeActivity = store.nodeActivityBuckets(node);
      const nodeLast = nodeActivity.length ? nodeActivity[nodeActivity.length - 1]![1] : undefined;
      const stops = sortedRestarts.filter(
        (r) => r.node === node && wanted.has(r.unit) && (r.kind === 'stop' || r.kind === 'exit'),
      );
      const nodeLoggedBetween = (start: number, end: number) =>
        nodeActivity.some(([bucket, ts]) => ts > start && bucket * ACTIVITY_BUCKET_MICROS < end);
      const stoppedBetween = (start: number, end: number) => stops.some((r) => r.ts >= start && r.ts <= end);

      const result: Silence[] = [];
      for (let i = 0; i < activity.length; i++) {
        const start = activity[i]![1];
        const next = activity[i + 1];
        const open = next === undefined;
        const end = open ? nodeLast : next[0] * ACTIVITY_BUCKET_MICROS;
        if (end === undefined || end - start < minMicros) continue;
        if (open && !nodeLoggedBetween(start, end + 1)) continue;
        if (!open && !nodeLoggedBetween(start, end)) continue;
        if (stoppedBetween(start, start + minMicros)) continue;
        const unit = [...wanted].find((u) => store.unitActivity(node, u).some(([, ts]) => ts === start)) ?? [...wanted][0]!;
        result.push({ node, unit, start, end, open, durationMicros: end - start });
      }
      return result;
    },

    lastActivity(node: string, units: ReadonlySet<string> | string[]): number | undefined {
      const activity = mergedActivity(store, node, unitSet(units));
      return activity.length ? activity[activity.length - 1]![1] : undefined;
    },

    firstActivity(node: string, units: ReadonlySet<string> | string[]): number | undefined {
      const activity = mergedActivity(store, node, unitSet(units));
      return activity.length ? activity[0]![0] * ACTIVITY_BUCKET_MICROS : undefined;
    },

    nodeLastActivity(node: string): number | undefined {
      const activity = store.nodeActivityBuckets(node);
      return activity.length ? activity[activity.length - 1]![1] : undefined;
    },

    lastRecord(node: string, units: ReadonlySet<string> | string[], until: number) {
      let best: ReturnType<EventStore['lastRecord']>;
      for (const unit of unitSet(units)) {
        const r = store.lastRecord(node, unit, until);
        if (r && (best === undefined || r.ts! > best.ts!)) best = r;
      }
      return best;
    },

    restarts(filter?: TimeFilter): RestartEvent[] {
      return sortedRestarts.filter((r) => inFilter(r.node, r.unit, r.ts, filter));
    },

    boots(node?: string): BootEvent[] {
      return sortedBoots.filter((b) => node === undefined || b.node === node);
    },
  };
  return ctx;
}
