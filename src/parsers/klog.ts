/**
 * klog (k8s.io/klog/v2) message lines, as printed by kubelet / kubelite / apiserver, and the
 * Kubernetes JSON logging format (`--logging-format=json`, zap).
 *
 * Sample (canonical/microk8s#2211, cri-o/cri-o#5549, kubernetes/kubernetes#61117):
 *   I0427 22:03:04.766787    8704 topology_manager.go:120] "Creating topology manager with policy per scope" topologyPolicyName="none" topologyScopeName="container"
 *   E0118 10:19:44.767958  197889 kubelet.go:1877] "Skipping pod synchronization" err="[container runtime status check may not have completed yet, PLEG is not healthy: pleg has yet to be successful]"
 *   I0914 14:25:16.516619    1219 server.go:784] Watching apiserver
 *   {"ts":1753121332054.528,"caller":"kubelet/kubelet.go:446","msg":"Attempting to sync node with API server","v":0}
 *
 * Output: `KlogLine` { severity, month/day/time (no year, no zone), pid, file, line, message
 * (unquoted for structured lines), structured, fields (key → decoded value), rawTail (what
 * could not be split), openBlockKey (a `key=<` multi-line value follows) }.
 *
 * Quirks: the PID column is space-padded (and collapsed in pastes) → `\s+`; the message is
 * Go-quoted (Go escapes, not JSON); values are Go-quoted strings, JSON, or (klog ≤ v2.90)
 * `%+v` text with spaces (`&Pod{Name: x}`, `map[]`); `key=<` blocks continue on TAB- (or
 * 8-space-, after journalctl) indented lines and end with a line ` >` (which may carry more
 * pairs). JSON format has no level: error = `err` present and `v` absent (heuristic).
 */

export type KlogSeverity = 'I' | 'W' | 'E' | 'F';
export type KlogValue = string | number | boolean | null | object;

export interface KlogLine {
  format: 'text' | 'json';
  severity: KlogSeverity;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
  /** Epoch µs, JSON format only (the text header has no year and no zone). */
  tsMicros?: number;
  pid?: number;
  file: string;
  line: number;
  /** Unquoted message for structured lines, raw text for unstructured ones. */
  message: string;
  structured: boolean;
  fields: Record<string, KlogValue>;
  /** The part of the key/value tail that could not be split (kept verbatim). */
  rawTail?: string;
  /** Set when the line ends with `key=<` and continuation lines follow. */
  openBlockKey?: string;
}

// I0427 22:03:04.766787    8704 topology_manager.go:120] "Creating topology manager…"
const KLOG_HEADER = /^([IWEF])(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})\s+(\d+)\s+([^\s:\]]+):(\d+)\] ?/;
// ` key=` at the start of a pair (keys are not escaped by klog; no spaces, no `=`).
const PAIR_KEY = /^ ([^\s="]+)=/;
// ` key=` boundary that ends a bare `%+v` value: `assignments=map[] pod="x"`.
const NEXT_PAIR = / [A-Za-z_][\w.\-/]*=/g;
// bare JSON-ish token: 12, -1.5, true, false, null
const JSON_SCALAR = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

const SEVERITY_CHARS = new Set(['I', 'W', 'E', 'F']);

// I0427 22:03:04.766787 …   (the header's stamp alone, groups as in KLOG_HEADER)
const KLOG_STAMP = /^([IWEF])(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6}) /;

export type KlogStamp = Pick<KlogLine, 'severity' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'micros'>;

function stampOf(m: RegExpExecArray): KlogStamp {
  return {
    severity: m[1] as KlogSeverity,
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
    micros: Number(m[7]),
  };
}

/** The severity and time a text starts with, when it starts with a klog header's stamp. */
export function parseKlogStamp(text: string): KlogStamp | undefined {
  const m = KLOG_STAMP.exec(text);
  return m ? stampOf(m) : undefined;
}

/** Parse one klog line (text or JSON format); undefined when the line is not klog. */
export function parseKlog(line: string): KlogLine | undefined {
  try {
    const c = line.charCodeAt(0);
    if (c === 0x7b /* { */) return parseKlogJson(line);
    if (!SEVERITY_CHARS.has(line[0] ?? '')) return undefined;
    const m = KLOG_HEADER.exec(line);
    if (!m) return undefined;
    const body = stripEol(line.slice(m[0].length));
    const result: KlogLine = {
      format: 'text',
      ...stampOf(m),
      pid: Number(m[8]),
      file: m[9] ?? '',
      line: Number(m[10]),
      message: body,
      structured: false,
      fields: {},
    };
    if (body.startsWith('"')) {
      const q = scanGoQuoted(body, 0);
      if (q && (q.end === body.length || body[q.end] === ' ')) {
        result.structured = true;
        result.message = q.value;
        parsePairs(body.slice(q.end), result);
      }
    }
    return result;
  } catch {
    return undefined;
  }
}

/** Split ` key=value` pairs of a structured line into `target.fields` (never throws). */
export function parsePairs(tail: string, target: Pick<KlogLine, 'fields' | 'rawTail' | 'openBlockKey'>): void {
  let rest = tail;
  while (rest.length > 0) {
    if (rest.trim() === '') return;
    const k = PAIR_KEY.exec(rest);
    if (!k) {
      target.rawTail = rest.trim();
      return;
    }
    const key = k[1] ?? '';
    const valueStart = k[0].length;
    const ch = rest[valueStart];
    if (ch === '"') {
      const q = scanGoQuoted(rest, valueStart);
      if (!q) {
        target.rawTail = rest.trim();
        return;
      }
      target.fields[key] = q.value;
      rest = rest.slice(q.end);
      continue;
    }
    if (ch === '<' && rest.length === valueStart + 1) {
      target.openBlockKey = key;
      target.fields[key] = '';
      return;
    }
    if (ch === '{' || ch === '[') {
      const end = matchBracket(rest, valueStart);
      if (end > 0 && (end === rest.length || rest[end] === ' ')) {
        const text = rest.slice(valueStart, end);
        target.fields[key] = tryJson(text) ?? text;
        rest = rest.slice(end);
        continue;
      }
    }
    // Bare token (JSON scalar) or pre-2023 `%+v` text that may contain spaces: the value
    // runs to the next ` key=` boundary.
    NEXT_PAIR.lastIndex = valueStart;
    const next = NEXT_PAIR.exec(rest);
    const end = next ? next.index : rest.length;
    const text = rest.slice(valueStart, end);
    target.fields[key] = JSON_SCALAR.test(text) ? (JSON.parse(text) as KlogValue) : text;
    rest = rest.slice(end);
  }
}

function parseKlogJson(line: string): KlogLine | undefined {
  if (!line.includes('"caller"') && !line.includes('"msg"')) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(obj) || typeof obj.msg !== 'string' || typeof obj.ts !== 'number') return undefined;
  const caller = typeof obj.caller === 'string' ? obj.caller : '';
  const colon = caller.lastIndexOf(':');
  const tsMicros = Math.round(obj.ts * 1000);
  const d = new Date(Math.floor(tsMicros / 1000));
  const fields: Record<string, KlogValue> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'ts' || k === 'caller' || k === 'msg' || k === 'v') continue;
    fields[k] = v as KlogValue;
  }
  const isError = 'err' in obj && !('v' in obj);
  return {
    format: 'json',
    severity: isError ? 'E' : 'I',
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    micros: ((tsMicros % 1_000_000) + 1_000_000) % 1_000_000,
    tsMicros,
    file: colon > 0 ? caller.slice(0, colon) : caller,
    line: colon > 0 ? Number(caller.slice(colon + 1)) || 0 : 0,
    message: obj.msg,
    structured: true,
    fields,
  };
}

// Continuation of a `key=<` block: TAB (klog) or 8 spaces (journalctl expands the TAB).
const BLOCK_CONTINUATION = /^(?:\t| {8})/;
// Terminator ` >`, possibly followed by further pairs: ` > other="x"`.
const BLOCK_END = /^ >(?=$| )/;
const MAX_BLOCK_LINES = 10_000;

/**
 * Joins multi-line `key=<` values: feed every line in order; lines that belong to a block
 * are consumed, completed KlogLines come out of `done`.
 *
 * States: idle → (klog line ending `key=<`) → in-block → (` >`) → idle. A line that is
 * neither a continuation nor the terminator closes the block as it is (truncated capture).
 */
export class KlogBlockAssembler {
  private pending: KlogLine | undefined;
  private blockLines: string[] = [];

  push(line: string): { done: KlogLine[]; consumed: boolean } {
    const text = stripEol(line);
    if (this.pending) {
      if (BLOCK_END.test(text)) {
        const completed = this.close();
        parsePairs(text.slice(2), completed);
        if (completed.openBlockKey) return this.startOrEmit(completed, true);
        return { done: [completed], consumed: true };
      }
      if (BLOCK_CONTINUATION.test(text) && this.blockLines.length < MAX_BLOCK_LINES) {
        this.blockLines.push(text.startsWith('\t') ? text.slice(1) : text.slice(8));
        return { done: [], consumed: true };
      }
      const interrupted = this.close();
      const next = this.push(line);
      return { done: [interrupted, ...next.done], consumed: next.consumed };
    }
    const parsed = parseKlog(text);
    if (!parsed) return { done: [], consumed: false };
    return this.startOrEmit(parsed, true);
  }

  /** Emit a block left open at end of input. */
  flush(): KlogLine[] {
    return this.pending ? [this.close()] : [];
  }

  private startOrEmit(line: KlogLine, consumed: boolean): { done: KlogLine[]; consumed: boolean } {
    if (line.openBlockKey) {
      this.pending = line;
      this.blockLines = [];
      return { done: [], consumed };
    }
    return { done: [line], consumed };
  }

  private close(): KlogLine {
    const line = this.pending as KlogLine;
    const key = line.openBlockKey;
    if (key !== undefined) line.fields[key] = this.blockLines.join('\n');
    delete line.openBlockKey;
    this.pending = undefined;
    this.blockLines = [];
    return line;
  }
}

/** Go `strconv.Quote` string starting at `start` (a `"`): value and index after the closing quote. */
export function scanGoQuoted(text: string, start: number): { value: string; end: number } | undefined {
  if (text[start] !== '"') return undefined;
  let out = '';
  let i = start + 1;
  let plainFrom = i;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      out += text.slice(plainFrom, i);
      return { value: out, end: i + 1 };
    }
    if (c !== 0x5c /* \ */) {
      i++;
      continue;
    }
    out += text.slice(plainFrom, i);
    const e = text[i + 1];
    let consumed = 2;
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case "'": out += "'"; break;
      case 'x': case 'u': case 'U': {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = text.slice(i + 2, i + 2 + len);
        if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
        const code = parseInt(hex, 16);
        out += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
        consumed = 2 + len;
        break;
      }
      default:
        if (e !== undefined && e >= '0' && e <= '7') {
          const oct = text.slice(i + 1, i + 4);
          if (!/^[0-7]{3}$/.test(oct)) return undefined;
          out += String.fromCharCode(parseInt(oct, 8));
          consumed = 4;
          break;
        }
        return undefined;
    }
    i += consumed;
    plainFrom = i;
  }
  return undefined;
}

/** Unquote a whole Go-quoted string (`"a\tb"` → `a<TAB>b`); undefined if not one. */
export function unquoteGo(text: string): string | undefined {
  const q = scanGoQuoted(text, 0);
  return q && q.end === text.length ? q.value : undefined;
}

/** Index after the bracket matching `text[start]` (`{`/`[`), skipping JSON strings; -1 if unmatched. */
function matchBracket(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function tryJson(text: string): KlogValue | undefined {
  try {
    return JSON.parse(text) as KlogValue;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stripEol(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/** journald/syslog priority for a klog severity (the letter is the only severity source). */
export function klogSeverityToPriority(severity: KlogSeverity): number {
  return severity === 'F' ? 2 : severity === 'E' ? 3 : severity === 'W' ? 4 : 6;
}
