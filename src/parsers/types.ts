import type { PendingRecord, QuietLane } from '../model/deferred-record.js';
import type { JournalMarker, LogRecord, ParseStats, Unparsed } from '../model/records.js';

/**
 * Contract every log-shaped parser follows: consume a stream of Buffers, call back for
 * each record, never throw on a bad line (report it through `unparsed`), and only throw a
 * `ParseError` when the whole input is unusable.
 */
export interface LogParseOptions {
  /** Bundle-relative path used in provenance. */
  path: string;
  /** Node the member is attributed to (from layout or path); content (e.g. `_HOSTNAME`) wins. */
  node?: string;
  /** Unit the member belongs to when the content does not say (inspect `<svc>/journal.log`). */
  unit?: string;
  /** Reference time (µs) used to place year-less timestamps: the capture / member mtime. */
  referenceTime?: number;
  /** IANA zone in which zone-less timestamps (journalctl short, klog) were printed. Default UTC. */
  inputZone?: string;
  /**
   * `inputZone` is only a fallback: a parser that can read the printing zone off the member
   * itself (journalctl short lines next to logrus `time=` stamps) uses that instead.
   */
  inferZone?: boolean;
  onRecord(record: LogRecord): void;
  onMarker?(marker: JournalMarker): void;
  onUnparsed?(unparsed: Unparsed): void;
  /** Where a parser that can prefilter raw bytes may send records nothing needs to read. */
  quiet?: QuietRecords;
  /** Takes back a chunk the parser keeps nothing of (see Member.recycle); parsers may ignore it. */
  recycle?(chunk: Buffer): void;
}

/**
 * A parser that can tell from a message's bytes that it holds none of `literals` and cannot
 * start a goroutine dump (see native/export-scan.ts) passes such a record to
 * `onQuietRecord` instead of `onRecord`, possibly with its text not yet decoded (a
 * DeferredRecord), and calls `settle()` at least after every chunk so the receiver can
 * settle the records it keeps.
 */
export interface QuietRecords {
  literals: readonly string[];
  onQuietRecord(record: LogRecord): void;
  settle(): void;
  /** Optional: lets the parser skip making most quiet records (see QuietLanes). */
  lanes?: QuietLanes;
}

/**
 * After onQuietRecord(record), a parser that describes many records alike (same node, unit,
 * identifier, PID, boot; one member) may ask for the receiver's `lane` for records like it.
 * For each later quiet record of that description at `ts` it then first offers
 * `absorb(lane, ts)`: true means the receiver took it without a record object, holding
 * `pending` as the lane's latest record, and the parser must fill `pending` with this record
 * before anything else runs. `pending.record()` builds the record on demand (at the latest
 * when the receiver settles); the parser keeps what it needs until the next settle().
 */
export interface QuietLanes {
  lane(record: LogRecord, pending: PendingRecord): QuietLane | undefined;
  absorb(lane: QuietLane, ts: number): boolean;
}

/** Thrown only when a whole input is unusable (e.g. not the format at all). */
export class ParseError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

export type LogParser = (chunks: AsyncIterable<Buffer>, options: LogParseOptions) => Promise<ParseStats>;

/** Result shape of state parsers (small inputs parsed whole). */
export interface StateParseResult<T> {
  value: T;
  unparsed: Unparsed[];
  warnings: string[];
}
