import { DeferredRecord, type PendingRecord, type QuietLane } from '../model/deferred-record.js';
import type { LogRecord } from '../model/records.js';
import type { EntryDescription } from './journal-entry.js';

const NO_CHUNK = Buffer.alloc(0);

/**
 * The latest quiet entry of one description that a receiver absorbed (QuietLanes.absorb):
 * where its message and cursor sit in the chunk, so the record is built only if the receiver
 * asks. Reused for every entry of the description; released after each chunk.
 */
export class HeldEntry implements PendingRecord {
  ts = 0;
  private chunk: Buffer = NO_CHUNK;
  private ordinal = 0;
  private messageStart = 0;
  private messageEnd = 0;
  private cursorStart = -1;
  private cursorEnd = 0;

  constructor(
    private readonly path: string,
    private readonly description: EntryDescription,
  ) {}

  /** Holds an entry of `chunk`; cursorStart -1: none. True when it held nothing since release(). */
  hold(ts: number, chunk: Buffer, ordinal: number, messageStart: number, messageEnd: number, cursorStart: number, cursorEnd: number): boolean {
    const first = this.chunk === NO_CHUNK;
    this.ts = ts;
    this.chunk = chunk;
    this.ordinal = ordinal;
    this.messageStart = messageStart;
    this.messageEnd = messageEnd;
    this.cursorStart = cursorStart;
    this.cursorEnd = cursorEnd;
    return first;
  }

  /** Lets go of the chunk (the receiver settled every record it took). */
  release(): void {
    this.chunk = NO_CHUNK;
  }

  record(): LogRecord {
    const record = new DeferredRecord(this.ts, { path: this.path, entry: this.ordinal }, this.chunk, this.messageStart, this.messageEnd, this.cursorStart, this.cursorEnd);
    return Object.assign(record, this.description);
  }
}

/** What the export reader knows of one description (one set of interned field values). */
export interface Described {
  readonly description: EntryDescription;
  /** Cached by interned key: later entries with the same values get this object back. */
  readonly cached: boolean;
  readonly held: HeldEntry;
  /** The receiver's lane for its quiet records: undefined not asked yet, null none. */
  lane: QuietLane | null | undefined;
  /** BootTracker.changes after this description's last record went through the tracker. */
  bootChanges: number;
}
