/**
 * procps `ps` listings: `ps -ef` (MicroK8s inspect `sys/ps`), `ps aux`, and custom
 * `ps -eo …` / `ps axo … --forest` column sets, detected from the header names (or, when a
 * `grep` dropped the header, from the echoed `ps … -o <spec>` command line).
 *
 * Sample (`ps -ef`, MicroK8s 1.28 inspect report `sys/ps`):
 *   UID          PID    PPID  C STIME TTY          TIME CMD
 *   root           1       0  0 17:40 ?        00:00:04 /sbin/init
 *   root        3510       1  7 17:41 ?        00:02:51 /snap/microk8s/7231/kubelite --scheduler-args-file=…
 *   root        4507       1  0 17:41 ?        00:00:02 /snap/microk8s/7231/bin/containerd-shim-runc-v2 -namespace k8s.io -id 69b1… -address …
 * and (`ps axo pid,ppid,lstart,stat,pcpu,pmem,comm --forest`, containerd#12344):
 *      2167       1 Mon Sep 29 18:27:57 2025 Sl    0.2  0.3 containerd-shim
 *      2250    2167 Mon Sep 29 18:27:57 2025 Ss    0.0  0.0  \_ pause
 *
 * Output: `ProcessFact` per row: pid, ppid, user, cpuPercent, startTime as printed,
 * startedAt when the row carried a full date (`lstart`), command without `--forest` tree art.
 *
 * Quirks: the last column (CMD/COMMAND/ARGS/COMM) takes the rest of the line, spaces
 * included; `lstart` (`STARTED`) spans five tokens and is local time (ctx.zone); STIME/START
 * is `17:40` today, `May17` this year, `2025` older — no date, so no `startedAt`; `grep -A`
 * separators (`--`) and shell prompts are reported as unparsed.
 */
import type { ProcessFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import { monthFromAbbrev, zonedToMicros } from '../model/time.js';
import type { StateParseResult } from './types.js';
import { splitLines, type StateParseContext } from './text-table.js';

type Column = 'user' | 'pid' | 'ppid' | 'cpu' | 'lstart' | 'start' | 'command' | 'other';

/** Header names (as ps prints them) and `-o` keywords → column roles. */
const HEADER_ROLES: Record<string, Column> = {
  USER: 'user', UID: 'user', RUSER: 'user', EUSER: 'user', PID: 'pid', PPID: 'ppid', '%CPU': 'cpu', C: 'cpu',
  STARTED: 'lstart', LSTART: 'lstart', START: 'start', STIME: 'start', COMMAND: 'command', CMD: 'command', ARGS: 'command',
};
const SPEC_ROLES: Record<string, Column> = {
  user: 'user', uid: 'user', euser: 'user', ruser: 'user', uname: 'user', pid: 'pid', ppid: 'ppid', pcpu: 'cpu',
  '%cpu': 'cpu', c: 'cpu', lstart: 'lstart', start: 'start', stime: 'start', start_time: 'start', bsdstart: 'start',
  comm: 'command', ucomm: 'command', ucmd: 'command', cmd: 'command', args: 'command', command: 'command',
};

// "sh-5.2$ ps axo pid,ppid,lstart,stat,pcpu,pmem,comm --forest | grep …" → the -o spec
const ECHO_SPEC = /\bps\b.*?(?:\s-[a-zA-Z]*o|\s[a-zA-Z]*o|\s--format|\s-O)[\s=]+(\S+)/;
// Mon Sep 29 18:27:57 2025
const LSTART = /^(?:\w{3})\s+(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/;
// `date -Iseconds` / `date` printed before the listing ("$ date -Iseconds; ps aux | grep …"):
// 2026-05-18T00:15:41+10:00   |   Mon May 18 00:15:41 AEST 2026
const DATE_LINE = /^\s*(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?|\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d(?: [A-Z][A-Za-z0-9+-]*)? \d{4})\s*$/;
// "  \_ pause", " |   \_ aws-k8s-agent"
const FOREST_PREFIX = /^[\s|]*\\_\s+/;

interface Layout {
  roles: Column[];
}

function layoutFromHeader(line: string): Layout | undefined {
  const names = line.trim().split(/\s+/);
  if (!names.includes('PID')) return undefined;
  const last = names[names.length - 1] ?? '';
  if (HEADER_ROLES[last] !== 'command' && last !== 'COMM' && last !== 'UCMD') return undefined;
  const roles = names.map((n, i) => (i === names.length - 1 ? 'command' : HEADER_ROLES[n] ?? 'other'));
  return { roles };
}

// "$ ps aux | grep [k]ubelite" / "$ ps -ef | grep …": grep dropped the header; the
// option set fixes the columns.
const ECHO_AUX = /\bps\s+-?aux\b/;
const ECHO_EF = /\bps\s+-ef\b/;
const AUX_HEADER = 'USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND';
const EF_HEADER = 'UID PID PPID C STIME TTY TIME CMD';

function layoutFromEcho(line: string): Layout | undefined {
  if (ECHO_AUX.test(line)) return layoutFromHeader(AUX_HEADER);
  if (ECHO_EF.test(line)) return layoutFromHeader(EF_HEADER);
  const spec = ECHO_SPEC.exec(line);
  return spec?.[1] !== undefined ? layoutFromSpec(spec[1]) : undefined;
}

function layoutFromSpec(spec: string): Layout | undefined {
  const keys = spec.split(',').map((k) => k.split('=')[0]?.toLowerCase() ?? '');
  if (!keys.includes('pid')) return undefined;
  const roles = keys.map((k) => SPEC_ROLES[k] ?? 'other');
  if (roles[roles.length - 1] !== 'command') return undefined;
  return { roles };
}

function lstartMicros(text: string, zone: string | undefined): number | undefined {
  const m = LSTART.exec(text);
  if (!m) return undefined;
  const month = monthFromAbbrev(m[1] ?? '');
  if (month === undefined) return undefined;
  return zonedToMicros(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0, zone);
}

function parseRow(line: string, layout: Layout): Omit<ProcessFact, 'source'> | string {
  let pos = 0;
  const next = (): string | undefined => {
    while (pos < line.length && (line[pos] === ' ' || line[pos] === '\t')) pos++;
    if (pos >= line.length) return undefined;
    const start = pos;
    while (pos < line.length && line[pos] !== ' ' && line[pos] !== '\t') pos++;
    return line.slice(start, pos);
  };
  const proc: Omit<ProcessFact, 'source'> = { pid: -1, command: '' };
  for (let i = 0; i < layout.roles.length; i++) {
    const role = layout.roles[i];
    if (role === 'command') {
      const rest = line.slice(pos).replace(/^[ \t]/, '');
      proc.command = rest.replace(FOREST_PREFIX, '').trim();
      break;
    }
    if (role === 'lstart') {
      const parts: string[] = [];
      for (let k = 0; k < 5; k++) parts.push(next() ?? '');
      proc.startTime = parts.join(' ');
      continue;
    }
    const tok = next();
    if (tok === undefined) return 'row has fewer columns than the header';
    if (role === 'pid') {
      if (!/^\d+$/.test(tok)) return `PID column is ${JSON.stringify(tok)}`;
      proc.pid = Number(tok);
    } else if (role === 'ppid') {
      if (/^\d+$/.test(tok)) proc.ppid = Number(tok);
    } else if (role === 'user') proc.user = tok;
    else if (role === 'cpu') {
      const v = Number(tok);
      if (Number.isFinite(v)) proc.cpuPercent = v;
    } else if (role === 'start') proc.startTime = tok;
  }
  return proc.pid < 0 ? 'no PID column' : proc;
}

/** `ps` output with a header (or an echoed `-o` spec) → processes. Never throws. */
export function parsePs(text: string, ctx: StateParseContext): StateParseResult<ProcessFact[]> {
  const value: ProcessFact[] = [];
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  let layout: Layout | undefined;
  const lines = splitLines(text);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    const lineNo = n + 1;
    if (line.trim() === '') continue;
    const header = layoutFromHeader(line);
    if (header) {
      layout = header;
      continue;
    }
    const row = layout ? parseRow(line, layout) : 'process row before any header';
    if (typeof row === 'string') {
      const fromSpec = layoutFromEcho(line);
      if (fromSpec) layout = fromSpec;
      const reason = fromSpec ? 'echoed ps command (columns taken from it)'
        : line.trim() === '--' ? 'grep separator'
          : DATE_LINE.test(line) ? 'date output (when the listing was taken)'
          : /^\s*\d/.test(line) ? row : 'not a process row';
      unparsed.push({ path: ctx.path, line: lineNo, reason });
      continue;
    }
    if (!layout) continue;
    const fact: ProcessFact = { ...row, source: { path: ctx.path, line: lineNo } };
    if (ctx.node !== undefined) fact.node = ctx.node;
    if (layout.roles.includes('lstart') && fact.startTime !== undefined) {
      const at = lstartMicros(fact.startTime, ctx.zone);
      if (at !== undefined) fact.startedAt = at;
      else warnings.push(`${ctx.path}:${lineNo}: start time ${JSON.stringify(fact.startTime)} not understood`);
    }
    value.push(fact);
  }
  return { value, unparsed, warnings };
}
