/**
 * Plain log files: a process's own log written to a file or captured from a container —
 * klog, logrus, Calico, zap JSON, CRI container log format (`kubectl cluster-info dump`,
 * /var/log/pods), docker json-file lines, and any RFC3339-prefixed line.
 *
 * Sample (koordinator-sh/koordinator#2095, rancher/rancher#30483, k3s-io/k3s#1242 — shared/samples):
 *   2024-06-10T19:09:25.669286185+00:00 stderr F E0610 19:09:25.668766       1 leaderelection.go:332] error retrieving resource lock koordinator-system/koordinator-manager: …
 *   {"log":"E1215 02:05:54.438366      34 server.go:252] lost master\n","stream":"stderr","time":"2020-12-15T02:05:54.438539719Z"}
 *   I1224 21:19:27.769743   90573 controller.go:107] OpenAPI AggregationController: Processing item v1beta1.metrics.k8s.io
 *   ERRO[2019-12-24T21:19:03.912413059+08:00] failed to delete revision 613650: database is locked
 *
 * Output: one `LogRecord` per timestamped line (ts from the line itself; identifier/unit and
 * node from the options), continuation lines (no timestamp of their own: stack traces,
 * `Trace[…]` lines, `key=<` blocks) appended to the previous record's message with `\n`.
 *
 * Container attribution: a container's own log says nothing about the container, so it is
 * taken from the file's name when that name is one the producers write (see
 * `containerFromLogPath`): kubelet's /var/log/pods and /var/log/containers layouts and
 * `kubectl logs` captures saved as `<ns>_<pod>_<container>[.previous].log` or
 * `<name>.previous.log`. Every record of such a file carries that `container`.
 *
 * Quirks: klog has no year (inferred from `referenceTime`) and no zone (`inputZone`);
 * Calico and zone-less RFC3339 stamps are local time too; CRI `P` (partial) lines are joined
 * with the next line; the wrapper format (CRI / docker) gives the time, the inner klog line
 * the severity. Lines are split at byte level; a line over 1 MiB is cut and reported.
 */
import { isGoroutineDumpStart } from './goroutine-dump.js';
import type { ContainerRef, LogRecord, ParseStats } from '../model/records.js';
import { MICROS_PER_DAY, inferYear, isoToMicros, zonedToMicros } from '../model/time.js';
import type { LogParseOptions, LogParser } from './types.js';
import { parseCalicoLog } from './calico-log.js';
import { parseEtcdClientJson } from './etcd-client-json.js';
import { klogSeverityToPriority, parseKlog, type KlogLine } from './klog.js';
import { parseLogrus } from './logrus.js';

export const MAX_LINE_BYTES = 1024 * 1024;
/** A record's message stops growing here; further continuation lines start a new record. */
const MAX_MESSAGE_CHARS = 1024 * 1024;

export interface RawLine {
  /** 1-based line number. */
  line: number;
  text: string;
  /** The line exceeded MAX_LINE_BYTES; `text` holds its first MAX_LINE_BYTES bytes. */
  tooLong: boolean;
}

/**
 * Split a Buffer stream into lines at `\n` without building whole-file strings; memory is
 * bounded by MAX_LINE_BYTES (the rest of an over-long line is skipped).
 */
export async function* readLines(chunks: AsyncIterable<Buffer>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<RawLine> {
  let carry: Buffer[] = [];
  let carryLen = 0;
  let overflow = false;
  let lineNo = 0;
  const take = (tail: Buffer): RawLine => {
    lineNo++;
    const parts = carryLen > 0 ? Buffer.concat([...carry, tail]) : tail;
    const tooLong = overflow || parts.length > maxLineBytes;
    const bytes = parts.length > maxLineBytes ? parts.subarray(0, maxLineBytes) : parts;
    carry = [];
    carryLen = 0;
    overflow = false;
    return { line: lineNo, text: bytes.toString('utf8'), tooLong };
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      yield overflow ? take(Buffer.alloc(0)) : take(room(piece));
      start = nl + 1;
    }
    if (start < chunk.length && !overflow) {
      const piece = room(chunk.subarray(start));
      if (piece.length > 0) {
        carry.push(Buffer.from(piece));
        carryLen += piece.length;
      }
    }
  }
  if (carryLen > 0 || overflow) yield take(Buffer.alloc(0));

  /** Keep at most what still fits under the cap; beyond it mark the line over-long. */
  function room(piece: Buffer): Buffer {
    const left = maxLineBytes + 1 - carryLen;
    if (piece.length <= left) return piece;
    overflow = true;
    return piece.subarray(0, Math.max(0, left));
  }
}

interface LineTime {
  ts: number | undefined;
  message: string;
  priority?: number;
  yearInferred?: boolean;
  partial?: boolean;
}

// 2024-06-10T19:09:25.669286185+00:00 stderr F E0610 19:09:25.668766 …
const CRI_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) (stdout|stderr) ([FP])(?: (.*))?$/;
// 2023-09-19T02:48:49.399Z	INFO	Starting workers	{…}   2019-09-03 14:50:41,821 some text
const RFC3339_PREFIX = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?(?=[\s\]]|$)/;

// panic: interface conversion: … [recovered]   /   fatal error: concurrent map writes
const PANIC_START = /^(?:panic: |fatal error: )/;

// DNS-1123 labels/subdomains as Kubernetes allows them in namespace, pod and container names
// (none of them can hold `_`, so `_` separates them unambiguously).
const NS = '[a-z][a-z0-9-]{0,62}';
const POD = '[a-z0-9][a-z0-9.-]{0,252}';
const CONTAINER = '[a-z0-9][a-z0-9-]{0,62}';
// /var/log/pods/kube-system_calico-node-kwv84_5f3c2b1e-8a4d-4c1e-9f4b-0d2e6a7b8c9d/calico-node/0.log
const KUBELET_POD_LOG = new RegExp(`(?:^|/)(${NS})_(${POD})_[0-9a-f-]{32,36}/(${CONTAINER})/\\d+\\.log(?:\\.\\d+)?$`);
// /var/log/containers/calico-node-kwv84_kube-system_calico-node-3f9c…(64 hex).log
const KUBELET_CONTAINER_LINK = new RegExp(`(?:^|/)(${POD})_(${NS})_(${CONTAINER})-[0-9a-f]{64}\\.log$`);
// ci_awx-operator-controller-manager-7f8c9d6b5-k8m2p_manager.previous.log   (kubectl logs -n ci <pod> -c manager --previous)
const KUBECTL_LOGS_NAMED = new RegExp(`(?:^|/)(${NS})_(${POD})_(${CONTAINER})(?:\\.previous)?\\.log$`);
// calico-kube-controllers.previous.log   (kubectl logs --previous <pod or deploy/name>)
const KUBECTL_LOGS_PREVIOUS = new RegExp(`(?:^|/)(${CONTAINER})\\.previous\\.log$`);

/**
 * The container whose log a file holds, from the names its producers give it; undefined when
 * the name says nothing. `<name>.previous.log` names only the pod (or its workload), which
 * is also taken as the container name (`kubectl logs` picks the pod's first container, which
 * controllers name after themselves); its namespace is unknown and left empty.
 */
export function containerFromLogPath(path: string): ContainerRef | undefined {
  let m = KUBELET_POD_LOG.exec(path);
  if (m) return { namespace: m[1]!, pod: m[2]!, container: m[3]! };
  m = KUBELET_CONTAINER_LINK.exec(path);
  if (m) return { namespace: m[2]!, pod: m[1]!, container: m[3]! };
  m = KUBECTL_LOGS_NAMED.exec(path);
  if (m) return { namespace: m[1]!, pod: m[2]!, container: m[3]! };
  m = KUBECTL_LOGS_PREVIOUS.exec(path);
  if (m) return { namespace: '', pod: m[1]!, container: m[1]! };
  return undefined;
}

/** The plain-log LogParser (see parsers/types.ts). Never throws on content. */

export const parsePlainLog: LogParser = async (chunks, options) => {
  const stats: ParseStats = { records: 0, unparsed: 0 };
  const zone = options.inputZone ?? 'UTC';
  const container = options.unit === undefined ? containerFromLogPath(options.path) : undefined;
  let pending: LogRecord | undefined;
  let partialPrefix = '';
  // Inside a Go panic / goroutine dump every line is its own record, so the ingest's dump
  // collector can rebuild the dump (a container log often ends in one).
  let inDump = false;
  const emit = (): void => {
    if (pending) {
      options.onRecord(pending);
      stats.records++;
    }
    pending = undefined;
  };
  for await (const raw of readLines(chunks)) {
    if (raw.tooLong) {
      stats.unparsed++;
      options.onUnparsed?.({ path: options.path, line: raw.line, reason: 'line too long' });
      continue;
    }
    const text = raw.text.endsWith('\r') ? raw.text.slice(0, -1) : raw.text;
    const parsed = lineTime(text, zone, options);
    if (parsed === undefined) {
      if (text.trim() === '') continue;
      if (inDump || isGoroutineDumpStart(text) || PANIC_START.test(text)) {
        inDump = true;
        const ts = pending?.ts;
        emit();
        pending = newRecord(options, raw.line, ts, text, container);
        continue;
      }
      if (pending && pending.message.length + text.length < MAX_MESSAGE_CHARS) {
        pending.message += `\n${text}`;
        continue;
      }
      const ts = pending?.ts;
      emit();
      pending = newRecord(options, raw.line, ts, text, container);
      continue;
    }
    inDump = false;
    if (parsed.yearInferred && parsed.ts !== undefined) stats.yearInferred ??= new Date(parsed.ts / 1000).getUTCFullYear();
    if (parsed.partial) {
      partialPrefix += parsed.message;
      continue;
    }
    emit();
    pending = newRecord(options, raw.line, parsed.ts, partialPrefix + parsed.message, container);
    partialPrefix = '';
    if (parsed.priority !== undefined) pending.priority = parsed.priority;
  }
  if (partialPrefix !== '' && !pending) pending = newRecord(options, 0, undefined, partialPrefix, container);
  emit();
  return stats;
};

function newRecord(options: LogParseOptions, line: number, ts: number | undefined, message: string, container?: ContainerRef): LogRecord {
  const record: LogRecord = { ts, message, source: { path: options.path, line } };
  if (container) record.container = { ...container };
  if (options.node !== undefined) record.node = options.node;
  if (options.unit !== undefined) {
    record.unit = options.unit;
    record.identifier = options.unit.replace(/^snap\./, '');
  }
  return record;
}

/** Time (and message) of a line that carries its own timestamp; undefined for continuations. */
function lineTime(text: string, zone: string, options: LogParseOptions): LineTime | undefined {
  const c = text[0];
  if (c === undefined) return undefined;
  if (c >= '0' && c <= '9') {
    const cri = CRI_LINE.exec(text);
    if (cri) {
      const inner = cri[4] ?? '';
      return { ts: isoToMicros(cri[1] ?? ''), message: inner, priority: innerPriority(inner), partial: cri[3] === 'P' };
    }
    const calico = parseCalicoLog(text, zone);
    if (calico) return { ts: calico.ts, message: text, priority: levelPriority(calico.level) };
    const r = RFC3339_PREFIX.exec(text);
    if (r) {
      const frac = ((r[7] ?? '') + '000000').slice(0, 6);
      const ts = r[8] !== undefined
        ? isoToMicros(r[0].replace(',', '.'))
        : zonedToMicros(Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]), Number(r[6]), Number(frac), zone);
      return { ts, message: text };
    }
    return undefined;
  }
  if (c === '{') {
    if (text.startsWith('{"log":')) {
      const docker = dockerJson(text);
      if (docker) return docker;
    }
    const k = parseKlog(text);
    if (k?.tsMicros !== undefined) return { ts: k.tsMicros, message: text, priority: klogSeverityToPriority(k.severity) };
    const z = parseEtcdClientJson(text);
    if (z) return { ts: z.ts, message: text, priority: levelPriority(z.level) };
    return undefined;
  }
  if (c === 'I' || c === 'W' || c === 'E' || c === 'F') {
    const k = parseKlog(text);
    if (k) {
      const { ts, inferred } = klogTime(k, zone, options.referenceTime);
      return { ts, message: text, priority: klogSeverityToPriority(k.severity), yearInferred: inferred };
    }
  }
  if (c === 't' || c === 'l' || c === 'E' || c === 'W' || c === 'I' || c === 'P' || c === 'F' || c === 'D' || c === 'T') {
    const l = parseLogrus(text);
    if (l) return { ts: l.ts, message: text, priority: levelPriority(l.level) };
  }
  return undefined;
}

function dockerJson(text: string): LineTime | undefined {
  try {
    const o = JSON.parse(text) as { log?: unknown; time?: unknown };
    if (typeof o.log !== 'string') return undefined;
    const message = o.log.endsWith('\n') ? o.log.slice(0, -1) : o.log;
    const ts = typeof o.time === 'string' ? isoToMicros(o.time) : undefined;
    return { ts, message, priority: innerPriority(message), partial: !o.log.endsWith('\n') };
  } catch {
    return undefined;
  }
}

/** Severity of a wrapped klog line (CRI / docker wrappers carry only the stream). */
function innerPriority(inner: string): number | undefined {
  const k = parseKlog(inner);
  return k ? klogSeverityToPriority(k.severity) : undefined;
}

function levelPriority(level: string): number | undefined {
  switch (level.toLowerCase()) {
    case 'panic': case 'fatal': case 'dpanic': return 2;
    case 'error': return 3;
    case 'warn': case 'warning': return 4;
    case 'info': return 6;
    case 'debug': case 'trace': return 7;
    default: return undefined;
  }
}

/** klog wall clock (no year, no zone) → µs, year inferred from the reference time. */
export function klogTime(k: KlogLine, zone: string, referenceTime: number | undefined): { ts: number | undefined; inferred: boolean } {
  if (k.tsMicros !== undefined) return { ts: k.tsMicros, inferred: false };
  if (referenceTime === undefined) return { ts: undefined, inferred: false };
  const year = inferYear(k.month, k.day, referenceTime, zone);
  const ts = zonedToMicros(year, k.month, k.day, k.hour, k.minute, k.second, k.micros, zone);
  return { ts: Number.isFinite(ts) && Math.abs(ts - referenceTime) < 400 * MICROS_PER_DAY ? ts : undefined, inferred: true };
}
