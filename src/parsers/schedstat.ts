/**
 * `/proc/<pid>/schedstat` samples (Linux `proc_pid_schedstat`: time on CPU ns, time waiting
 * on a runqueue ns, timeslices run), captured repeatedly to see whether a process runs at all.
 *
 * Sample (PIR 001, Failure Mode 3, `cat /proc/$PID/schedstat && sleep 3 && cat …`):
 *   195398181 57385342 625
 *   195398181 57385342 625
 *
 * Output: one `SchedstatFact` per process (pid from `# pid N`, `==> /proc/N/schedstat <==`
 * (tail/head), an echoed `cat /proc/N/schedstat`, or the path), with its samples in order.
 *
 * Quirks: a timestamp may precede the numbers (`02:34:21 195398181 57385342 625`, or an ISO
 * time) and an annotation may follow (`← no CPU consumed`); both are tolerated. Values above
 * 2^53 ns (104 days on CPU) lose precision and are reported as a warning.
 */
import type { SchedstatFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';
import { splitLines, type StateParseContext } from './text-table.js';

// [2026-05-22T02:34:21+10:00 ]195398181 57385342 625[ ← annotation]
const SAMPLE = /^\s*(?:(\d{4}-\d\d-\d\d[T ]\S+|\d\d:\d\d:\d\d(?:\.\d+)?|\d{9,10}(?:\.\d+)?:)\s+)?(\d+)\s+(\d+)\s+(\d+)(?:\s+(?:[^\d\s].*)?)?$/;
// "# pid 1234" | "# 1234" | "==> /proc/1234/schedstat <==" | "$ cat /proc/1234/schedstat"
const PID_HEADER = /(?:^#\s*(?:pid\s*[:=]?\s*)?(\d+)\b|\/proc\/(\d+)\/schedstat)/;
const PATH_PID = /(?:\/proc\/|schedstat[-_.]|[-_.])(\d+)(?:\/schedstat|\.txt|$)/;

/** Schedstat capture → per-process sample series. Never throws. */
export function parseSchedstat(text: string, ctx: StateParseContext): StateParseResult<SchedstatFact[]> {
  const value: SchedstatFact[] = [];
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  const pathPid = PATH_PID.exec(ctx.path)?.[1];
  let current: SchedstatFact | undefined;
  const open = (pid: number | undefined, line: number): SchedstatFact => {
    const fact: SchedstatFact = { samples: [], source: { path: ctx.path, line } };
    if (pid !== undefined) fact.pid = pid;
    if (ctx.node !== undefined) fact.node = ctx.node;
    value.push(fact);
    return fact;
  };
  splitLines(text).forEach((line, n) => {
    const lineNo = n + 1;
    if (line.trim() === '') return;
    const s = SAMPLE.exec(line);
    if (s) {
      const nums = [s[2], s[3], s[4]].map((x) => Number(x)) as [number, number, number];
      if (nums.some((x) => !Number.isSafeInteger(x))) warnings.push(`${ctx.path}:${lineNo}: value above 2^53 loses precision`);
      current ??= open(pathPid !== undefined ? Number(pathPid) : undefined, lineNo);
      current.samples.push(nums);
      return;
    }
    const h = PID_HEADER.exec(line);
    const pid = h?.[1] ?? h?.[2];
    if (pid !== undefined) {
      if (!current || current.pid !== Number(pid) || current.samples.length > 0) {
        // A repeated `cat /proc/N/schedstat` for the same pid continues its series.
        const existing = value.find((f) => f.pid === Number(pid));
        current = existing ?? open(Number(pid), lineNo);
      }
      return;
    }
    unparsed.push({ path: ctx.path, line: lineNo, reason: 'not a schedstat sample (three integers)' });
  });
  return { value: value.filter((f) => f.samples.length > 0), unparsed, warnings };
}

/** True when the process got no CPU between its first and last sample (PIR 001: PLEG stall). */
export function schedstatFrozen(fact: SchedstatFact): boolean | undefined {
  const first = fact.samples[0];
  const last = fact.samples[fact.samples.length - 1];
  if (!first || !last || fact.samples.length < 2) return undefined;
  return first[0] === last[0];
}
