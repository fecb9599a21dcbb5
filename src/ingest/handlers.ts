import { inspectLayout } from '../bundle/node.js';
import type { Member, MemberKind } from '../bundle/types.js';
import type { EventStore } from '../engine/store.js';
import { FACT_INPUTS } from '../engine/inputs.js';
import type { Facts } from '../model/facts.js';
import type { JournalMarker, LogRecord, ParseStats, Unparsed } from '../model/records.js';
import { zonedToMicros } from '../model/time.js';
import { unitFromInspectDir } from '../model/units.js';
import { parseClusterInfoDump } from '../parsers/cluster-info-dump.js';
import { parseDateOutput } from '../parsers/date-output.js';
import { parseGoroutineDump } from '../parsers/goroutine-dump.js';
import { parseJournalctlText } from '../parsers/journalctl-text.js';
import { parseJournaldExport } from '../parsers/journald-export.js';
import { parseJournaldJson } from '../parsers/journald-json.js';
import { parseKubernetesObjects } from '../parsers/kubectl.js';
import { parseKubernetesJsonStream } from '../parsers/kubectl-json-stream.js';
import { parseKubectlEventsTable } from '../parsers/kubectl-events-table.js';
import { parsePlainLog } from '../parsers/plain-log.js';
import { parseShellSession } from '../parsers/shell-session.js';
import type { LogParser, LogParseOptions, QuietRecords, StateParseResult } from '../parsers/types.js';
import { STATE_HANDLERS } from './state-handlers.js';

/** Where a member's parse results go (implemented by ingest.ts). */
export interface MemberSink {
  store: EventStore;
  referenceTime: number | undefined;
  inputZone: string;
  /** `inputZone` is a fallback: parsers may learn the printing zone from the member. */
  inferZone: boolean;
  record(record: LogRecord): void;
  /** Records the parser showed need not be matched (see QuietRecords); absent when every record must be seen. */
  quiet?: QuietRecords;
  marker(marker: JournalMarker): void;
  unparsed(u: Unparsed): void;
  warning(message: string): void;
  yearInferred(year: number): void;
  /** Records whose year-less timestamps could not be placed in any year. */
  undated(count: number): void;
  zoneInferred(zone: string, line: number): void;
  /** A `date` capture: the moment the capture was taken (a year reference for later members). */
  captureDate(micros: number): void;
  /** Count parsed items that are not log records (goroutines). */
  count(n: number): void;
  /** Parsed state (the store keeps it with storeFacts), `memberNode` given to the items that name none. */
  facts(facts: Partial<Facts>, memberNode: string | undefined): void;
}

const LOG_PARSERS: Partial<Record<MemberKind, LogParser>> = {
  'journald-export': parseJournaldExport,
  'journald-json': parseJournaldJson,
  'journalctl-text': parseJournalctlText,
  klog: parsePlainLog,
  'plain-log': parsePlainLog,
};

/** Adds parsed facts to the store, marking the inputs they provide; returns how many. */
export function storeFacts(store: EventStore, facts: Partial<Facts>, memberNode: string | undefined): number {
  let added = 0;
  for (const [key, values] of Object.entries(facts) as Array<[keyof Facts, Array<{ node?: string }> | undefined]>) {
    if (!values?.length) continue;
    if (memberNode !== undefined) for (const v of values) v.node ??= memberNode;
    (store.facts[key] as unknown[]).push(...values);
    added += values.length;
    const input = FACT_INPUTS[key as keyof typeof FACT_INPUTS];
    if (!input) continue;
    store.markInput(input);
    for (const v of values) if (v.node) store.markInput(input, v.node);
  }
  return added;
}

export function reportStateResult<T>(sink: MemberSink, result: StateParseResult<T>, path?: string): T {
  for (const u of result.unparsed) sink.unparsed(u);
  // Parsers may prefix their warnings with the path the report already shows.
  for (const w of result.warnings) sink.warning(path && w.startsWith(path) ? w.slice(path.length).replace(/^(?::\d+)?: /, '') : w);
  return result.value;
}

/** Most of a pasted shell session read (it is read as one text). */
const SHELL_SESSION_MAX_BYTES = 64 * 1024 * 1024;

/** A `date` capture is one line; more than this is not one. */
const DATE_BYTES = 256;

/** The member's bytes, or its first `limit` bytes. */
export async function readAll(member: Member, limit = Infinity): Promise<Buffer> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of member.chunks()) {
    parts.push(chunk);
    bytes += chunk.length;
    if (bytes >= limit) break;
  }
  const all = Buffer.concat(parts);
  return all.length > limit ? all.subarray(0, limit) : all;
}

function logOptions(member: Member, sink: MemberSink): LogParseOptions {
  const layout = inspectLayout(member.innerPath);
  const unit = layout?.service ? unitFromInspectDir(layout.service) : undefined;
  return {
    path: member.path,
    ...(member.node ? { node: member.node } : {}),
    ...(unit ? { unit } : {}),
    ...(sink.referenceTime !== undefined ? { referenceTime: sink.referenceTime } : {}),
    inputZone: sink.inputZone,
    ...(sink.inferZone ? { inferZone: true } : {}),
    onRecord: (r) => sink.record(r),
    onMarker: (m) => sink.marker(m),
    onUnparsed: (u) => sink.unparsed(u),
    ...(sink.quiet ? { quiet: sink.quiet } : {}),
    ...(member.recycle ? { recycle: member.recycle } : {}),
  };
}

/** The PLEG detector names its captures `<YYYYMMDD_HHMMSS>_kubelite_goroutines.log` (local time). */
const DETECTOR_NAME = /(?:^|\/)(\d{4})(\d\d)(\d\d)[_T-]?(\d\d)(\d\d)(\d\d)_[^/]*$/;

function dumpTimeFromName(innerPath: string, zone: string): number | undefined {
  const m = DETECTOR_NAME.exec(innerPath);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return zonedToMicros(y, mo, d, h, mi, s, 0, zone);
}

function noteStats(sink: MemberSink, stats: ParseStats): void {
  if (stats.yearInferred !== undefined) sink.yearInferred(stats.yearInferred);
  if (stats.undated) sink.undated(stats.undated);
  if (stats.zoneInferred !== undefined) sink.zoneInferred(stats.zoneInferred.zone, stats.zoneInferred.line);
}

/** Parses one member by its sniffed kind into the sink. */
export async function handleMember(member: Member, sink: MemberSink): Promise<void> {
  const logParser = LOG_PARSERS[member.kind];
  if (logParser) {
    noteStats(sink, await logParser(member.chunks(), logOptions(member, sink)));
    return;
  }
  switch (member.kind) {
    case 'goroutine-dump': {
      // PLEG-detector files are named <ts>_kubelite_goroutines.log / <ts>_containerd_goroutines.log.
      const process = /kubelite|containerd|kubelet/.exec(member.innerPath)?.[0];
      const { dumps, unparsed } = await parseGoroutineDump(member.chunks(), {
        path: member.path,
        ...(member.node ? { node: member.node } : {}),
        ...(process ? { process } : {}),
      });
      for (const u of unparsed) sink.unparsed(u);
      for (const dump of dumps) {
        dump.ts ??= dumpTimeFromName(member.innerPath, sink.inputZone) ?? (member.archived ? member.mtime : undefined);
        sink.store.addDump(dump);
        sink.count(dump.goroutines.length);
      }
      return;
    }
    case 'kubectl-json': {
      // Streamed one List item at a time: `kubectl get pods -A -o json` can be hundreds of MB.
      const result = await parseKubernetesJsonStream(member.chunks(), { path: member.path, ...(member.node ? { node: member.node } : {}) });
      sink.facts(reportStateResult(sink, result, member.path), undefined);
      return;
    }
    case 'kubectl-yaml': {
      const text = (await readAll(member)).toString('utf8');
      sink.facts(reportStateResult(sink, parseKubernetesObjects(text, { path: member.path, ...(member.node ? { node: member.node } : {}) }), member.path), undefined);
      return;
    }
    case 'kubectl-events-table': {
      const text = (await readAll(member)).toString('utf8');
      const events = reportStateResult(sink, parseKubectlEventsTable(text, { path: member.path, ...(member.node ? { node: member.node } : {}) }), member.path);
      sink.facts({ events }, undefined);
      return;
    }
    case 'shell-session': {
      // A paste is read whole (its commands decide how each line is read); pastes are small.
      const bytes = await readAll(member, SHELL_SESSION_MAX_BYTES + 1);
      if (bytes.length > SHELL_SESSION_MAX_BYTES) sink.warning(`shell session read up to ${SHELL_SESSION_MAX_BYTES} bytes; the rest was not read`);
      const text = bytes.subarray(0, SHELL_SESSION_MAX_BYTES).toString('utf8');
      const result = parseShellSession(text, {
        path: member.path,
        ...(member.node ? { node: member.node } : {}),
        ...(sink.referenceTime !== undefined ? { referenceTime: sink.referenceTime } : {}),
        onRecord: (r) => sink.record(r),
      });
      if (result.undated) sink.undated(result.undated);
      sink.facts(reportStateResult(sink, result, member.path), undefined);
      return;
    }
    case 'cluster-info-dump': {
      const result = await parseClusterInfoDump(member.chunks(), {
        path: member.path,
        ...(member.node ? { node: member.node } : {}),
        ...(sink.referenceTime !== undefined ? { referenceTime: sink.referenceTime } : {}),
        onRecord: (r) => sink.record(r),
      });
      sink.facts(reportStateResult(sink, result, member.path), undefined);
      return;
    }
    case 'date': {
      const ts = parseDateOutput((await readAll(member, DATE_BYTES)).toString('utf8'), sink.inputZone);
      if (ts === undefined) sink.warning('not a date line');
      else sink.captureDate(ts);
      return;
    }
    default: {
      const handler = STATE_HANDLERS[member.kind];
      if (!handler) {
        sink.warning(`no parser for kind ${member.kind}`);
        return;
      }
      await handler(member, sink);
    }
  }
}
