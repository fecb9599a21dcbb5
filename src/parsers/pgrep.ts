/**
 * procps `pgrep` captures: `pgrep -a PATTERN` / `pgrep -l` (`<pid> <cmdline>` per line) and
 * `pgrep -c PATTERN` (a single count).
 *
 * Sample (PIR 001 "Post-Incident Checks": `pgrep -a buildkitd`; shapes as procps prints them):
 *   $ sudo pgrep -a buildkitd
 *   4123 buildkitd --addr unix:///run/buildkit/buildkitd.sock
 *   98211 buildkitd --addr unix:///run/buildkit/buildkitd.sock
 *   $ pgrep -c containerd-shim
 *   44
 *
 * Output: `ProcessFact` per `-a` row (pid, command); `ProcessCountFact` per count (pattern
 * from the echoed `pgrep -c PATTERN` line before it, else from the file name
 * `pgrep-c-<pattern>[.txt]`, else `?`).
 *
 * Quirks: `pgrep -c` prints `0` and exits 1 when nothing matches — still a count; captures
 * mix commands and output, so echo lines are read for the pattern and reported as unparsed.
 */
import type { ProcessCountFact, ProcessFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';
import { baseName, splitLines, type StateParseContext } from './text-table.js';

// 4123 buildkitd --addr unix:///run/buildkit/buildkitd.sock
const PID_LINE = /^\s*(\d+)(?:\s+(.*?))?\s*$/;
// "$ sudo pgrep -c containerd-shim" / "ssh k8s03 \"pgrep -c containerd-shim\"" → pattern
const ECHO_COUNT = /\bpgrep\s+(?:-\S+\s+)*?-[a-zA-Z]*c[a-zA-Z]*\s+(?:-\S+\s+)*['"]?([^'"\s|&;]+)/;
// 44
const COUNT_LINE = /^\s*(\d+)\s*$/;

/**
 * True when a pgrep capture holds counts (`pgrep -c`), not a listing: a bare number, or an
 * echoed `pgrep -c PATTERN` command (`$ pgrep -c containerd-shim` then `44`). Callers choose
 * `parsePgrepCount` then; a `-c` capture read as a listing would give a process with PID 44.
 */
export function isPgrepCount(text: string): boolean {
  const lines = splitLines(text).filter((l) => l.trim() !== '');
  return lines.length > 0 && lines.every((l) => COUNT_LINE.test(l) || ECHO_COUNT.test(l)) && lines.some((l) => COUNT_LINE.test(l));
}

/** `pgrep -a` / `-l` output → processes. Never throws. */
export function parsePgrepList(text: string, ctx: StateParseContext): StateParseResult<ProcessFact[]> {
  const value: ProcessFact[] = [];
  const unparsed: Unparsed[] = [];
  if (isPgrepCount(text)) {
    // Counts are not processes: say so instead of listing "PID 44" with no command.
    splitLines(text).forEach((line, n) => {
      if (line.trim() !== '') unparsed.push({ path: ctx.path, line: n + 1, reason: 'pgrep -c output (a count, not a process listing)' });
    });
    return { value, unparsed, warnings: [] };
  }
  splitLines(text).forEach((line, n) => {
    if (line.trim() === '') return;
    const m = PID_LINE.exec(line);
    if (!m?.[1]) {
      unparsed.push({ path: ctx.path, line: n + 1, reason: /pgrep/.test(line) ? 'echoed command line' : 'not `<pid> <command>`' });
      return;
    }
    const fact: ProcessFact = { pid: Number(m[1]), command: m[2] ?? '', source: { path: ctx.path, line: n + 1 } };
    if (ctx.node !== undefined) fact.node = ctx.node;
    value.push(fact);
  });
  return { value, unparsed, warnings: [] };
}

function patternFromPath(path: string): string | undefined {
  const m = /^pgrep[-_]c[-_](.+?)(?:\.(?:txt|out|log))?$/.exec(baseName(path));
  return m?.[1];
}

/** `pgrep -c` output (one or several counts, with or without echoed commands) → counts. Never throws. */
export function parsePgrepCount(text: string, ctx: StateParseContext): StateParseResult<ProcessCountFact[]> {
  const value: ProcessCountFact[] = [];
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  let pattern: string | undefined;
  splitLines(text).forEach((line, n) => {
    if (line.trim() === '') return;
    const count = COUNT_LINE.exec(line);
    if (count?.[1] !== undefined) {
      const p = pattern ?? patternFromPath(ctx.path);
      if (p === undefined) warnings.push(`${ctx.path}:${n + 1}: count without a known pattern`);
      const fact: ProcessCountFact = { pattern: p ?? '?', count: Number(count[1]), source: { path: ctx.path, line: n + 1 } };
      if (ctx.node !== undefined) fact.node = ctx.node;
      value.push(fact);
      pattern = undefined;
      return;
    }
    const echo = ECHO_COUNT.exec(line);
    if (echo?.[1] !== undefined) pattern = echo[1];
    unparsed.push({ path: ctx.path, line: n + 1, reason: echo ? 'echoed pgrep command (pattern taken from it)' : 'not a count' });
  });
  return { value, unparsed, warnings };
}
