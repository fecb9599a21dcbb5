/**
 * Group identical goroutine stacks (panicparse `Aggregate`): "412 goroutines blocked in
 * `(*GenericPLEG).relist`", not 412 blocks. Goroutines fall in one bucket when their state,
 * `locked to thread`, creator and stacks match at the chosen similarity:
 *   exact   — same funcs, files, lines and args;
 *   similar — same funcs, files and lines (args — pointers — may differ; the default);
 *   loose   — same funcs only (different builds / line numbers).
 * Wait minutes are merged into a {min, max} range (no `, N minutes` → 0).
 */
import type { GoFrame, Goroutine } from '../model/goroutines.js';

export type Similarity = 'exact' | 'similar' | 'loose';

export interface GoroutineBucket {
  count: number;
  state: string;
  waitMinutes: { min: number; max: number };
  locked: boolean;
  /** Frames of the first goroutine of the bucket (innermost first). */
  frames: GoFrame[];
  createdBy?: string;
  /** First few goroutine ids, ascending. */
  ids: number[];
  /** Which processes the goroutines came from, sorted. */
  processes: string[];
}

export const MAX_IDS_PER_BUCKET = 10;

export interface ProcessGoroutine {
  goroutine: Goroutine;
  process?: string;
}

function frameKey(f: GoFrame, similarity: Similarity): string {
  if (similarity === 'loose') return f.func;
  if (similarity === 'similar') return `${f.func}\u0001${f.file}:${f.line}`;
  return `${f.func}\u0001${f.file}:${f.line}\u0001${f.args ?? ''}`;
}

/** Identity of a goroutine at a similarity level. */
export function stackKey(g: Goroutine, similarity: Similarity = 'similar'): string {
  const frames = g.frames.map((f) => frameKey(f, similarity)).join('\u0002');
  return `${g.state}\u0003${g.locked ? 'L' : ''}\u0003${g.createdBy?.func ?? ''}\u0003${g.elided ? 'E' : ''}\u0003${frames}`;
}

/** Aggregate goroutines into buckets, in order of first appearance. */
export function aggregate(items: Iterable<ProcessGoroutine>, similarity: Similarity = 'similar'): GoroutineBucket[] {
  const byKey = new Map<string, GoroutineBucket & { allIds: number[] }>();
  for (const { goroutine: g, process } of items) {
    const key = stackKey(g, similarity);
    const wait = g.waitMinutes ?? 0;
    let b = byKey.get(key);
    if (!b) {
      b = { count: 0, state: g.state, waitMinutes: { min: wait, max: wait }, locked: g.locked, frames: g.frames, ids: [], allIds: [], processes: [] };
      if (g.createdBy) b.createdBy = g.createdBy.func;
      byKey.set(key, b);
    }
    b.count++;
    if (wait < b.waitMinutes.min) b.waitMinutes.min = wait;
    if (wait > b.waitMinutes.max) b.waitMinutes.max = wait;
    if (b.allIds.length < MAX_IDS_PER_BUCKET * 4) b.allIds.push(g.id);
    if (process !== undefined && !b.processes.includes(process)) b.processes.push(process);
  }
  return [...byKey.values()].map(({ allIds, ...b }) => ({
    ...b,
    ids: [...new Set(allIds)].sort((x, y) => x - y).slice(0, MAX_IDS_PER_BUCKET),
    processes: b.processes.sort(),
  }));
}
