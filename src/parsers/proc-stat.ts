/**
 * coreutils `stat /proc/<pid>` output (or just its `Modify:` line via `| grep Modify`), used
 * to tell when a process started: a `/proc/<pid>` directory's times are those of its first
 * access after the process was created, so Modify marks (approximately) the process start.
 *
 * Sample (PIR 001 "Post-Incident Checks"; layout of coreutils 8.32+ `stat`):
 *     File: /proc/98211
 *     Size: 0         	Blocks: 0          IO Block: 1024   directory
 *   Access: 2026-05-22 02:08:11.000000000 +1000
 *   Modify: 2026-05-22 02:08:11.000000000 +1000
 *   Change: 2026-05-22 02:08:11.000000000 +1000
 *
 * Output: `ProcStatFact` (defined here: ProcessFact has no place for a /proc inode time and
 * no command to give) per stat block: pid, modifiedAt/accessedAt/changedAt (µs).
 * `procStatToProcess()` turns one into a `ProcessFact` (command '', startedAt = Modify) for
 * rules that only read processes.
 *
 * Quirks: times carry their own numeric zone; `| grep Modify` captures have no `File:` line,
 * so the pid comes from an echoed `stat /proc/N` command or the path; several blocks may
 * follow one another (`stat /proc/1 /proc/2`).
 */
import type { ProcessFact } from '../model/facts.js';
import type { Provenance, Unparsed } from '../model/records.js';
import { isoToMicros } from '../model/time.js';
import type { StateParseResult } from './types.js';
import { splitLines, type StateParseContext } from './text-table.js';

export interface ProcStatFact {
  node?: string;
  pid?: number;
  accessedAt?: number;
  modifiedAt?: number;
  changedAt?: number;
  source: Provenance;
}

//   File: /proc/12345   (also ‘/proc/12345’ or '/proc/12345' in older coreutils)
const FILE_LINE = /^\s*File:\s*[‘'"]?\/proc\/(\d+)\/?[’'"]?\s*$/;
// Modify: 2026-05-22 02:08:11.000000000 +1000
const TIME_LINE = /^\s*(Access|Modify|Change|Birth):\s*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\s*([+-]\d{4})\s*$/;
// "$ sudo stat /proc/98211 | grep Modify"
const ECHO = /\bstat\s+(?:-\S+\s+)*\/proc\/(\d+)/;
// Access: (0555/dr-xr-xr-x)  Uid: (    0/    root) …, Size:, Device:, Birth: -
const OTHER_STAT_LINE = /^\s*(?:Size|Device|Access: \(|Birth:|Context:)/;
const PATH_PID = /\/proc\/(\d+)|stat[-_.](\d+)/;

/** `stat /proc/<pid>` capture → per-pid /proc directory times. Never throws. */
export function parseProcStat(text: string, ctx: StateParseContext): StateParseResult<ProcStatFact[]> {
  const value: ProcStatFact[] = [];
  const unparsed: Unparsed[] = [];
  const pm = PATH_PID.exec(ctx.path);
  let pendingPid: number | undefined = pm ? Number(pm[1] ?? pm[2]) : undefined;
  let current: ProcStatFact | undefined;
  const open = (line: number): ProcStatFact => {
    const fact: ProcStatFact = { source: { path: ctx.path, line } };
    if (pendingPid !== undefined) fact.pid = pendingPid;
    if (ctx.node !== undefined) fact.node = ctx.node;
    value.push(fact);
    return fact;
  };
  splitLines(text).forEach((line, n) => {
    const lineNo = n + 1;
    if (line.trim() === '') return;
    const f = FILE_LINE.exec(line);
    if (f?.[1] !== undefined) {
      pendingPid = Number(f[1]);
      current = open(lineNo);
      return;
    }
    const t = TIME_LINE.exec(line);
    if (t) {
      const [, kind, stamp = '', zone = ''] = t;
      const at = isoToMicros(`${stamp.replace(' ', 'T')}${zone}`);
      if (at === undefined) {
        unparsed.push({ path: ctx.path, line: lineNo, reason: 'invalid date' });
        return;
      }
      const key = kind === 'Access' ? 'accessedAt' : kind === 'Modify' ? 'modifiedAt' : kind === 'Change' ? 'changedAt' : undefined;
      if (key === undefined) return;
      if (!current || current[key] !== undefined) current = open(lineNo);
      current[key] = at;
      return;
    }
    const e = ECHO.exec(line);
    if (e?.[1] !== undefined) {
      pendingPid = Number(e[1]);
      current = undefined;
      unparsed.push({ path: ctx.path, line: lineNo, reason: 'echoed stat command (pid taken from it)' });
      return;
    }
    if (OTHER_STAT_LINE.test(line)) return;
    unparsed.push({ path: ctx.path, line: lineNo, reason: 'not a `stat` line' });
  });
  return { value, unparsed, warnings: [] };
}

/** A `ProcessFact` view of a stat block: command unknown (''), startedAt = Modify time. */
export function procStatToProcess(stat: ProcStatFact): ProcessFact | undefined {
  if (stat.pid === undefined) return undefined;
  const proc: ProcessFact = { pid: stat.pid, command: '', source: stat.source };
  if (stat.node !== undefined) proc.node = stat.node;
  if (stat.modifiedAt !== undefined) proc.startedAt = stat.modifiedAt;
  return proc;
}
