/**
 * logrus TextFormatter lines: containerd, k8s-dqlite / kine, etcd-operator, rke2/k3s
 * supervisors; and logrus' colored short form `ERRO[0001] msg   k=v` (TTY output).
 *
 * Sample (canonical/microk8s#… k8s-dqlite journal, k3s-io/k3s#1242, shared/samples):
 *   time="2024-10-29T17:23:14+05:30" level=info msg="Will initialize dqlite node" address="127.0.0.1:19001" cluster="[]"
 *   time="2022-12-14T17:51:38Z" level=error msg="error in txn: query (try: 0): context canceled"
 *   time="2022-02-10T19:51:14Z" level=info msg="setupServices start" cluster-name=etcd-bmpi52ms078i9sm0sni0 pkg=cluster
 *   ERRO[2019-12-24T21:19:03.912413059+08:00] failed to delete revision 613650: database is locked
 *
 * Output: `LogrusLine` { time (as printed), ts (µs, when the time has a zone), level
 * (`error`, `info`, …), msg (unquoted), fields (key → unquoted value) }.
 *
 * Quirks: values are quoted (Go `%q`) only when they contain characters outside
 * `[A-Za-z0-9-._/@^+]`; `time=` may be RFC3339 seconds (k8s-dqlite) or RFC3339Nano
 * (containerd); the short form's bracket holds seconds since start (`0001`) or a full
 * timestamp, and the message is space-padded to 44 columns before the fields.
 */
import { isoToMicros } from '../model/time.js';
import { scanGoQuoted } from './klog.js';

export interface LogrusLine {
  form: 'text' | 'short';
  time?: string;
  ts?: number;
  level: string;
  msg: string;
  fields: Record<string, string>;
}

// ERRO[0001] failed to delete revision 613650: database is locked
const SHORT_FORM = /^(PANI|FATA|ERRO|WARN|INFO|DEBU|TRAC)\[([^\]]*)\] ?(.*)$/;
// key= at the start of a pair: `time=`, `cluster-name=`
const KEY = /^([^\s="]+)=/;
// the first ` key=` after a short-form message
const FIELD_START = /\s+[A-Za-z_][\w.-]*=/;

const SHORT_LEVELS: Record<string, string> = {
  PANI: 'panic', FATA: 'fatal', ERRO: 'error', WARN: 'warning', INFO: 'info', DEBU: 'debug', TRAC: 'trace',
};

/** Parse one logrus line; undefined when it is neither form. Never throws. */
export function parseLogrus(line: string): LogrusLine | undefined {
  try {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const c = text[0];
    if (c === 't' || c === 'l') return parseTextForm(text);
    const m = SHORT_FORM.exec(text);
    if (!m) return undefined;
    const rest = m[3] ?? '';
    const f = FIELD_START.exec(rest);
    const result: LogrusLine = {
      form: 'short',
      level: SHORT_LEVELS[m[1] ?? ''] ?? 'info',
      msg: (f ? rest.slice(0, f.index) : rest).trimEnd(),
      fields: {},
    };
    const stamp = m[2] ?? '';
    if (!/^\d+$/.test(stamp)) {
      result.time = stamp;
      const ts = isoToMicros(stamp);
      if (ts !== undefined) result.ts = ts;
    }
    if (f) parseLogrusPairs(rest.slice(f.index).trimStart(), result.fields);
    return result;
  } catch {
    return undefined;
  }
}

function parseTextForm(text: string): LogrusLine | undefined {
  if (!text.startsWith('time=') && !text.startsWith('level=')) return undefined;
  const fields: Record<string, string> = {};
  if (!parseLogrusPairs(text, fields) && fields.level === undefined) return undefined;
  const level = fields.level;
  if (level === undefined) return undefined;
  const result: LogrusLine = { form: 'text', level, msg: fields.msg ?? '', fields };
  if (fields.time !== undefined) {
    result.time = fields.time;
    const ts = isoToMicros(fields.time);
    if (ts !== undefined) result.ts = ts;
  }
  delete fields.time;
  delete fields.level;
  delete fields.msg;
  return result;
}

/** `k=v k2="quoted \"x\""` → fields; false when some tail could not be split (kept in `_raw`). */
export function parseLogrusPairs(text: string, fields: Record<string, string>): boolean {
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ') i++;
    if (i >= text.length) break;
    const k = KEY.exec(text.slice(i, i + 256));
    if (!k) {
      fields._raw = text.slice(i);
      return false;
    }
    const key = k[1] ?? '';
    i += k[0].length;
    if (text[i] === '"') {
      const q = scanGoQuoted(text, i);
      if (!q) {
        fields[key] = text.slice(i + 1);
        return false;
      }
      fields[key] = q.value;
      i = q.end;
    } else {
      const sp = text.indexOf(' ', i);
      const end = sp < 0 ? text.length : sp;
      fields[key] = text.slice(i, end);
      i = end;
    }
  }
  return true;
}
