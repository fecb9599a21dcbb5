/**
 * Time correlation the rules share: "A within D of B", "A before B", runs of events, across
 * sources and nodes. Anything with a time works: log records, signature matches, restarts,
 * boots. Times are µs since the epoch; undated items never correlate.
 */
export type Timed = { ts?: number } | { record: { ts?: number } };

export function timeOf(item: Timed): number | undefined {
  return 'record' in item ? item.record.ts : item.ts;
}

/** How far before and after an anchor time an item may lie (µs, both ≥ 0). */
export interface Around {
  before: number;
  after: number;
}

/** The items that lie within `window` of `anchor`, in their order. */
export function within<T extends Timed>(items: readonly T[], anchor: number, window: Around): T[] {
  return items.filter((item) => {
    const ts = timeOf(item);
    return ts !== undefined && ts >= anchor - window.before && ts <= anchor + window.after;
  });
}

/** Whether any item lies within `window` of `anchor`. */
export function anyWithin(items: readonly Timed[], anchor: number, window: Around): boolean {
  return items.some((item) => {
    const ts = timeOf(item);
    return ts !== undefined && ts >= anchor - window.before && ts <= anchor + window.after;
  });
}

/** The latest item at or before `anchor`, at most `maxBefore` earlier (default: any distance). */
export function latestBefore<T extends Timed>(items: readonly T[], anchor: number, maxBefore = Infinity): T | undefined {
  let best: T | undefined;
  let bestTs = -Infinity;
  for (const item of items) {
    const ts = timeOf(item);
    if (ts === undefined || ts > anchor || anchor - ts > maxBefore || ts < bestTs) continue;
    best = item;
    bestTs = ts;
  }
  return best;
}

/** Dated items in time order, cut into runs wherever two neighbours are more than `gap` apart. */
export function episodes<T extends Timed>(items: readonly T[], gap: number): T[][] {
  const dated = items.filter((item) => timeOf(item) !== undefined).sort((a, b) => timeOf(a)! - timeOf(b)!);
  const runs: T[][] = [];
  for (const item of dated) {
    const run = runs[runs.length - 1];
    if (run && timeOf(item)! - timeOf(run[run.length - 1]!)! <= gap) run.push(item);
    else runs.push([item]);
  }
  return runs;
}

/** First and last time of a non-empty run. */
export function spanOfRun(run: readonly Timed[]): { start: number; end: number } {
  return { start: timeOf(run[0]!)!, end: timeOf(run[run.length - 1]!)! };
}

export interface Span {
  start: number;
  end: number;
}

/** Whether two spans overlap once each is widened by `slack` on both sides. */
export function spansOverlap(a: Span, b: Span, slack = 0): boolean {
  return a.start <= b.end + slack && b.start <= a.end + slack;
}
