/**
 * The `pleg-analyze goroutines` command's logic: aggregate parsed dumps into ranked buckets
 * (report-contract.md "goroutines --format json") and render one screen of text answering
 * "what is every goroutine waiting on".
 */
import type { Goroutine, GoroutineDump } from '../model/goroutines.js';
import type { Unparsed } from '../model/records.js';
import { parseGoDuration } from '../model/time.js';
import { aggregate, type Similarity } from './bucket.js';
import { hotspotLabel, rankBuckets } from './rank.js';

export interface GoroutinesReportBucket {
  count: number;
  state: string;
  waitMinutes: { min: number; max: number };
  locked: boolean;
  frames: { func: string; file: string; line: number }[];
  createdBy: string | null;
  /** Extra (not in the minimal contract): hot spot label, first ids, processes. */
  hotspot: string | null;
  ids: number[];
  processes: string[];
}

export interface GoroutinesReport {
  /** All goroutines parsed, before `minWaitMinutes` / `filter`. */
  goroutines: number;
  dumps: { path: string; process: string | null; goroutines: number }[];
  buckets: GoroutinesReportBucket[];
  unparsed: Unparsed[];
}

export interface AnalyzeGoroutinesOptions {
  minWaitMinutes?: number;
  /** Keep goroutines with any frame func/file or creator matching. */
  filter?: RegExp;
  similarity?: Similarity;
  /** Unparsed lines from the parsers, passed through (sorted) into the report. */
  unparsed?: Unparsed[];
}

export function analyzeGoroutines(dumps: GoroutineDump[], options: AnalyzeGoroutinesOptions = {}): GoroutinesReport {
  const minWait = options.minWaitMinutes ?? 0;
  const filter = options.filter;
  const selected: { goroutine: Goroutine; process?: string }[] = [];
  let total = 0;
  for (const dump of dumps) {
    for (const g of dump.goroutines) {
      total++;
      if ((g.waitMinutes ?? 0) < minWait) continue;
      if (filter && !matchesFilter(g, filter)) continue;
      selected.push(dump.process !== undefined ? { goroutine: g, process: dump.process } : { goroutine: g });
    }
  }
  const buckets = rankBuckets(aggregate(selected, options.similarity ?? 'similar')).map((b): GoroutinesReportBucket => ({
    count: b.count,
    state: b.state,
    waitMinutes: { ...b.waitMinutes },
    locked: b.locked,
    frames: b.frames.map((f) => ({ func: f.func, file: f.file, line: f.line })),
    createdBy: b.createdBy ?? null,
    hotspot: hotspotLabel(b) ?? null,
    ids: b.ids,
    processes: b.processes,
  }));
  const unparsed = [...(options.unparsed ?? [])].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
  return {
    goroutines: total,
    dumps: dumps.map((d) => ({ path: d.path, process: d.process ?? null, goroutines: d.goroutines.length })),
    buckets,
    unparsed,
  };
}

function matchesFilter(g: Goroutine, filter: RegExp): boolean {
  const test = (s: string): boolean => {
    filter.lastIndex = 0;
    return filter.test(s);
  };
  if (g.createdBy && test(g.createdBy.func)) return true;
  return g.frames.some((f) => test(f.func) || test(f.file));
}

/** `--min-wait` values: `1m`, `90s`, `2h`, `1h30m`, or a bare number of minutes. */
export function parseMinutes(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t);
  const micros = parseGoDuration(t);
  return micros === undefined ? undefined : micros / 60e6;
}

export interface RenderGoroutinesTextOptions {
  width: number;
  color: boolean;
  /** Buckets shown before "… N more"; default 30. */
  maxBuckets?: number;
  /** Frames shown per bucket; default 4. */
  maxFrames?: number;
}

const ANSI = { bold: '\x1b[1m', yellow: '\x1b[33m', dim: '\x1b[2m', reset: '\x1b[0m' };

/**
 * `k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist` → `pleg.(*GenericPLEG).relist`. The
 * package path ends before the first `(` or `[`: a method value repeats the full path inside
 * parentheses (`pleg.(*GenericPLEG).(k8s.io/…/pleg.relist)-fm`), generics put it in brackets.
 */
export function shortFunc(func: string): string {
  const open = [func.indexOf('('), func.indexOf('[')].filter((i) => i >= 0);
  const slash = func.lastIndexOf('/', open.length ? Math.min(...open) : func.length);
  return slash < 0 ? func : func.slice(slash + 1);
}

function shortFile(file: string, line: number): string {
  if (file === '') return '';
  const base = file.slice(file.lastIndexOf('/') + 1);
  return `${base}:${line}`;
}

/** Innermost runtime frames (gopark, selectgo, chanrecv…) say less than the caller: skip them. */
function interestingFrames(frames: readonly { func: string; file: string; line: number }[], max: number): typeof frames {
  let start = 0;
  while (start < frames.length - 1 && /^(?:runtime|internal\/poll|sync|time)\./.test(frames[start]?.func ?? '')) start++;
  return frames.slice(start, start + max);
}

function waitRange(w: { min: number; max: number }): string {
  if (w.max === 0) return '';
  return w.min === w.max ? `${w.max} min` : `${w.min}-${w.max} min`;
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;
}

export function renderGoroutinesText(report: GoroutinesReport, options: RenderGoroutinesTextOptions): string {
  const width = Math.max(40, options.width);
  const c = (code: string, text: string): string => (options.color ? `${code}${text}${ANSI.reset}` : text);
  const maxBuckets = options.maxBuckets ?? 30;
  const maxFrames = options.maxFrames ?? 4;
  const shown = report.buckets.reduce((n, b) => n + b.count, 0);
  const lines: string[] = [];
  const perDump = report.dumps.map((d) => `${d.process ?? d.path}: ${d.goroutines}`).join(', ');
  lines.push(fit(`${report.goroutines} goroutines in ${report.dumps.length} dump${report.dumps.length === 1 ? '' : 's'}${perDump ? ` (${perDump})` : ''}; ${shown} shown in ${report.buckets.length} bucket${report.buckets.length === 1 ? '' : 's'}`, width));
  const countWidth = Math.max(5, ...report.buckets.slice(0, maxBuckets).map((b) => String(b.count).length));
  for (const b of report.buckets.slice(0, maxBuckets)) {
    lines.push('');
    const state = `${b.state}${b.locked ? ', locked' : ''}`;
    const head = [String(b.count).padStart(countWidth), state.padEnd(14), waitRange(b.waitMinutes).padEnd(11), b.hotspot ?? ''].join('  ').trimEnd();
    const colored = options.color
      ? head.replace(String(b.count), c(ANSI.bold, String(b.count))).replace(b.hotspot ?? '\u0000', c(ANSI.yellow, b.hotspot ?? ''))
      : head;
    lines.push(options.color ? colored : fit(head, width));
    const indent = ' '.repeat(countWidth + 2);
    for (const f of interestingFrames(b.frames, maxFrames)) {
      const where = shortFile(f.file, f.line);
      const fn = shortFunc(f.func);
      const room = width - indent.length - where.length - 2;
      lines.push(`${indent}${fit(fn, Math.max(10, room)).padEnd(Math.max(10, room))}  ${c(ANSI.dim, where)}`.trimEnd());
    }
    if (b.createdBy) lines.push(fit(`${indent}created by ${shortFunc(b.createdBy)}`, width));
  }
  if (report.buckets.length > maxBuckets) {
    lines.push('', `… ${report.buckets.length - maxBuckets} more buckets (use --format json for all)`);
  }
  if (report.unparsed.length > 0) {
    lines.push('', `${report.unparsed.length} unparsed line${report.unparsed.length === 1 ? '' : 's'}`);
  }
  return `${lines.join('\n')}\n`;
}

