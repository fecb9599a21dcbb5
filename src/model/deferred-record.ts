import type { ContainerRef, LogRecord, Provenance } from './records.js';

/**
 * A log record whose message (and journald cursor) are still bytes of the chunk it was read
 * from. Most lines of a large journal are counted and dropped without anyone reading their
 * text; those are never decoded. Reading `message` decodes it. `settle()` decodes both into
 * plain own properties and lets go of the chunk: whoever keeps a record past the chunk it
 * came in (the store's last line of a unit) settles it, so memory does not hold old chunks.
 */
export class DeferredRecord implements LogRecord {
  declare node?: string;
  declare unit?: string;
  declare identifier?: string;
  declare pid?: number;
  declare priority?: number;
  declare bootId?: string;
  declare container?: ContainerRef;
  declare truncatedFields?: string[];
  // ES private fields: invisible to spread, JSON and Object.keys, like the bytes they stand for.
  #chunk: Buffer | undefined;
  #text: string | undefined;
  readonly #messageStart: number;
  readonly #messageEnd: number;
  /** -1: no cursor. */
  readonly #cursorStart: number;
  readonly #cursorEnd: number;

  constructor(
    public ts: number | undefined,
    public source: Provenance,
    chunk: Buffer,
    messageStart: number,
    messageEnd: number,
    cursorStart: number,
    cursorEnd: number,
  ) {
    this.#chunk = chunk;
    this.#messageStart = messageStart;
    this.#messageEnd = messageEnd;
    this.#cursorStart = cursorStart;
    this.#cursorEnd = cursorEnd;
  }

  get message(): string {
    if (this.#text === undefined) this.#text = (this.#chunk as Buffer).toString('utf8', this.#messageStart, this.#messageEnd);
    return this.#text;
  }

  set message(text: string) {
    this.#text = text;
  }

  settle(): void {
    const chunk = this.#chunk;
    if (chunk === undefined) return;
    if (this.#cursorStart >= 0) this.source.cursor = chunk.toString('utf8', this.#cursorStart, this.#cursorEnd);
    // An own, enumerable `message`, as on any other record (spread and JSON see it).
    Object.defineProperty(this, 'message', { value: this.message, writable: true, enumerable: true, configurable: true });
    this.#chunk = undefined;
  }
}

/** Settles the record if it is a DeferredRecord (see there); other records are settled already. */
export function settleRecord(record: LogRecord | undefined): void {
  if (record instanceof DeferredRecord) record.settle();
}

/** A quiet record still held by its parser as offsets into a chunk (parsers/types.ts QuietLanes). */
export interface PendingRecord {
  readonly ts: number;
  record(): LogRecord;
}

/** A receiver's handle for one lane of quiet records; opaque to parsers. */
export interface QuietLane {
  readonly pending: PendingRecord;
}
