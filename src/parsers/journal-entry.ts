/**
 * Shared mapping from a journald entry's fields (export or JSON form) to the normalized
 * `LogRecord`, and the boot-change tracking both structured forms use.
 *
 * Only the fields a record needs are kept (`JOURNAL_FIELD_SLOTS`); parsers skip the rest
 * without decoding them. Repeated fields: the first value wins (journalctl's short output
 * also prints the first).
 *
 * Time: `__REALTIME_TIMESTAMP` (journald's receive time). journalctl's text output shows
 * `_SOURCE_REALTIME_TIMESTAMP` when an entry has it (native-protocol senders such as PID 1),
 * so text and structured times can differ for those entries; stdout-stream entries (all
 * service output) have no source timestamp and agree to the microsecond.
 */
import type { JournalMarker, LogRecord, Provenance } from '../model/records.js';
import { normalizeUnit, unitFromIdentifier } from '../model/units.js';

export interface JournalFields {
  message?: string;
  hostname?: string;
  systemdUnit?: string;
  /** `UNIT=`: the unit PID 1 talks about in its own messages ("Started …"). */
  aboutUnit?: string;
  identifier?: string;
  comm?: string;
  pid?: string;
  syslogPid?: string;
  priority?: string;
  bootId?: string;
  realtime?: string;
  cursor?: string;
  /** Fields whose value is not (fully) present: JSON `null`, or export values over the retain cap. */
  truncated?: string[];
}

export type JournalFieldSlot = Exclude<keyof JournalFields, 'truncated'>;

/** journald field name → where it goes. Everything else is skipped. */
export const JOURNAL_FIELD_SLOTS: ReadonlyMap<string, JournalFieldSlot> = new Map<string, JournalFieldSlot>([
  ['MESSAGE', 'message'],
  ['_HOSTNAME', 'hostname'],
  ['_SYSTEMD_UNIT', 'systemdUnit'],
  ['UNIT', 'aboutUnit'],
  ['SYSLOG_IDENTIFIER', 'identifier'],
  ['_COMM', 'comm'],
  ['_PID', 'pid'],
  ['SYSLOG_PID', 'syslogPid'],
  ['PRIORITY', 'priority'],
  ['_BOOT_ID', 'bootId'],
  ['__REALTIME_TIMESTAMP', 'realtime'],
  ['__CURSOR', 'cursor'],
]);

/**
 * Fields whose values repeat from entry to entry (host, unit, identifier, PID, boot id…):
 * readers decode each distinct value once and share the string.
 */
export const REPEATING_SLOTS: readonly JournalFieldSlot[] = [
  'hostname', 'systemdUnit', 'aboutUnit', 'identifier', 'comm', 'pid', 'syslogPid', 'priority', 'bootId',
];

export interface EntryContext {
  source: Provenance;
  node?: string;
  unit?: string;
}

/** Decimal digits only (as `/^\d+$/`), within the safe-integer range; per entry, so no regex. */
function toInt(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Unit of an entry: its own `_SYSTEMD_UNIT`, except PID 1's messages, which run in
 * `init.scope` and name the unit they are about in `UNIT=` (journalctl -u selects them by it).
 */
function unitOf(fields: JournalFields, ctx: Omit<EntryContext, 'source'>, pid: number | undefined): string | undefined {
  if (pid === 1 && fields.aboutUnit) return normalizeUnit(fields.aboutUnit);
  if (fields.systemdUnit) return normalizeUnit(fields.systemdUnit);
  return ctx.unit ?? unitFromIdentifier(fields.identifier);
}

/** Build the record for an entry that has a MESSAGE (callers skip entries without one). */
export function journalEntryToRecord(fields: JournalFields, ctx: EntryContext): LogRecord {
  const record: LogRecord = {
    ts: toInt(fields.realtime),
    message: fields.message ?? '',
    source: ctx.source,
  };
  return describeEntry(record, fields, ctx);
}

/** What describeEntry sets. */
export type EntryDescription = Pick<LogRecord, 'node' | 'unit' | 'identifier' | 'pid' | 'priority' | 'bootId' | 'truncatedFields'>;

/** Sets a record's node, unit, identifier, PID, priority, boot id and truncated fields from its entry. */
export function describeEntry<R extends EntryDescription>(record: R, fields: JournalFields, ctx: Omit<EntryContext, 'source'>): R {
  const pid = toInt(fields.pid) ?? toInt(fields.syslogPid);
  const node = fields.hostname || ctx.node;
  if (node) record.node = node;
  const unit = unitOf(fields, ctx, pid);
  if (unit) record.unit = unit;
  const identifier = fields.identifier ?? fields.comm;
  if (identifier !== undefined) record.identifier = identifier;
  if (pid !== undefined) record.pid = pid;
  const priority = toInt(fields.priority);
  if (priority !== undefined && priority <= 7) record.priority = priority;
  if (fields.bootId) record.bootId = fields.bootId;
  if (fields.truncated && fields.truncated.length > 0) record.truncatedFields = fields.truncated;
  return record;
}

/**
 * Emits a `boot` marker where the boot id changes between consecutive entries of the same
 * host (merged multi-host journals interleave), as journalctl prints `-- Boot <id> --`. The
 * first entry of a host is not a boot: an export taken with `--since` starts mid-boot, and
 * journals of several nodes that start together are not a simultaneous reboot.
 */
export class BootTracker {
  private readonly lastBoot = new Map<string, string>();
  /** How often a host's boot id was set: while unchanged, a record seen before gives no marker again. */
  changes = 0;

  observe(record: LogRecord): JournalMarker | undefined {
    const bootId = record.bootId;
    if (!bootId) return undefined;
    const host = record.node ?? '';
    const previous = this.lastBoot.get(host);
    if (previous === bootId) return undefined;
    this.lastBoot.set(host, bootId);
    this.changes++;
    if (previous === undefined) return undefined;
    const marker: JournalMarker = { kind: 'boot', bootId, source: record.source, text: `-- Boot ${bootId} --` };
    if (record.ts !== undefined) marker.ts = record.ts;
    if (record.node) marker.node = record.node;
    return marker;
  }
}
