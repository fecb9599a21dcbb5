/**
 * Journal Export Format (`journalctl -o export`, also `systemd-journal-remote` input),
 * written by systemd `src/shared/logs-show.c output_export()`.
 *
 * Sample (test/data/journald/export.txt, rendered by journalctl 252; fields elided with …;
 * a binary field is `MESSAGE`, `\n`, 8 length bytes, the raw value, `\n`):
 *   __CURSOR=s=4abe5cacdca040f4aae69f18e0cd6c41;i=4;b=5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10;m=9a78c0;t=65204126387c0;x=940562823f521613
 *   __REALTIME_TIMESTAMP=1779027302123456
 *   _BOOT_ID=5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10
 *   _HOSTNAME=k8s03
 *   SYSLOG_IDENTIFIER=microk8s.daemon-kubelite
 *   _PID=1234567
 *   _SYSTEMD_UNIT=snap.microk8s.daemon-kubelite.service
 *   MESSAGE=I0518 00:15:02.123456 1234567 kubelet_node_status.go:77] "Successfully registered node" node="k8s03"
 *   (empty line: end of entry)
 *
 * Output: one `LogRecord` per entry that has MESSAGE (see journal-entry.ts for the field
 * mapping), source `{ path, entry (1-based ordinal), cursor }` (no line: an export is addressed by entry);
 * a `boot` marker before the first entry of each boot of each host.
 *
 * Framing, exactly as systemd's importer (`src/shared/journal-importer.c`) reads it:
 * a line containing `=` is `NAME=value` (split at the first `=`); a line without `=` is the
 * name of a binary field followed by a little-endian u64 length, that many raw bytes and a
 * `\n`; an empty line ends the entry. Entries are NEVER split on blank lines: binary values
 * contain `\n\n` (systemd#16202). Unknown and `__` fields are skipped; `__SEQNUM*` optional.
 *
 * Quirks handled: binary lengths are untrusted (nothing is allocated from them; values over
 * `MAX_RETAINED_VALUE_BYTES` keep their head and are listed in `truncatedFields`; lengths over
 * the importer's DATA_SIZE_MAX, a non-field line, or a missing `\n` after binary data →
 * unparsed, then resynchronise at the next line starting `__CURSOR=` (or the next blank line
 * in a stream that never had cursors). A final entry cut off without its blank line is kept
 * if it has MESSAGE. Complete entries without MESSAGE are skipped, as journalctl's text
 * output does.
 *
 * Speed: whole entries of text fields are read by the WebAssembly scanner (export-scan.ts);
 * this file reads what it stops at (binary fields, broken framing, an entry cut by a chunk
 * boundary) line by line, and everything when the scanner cannot load. Given `quiet`, an
 * entry whose message the scanner's byte prefilter clears becomes a DeferredRecord: its
 * message is decoded only if someone reads it. Given quiet lanes as well, most such entries
 * become no object at all: the receiver absorbs them, and the latest of each description
 * is held as offsets (held-entry.ts) until the receiver settles.
 */
import { DeferredRecord } from '../model/deferred-record.js';
import type { LogRecord, ParseStats, Provenance, Unparsed } from '../model/records.js';
import type { LogParseOptions, LogParser } from './types.js';
import { CURSOR_FIELD, ExportScanner, exportScanner, MESSAGE_FIELD, ScanStop, SCANNED_SLOTS, TIMESTAMP_FIELD } from './export-scan.js';
import {
  BootTracker, describeEntry, JOURNAL_FIELD_SLOTS, journalEntryToRecord, REPEATING_SLOTS, type JournalFields, type JournalFieldSlot,
} from './journal-entry.js';
import { LineAssembler } from './line-splitter.js';
import { HeldEntry, type Described } from './held-entry.js';

/** systemd journal-importer.h DATA_SIZE_MAX. */
export const EXPORT_DATA_SIZE_MAX = 768 * 1024 * 1024;
/** Most bytes of one binary value kept in memory (a value is one log line or dump chunk). */
export const MAX_RETAINED_VALUE_BYTES = 8 * 1024 * 1024;
/** journal_field_valid(): at most 64 characters. */
const MAX_FIELD_NAME = 64;

const NL = 0x0a;
const EQ = 0x3d;
const CURSOR_PREFIX = Buffer.from('__CURSOR=');

interface WantedField {
  name: Buffer;
  slot: JournalFieldSlot;
  /** Index of the slot's intern cache, -1 when its values are decoded each time. */
  intern: number;
}

/**
 * Wanted field names by a hash of (length, second byte, last byte): almost every line of an
 * export is a field we skip, and this rejects it with one table read and no byte compare.
 */
const NAME_TABLE_MASK = 1023;
const nameHash = (length: number, second: number, last: number): number => (length * 961 + second * 31 + last) & NAME_TABLE_MASK;
const WANTED_BY_HASH: Array<WantedField[] | undefined> = new Array(NAME_TABLE_MASK + 1);
for (const [name, slot] of JOURNAL_FIELD_SLOTS) {
  const bytes = Buffer.from(name, 'latin1');
  const h = nameHash(bytes.length, bytes[1] ?? 0, bytes[bytes.length - 1] as number);
  (WANTED_BY_HASH[h] ??= []).push({ name: bytes, slot, intern: REPEATING_SLOTS.indexOf(slot) });
}

/** The wanted field named by `buf[start, start + length)`, if any. */
function wantedAt(buf: Buffer, start: number, length: number): WantedField | undefined {
  const candidates = WANTED_BY_HASH[nameHash(length, length > 1 ? (buf[start + 1] as number) : 0, buf[start + length - 1] as number)];
  if (candidates === undefined) return undefined;
  outer: for (const field of candidates) {
    const name = field.name;
    if (name.length !== length) continue;
    for (let i = 0; i < length; i++) {
      if (buf[start + i] !== name[i]) continue outer;
    }
    return field;
  }
  return undefined;
}

/** journal_field_valid() with protected fields allowed: `[A-Z_][A-Z0-9_]{0,63}`. */
function isFieldName(buf: Buffer, start: number, end: number): boolean {
  const length = end - start;
  if (length === 0 || length > MAX_FIELD_NAME) return false;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    const ok = (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x30 && c <= 0x39 && i > start);
    if (!ok) return false;
  }
  return true;
}

/** Offset of the first `=` in `buf[start, end)`, -1 if none. Field names are short: look there first. */
function equalsIn(buf: Buffer, start: number, end: number): number {
  const near = Math.min(end, start + MAX_FIELD_NAME + 1);
  for (let i = start; i < near; i++) if (buf[i] === EQ) return i;
  if (near === end) return -1;
  const eq = buf.indexOf(EQ, near);
  return eq >= 0 && eq < end ? eq : -1;
}

/**
 * Decodes a repeating value once: a few recent values per slot are compared as bytes first,
 * the last one returned before the others. Saves most of the per-entry string allocation of
 * a large journal.
 */
const INTERN_MAX_BYTES = 128;
const INTERN_WAYS = 16;

class InternCache {
  readonly bytes: Buffer[] = [];
  readonly texts: string[] = [];
  next = 0;
  /** Index of the value returned last. */
  recent = 0;
}

class ValueInterner {
  private readonly caches = REPEATING_SLOTS.map(() => new InternCache());

  text(intern: number, buf: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > INTERN_MAX_BYTES) return buf.toString('utf8', start, end);
    const cache = this.caches[intern] as InternCache;
    const { bytes, texts } = cache;
    if (bytes.length > 0 && sameBytes(bytes[cache.recent] as Buffer, buf, start, length)) return texts[cache.recent] as string;
    for (let k = 0; k < bytes.length; k++) {
      if (k !== cache.recent && sameBytes(bytes[k] as Buffer, buf, start, length)) {
        cache.recent = k;
        return texts[k] as string;
      }
    }
    const text = buf.toString('utf8', start, end);
    const copy = Buffer.from(buf.subarray(start, end));
    let k = bytes.length;
    if (k < INTERN_WAYS) {
      bytes.push(copy);
      texts.push(text);
    } else {
      k = cache.next;
      bytes[k] = copy;
      texts[k] = text;
      cache.next = (k + 1) % INTERN_WAYS;
    }
    cache.recent = k;
    return text;
  }
}

function sameBytes(known: Buffer, buf: Buffer, start: number, length: number): boolean {
  if (known.length !== length) return false;
  for (let i = 0; i < length; i++) if (known[i] !== buf[start + i]) return false;
  return true;
}

function countNewlines(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(NL, start); i >= 0 && i < end; i = buf.indexOf(NL, i + 1)) n++;
  return n;
}

const MAX_DESCRIPTIONS = 4096;

/** What describeEntry reads: every scanned field but the message, time and cursor (taken apart). */
const DESCRIBING_FIELDS: readonly number[] = SCANNED_SLOTS.flatMap((_, field) => (field === MESSAGE_FIELD || field === CURSOR_FIELD || field === TIMESTAMP_FIELD ? [] : [field]));

const enum State {
  Line,
  BinaryLength,
  BinaryData,
  BinaryNewline,
  Resync,
}

class ExportReader {
  readonly stats: ParseStats = { records: 0, unparsed: 0 };
  private readonly lines = new LineAssembler();
  private readonly boots = new BootTracker();
  private readonly interner = new ValueInterner();
  /** describe()'s cache, by interned key, valid for one scanner generation. */
  private readonly descriptions = new Map<number, Described>();
  /** Entries held for the receiver in the current chunk (see QuietLanes). */
  private readonly heldInChunk: HeldEntry[] = [];
  private descriptionsOf = -1;
  private state = State.Line;
  /** Line number of the last line read (1-based, counting every `\n` of the stream). */
  private lineNo = 0;
  private ordinal = 0;
  private sawCursor = false;

  private fields: JournalFields | undefined;
  private entryLine = 0;

  private binaryName = '';
  private binarySlot: JournalFieldSlot | undefined;
  private readonly lengthBytes = Buffer.alloc(8);
  private lengthFilled = 0;
  private remaining = 0;
  private retained: Buffer[] = [];
  private retainedBytes = 0;
  private binaryCut = false;

  constructor(
    private readonly options: LogParseOptions,
    private readonly scanner: ExportScanner | undefined,
  ) {}

  push(chunk: Buffer): void {
    this.read(chunk);
    this.options.quiet?.settle();
    for (const held of this.heldInChunk) held.release();
    this.heldInChunk.length = 0;
  }

  private read(chunk: Buffer): void {
    let pos = 0;
    const length = chunk.length;
    while (pos < length) {
      switch (this.state) {
        case State.Line:
        case State.Resync: {
          if (this.state === State.Line && this.lines.pendingBytes === 0) {
            // Hot path: whole entries by the scanner, the rest of an entry it stopped in (or
            // every line, without it) viewed in place here; then back to the scanner.
            if (this.scanner && this.fields === undefined) pos = this.scanEntries(this.scanner, chunk, pos);
            const before = pos;
            pos = this.linesInChunk(chunk, pos);
            if (pos >= length || this.state !== State.Line || pos !== before) break;
          }
          const next = this.lines.take(chunk, pos);
          if (next < 0) return;
          this.lineNo++;
          const { buf, start, end } = this.lines.line;
          if (this.state === State.Line) this.onLine(buf, start, end);
          else this.onResyncLine(buf, start, end);
          pos = next;
          break;
        }
        case State.BinaryLength: {
          const take = Math.min(8 - this.lengthFilled, length - pos);
          chunk.copy(this.lengthBytes, this.lengthFilled, pos, pos + take);
          this.lengthFilled += take;
          pos += take;
          if (this.lengthFilled === 8) this.onBinaryLength();
          break;
        }
        case State.BinaryData: {
          const take = Math.min(this.remaining, length - pos);
          this.lineNo += countNewlines(chunk, pos, pos + take);
          if (this.binarySlot !== undefined) this.retain(chunk, pos, take);
          this.remaining -= take;
          pos += take;
          if (this.remaining === 0) this.state = State.BinaryNewline;
          break;
        }
        case State.BinaryNewline: {
          if (chunk[pos] !== NL) {
            this.fail(`expected a newline after the ${this.binaryName} binary value`);
            break;
          }
          pos++;
          this.lineNo++;
          this.finishBinary();
          this.state = State.Line;
          break;
        }
      }
    }
  }

  end(): ParseStats {
    switch (this.state) {
      case State.Line:
        if (this.lines.flush()) {
          const { buf, start, end } = this.lines.line;
          this.lineNo++;
          const eq = buf.indexOf(EQ, start);
          if (eq >= 0 && eq < end) this.onLine(buf, start, end);
        }
        break;
      case State.BinaryLength:
      case State.BinaryData:
      case State.BinaryNewline:
        if (this.fields) (this.fields.truncated ??= []).push(this.binaryName);
        break;
      case State.Resync:
        break;
    }
    if (this.fields) {
      if (this.fields.message !== undefined) this.emit();
      else this.unparsed(this.entryLine, 'input ends inside an entry that has no MESSAGE');
    }
    return this.stats;
  }

  /**
   * Reads the complete lines of `chunk` from `pos` while in the Line state; returns where it
   * stopped (at a partial last line, or where a binary value or a framing error begins).
   */
  private linesInChunk(chunk: Buffer, pos: number): number {
    const length = chunk.length;
    while (pos < length && this.state === State.Line) {
      const nl = chunk.indexOf(NL, pos);
      if (nl < 0) return pos;
      this.lineNo++;
      this.onLine(chunk, pos, nl);
      pos = nl + 1;
      if (this.fields === undefined && this.scanner) return pos;
    }
    return pos;
  }

  /**
   * Hands chunk[pos…] to the scanner and turns the entries it finishes into records; where
   * it stops inside an entry, that entry's fields so far become `this.fields`. Returns the
   * offset of the first line it did not read.
   */
  private scanEntries(scanner: ExportScanner, chunk: Buffer, pos: number): number {
    let from = scanner.place(chunk, pos);
    if (from < 0) return pos;
    const base = pos - from;
    const to = chunk.length - base;
    scanner.useLiterals(this.options.quiet?.literals);
    for (;;) {
      const stop = scanner.scan(from, to);
      const entries = scanner.entries;
      let read = 0;
      try {
        for (; read < entries; read++) this.emitScanned(scanner, read, chunk, base);
      } finally {
        if (read < entries) scanner.forgetInterned();
      }
      if (scanner.inProgress) this.resumeEntry(scanner, entries, chunk, base);
      this.lineNo += scanner.lines;
      from += scanner.consumed;
      if (stop !== ScanStop.TableFull) return base + from;
    }
  }

  /** A finished entry from the scanner; `chunk[base…]` is what it read. */
  private emitScanned(scanner: ExportScanner, entry: number, chunk: Buffer, base: number): void {
    this.ordinal++;
    const cursorAt = scanner.start(entry, CURSOR_FIELD);
    if (cursorAt >= 0) this.sawCursor = true;
    if (!scanner.hasMessage(entry)) return;
    const ts = scanner.timestamp(entry);
    const messageStart = base + scanner.start(entry, MESSAGE_FIELD);
    const messageEnd = base + scanner.end(entry, MESSAGE_FIELD);
    // As emit(): an empty cursor is no cursor.
    const cursorEnd = base + scanner.end(entry, CURSOR_FIELD);
    const cursorStart = cursorAt >= 0 && cursorEnd > base + cursorAt ? base + cursorAt : -1;
    const described = this.describe(scanner, entry, chunk, base);
    const quiet = this.options.quiet;
    if (quiet === undefined || scanner.isLoud(entry)) {
      const source: Provenance = { path: this.options.path, entry: this.ordinal };
      if (cursorStart >= 0) source.cursor = chunk.toString('utf8', cursorStart, cursorEnd);
      this.handOut(Object.assign({ ts, message: chunk.toString('utf8', messageStart, messageEnd), source }, described.description), false);
      described.bootChanges = this.boots.changes;
      return;
    }
    const lanes = quiet.lanes;
    const lane = described.lane;
    if (lane && ts !== undefined && described.bootChanges === this.boots.changes && lanes!.absorb(lane, ts)) {
      // Listed once per chunk, not once per entry: push() releases what is listed.
      if (described.held.hold(ts, chunk, this.ordinal, messageStart, messageEnd, cursorStart, cursorEnd)) this.heldInChunk.push(described.held);
      this.stats.records++;
      return;
    }
    const record = new DeferredRecord(ts, { path: this.options.path, entry: this.ordinal }, chunk, messageStart, messageEnd, cursorStart, cursorEnd);
    this.handOut(Object.assign(record, described.description), true);
    described.bootChanges = this.boots.changes;
    if (lane === undefined && described.cached && ts !== undefined && lanes) described.lane = lanes.lane(record, described.held) ?? null;
  }

  /** describeEntry of the entry's fields, from the cache when the same values were described before. */
  private describe(scanner: ExportScanner, entry: number, chunk: Buffer, base: number): Described {
    const key = scanner.internedKey(entry, DESCRIBING_FIELDS);
    if (key >= 0 && this.descriptionsOf === scanner.generation) {
      const known = this.descriptions.get(key);
      if (known) return known;
    }
    const fields: JournalFields = {};
    for (const field of DESCRIBING_FIELDS) {
      const text = scanner.text(entry, field, chunk, base);
      if (text !== undefined) fields[SCANNED_SLOTS[field] as JournalFieldSlot] = text;
    }
    const description = describeEntry({}, fields, this.options);
    if (this.descriptionsOf !== scanner.generation) {
      this.descriptions.clear();
      this.descriptionsOf = scanner.generation;
    }
    const cached = key >= 0 && this.descriptions.size < MAX_DESCRIPTIONS;
    const described: Described = { description, cached, held: new HeldEntry(this.options.path, description), lane: undefined, bootChanges: -1 };
    if (cached) this.descriptions.set(key, described);
    return described;
  }

  /** The scanner stopped inside this entry: its fields so far, as onLine would have read them. */
  private resumeEntry(scanner: ExportScanner, entry: number, chunk: Buffer, base: number): void {
    const fields = this.startEntry(this.lineNo + scanner.firstLine(entry) + 1);
    SCANNED_SLOTS.forEach((slot, field) => {
      const text = scanner.text(entry, field, chunk, base);
      if (text !== undefined) fields[slot] = text;
    });
    if (fields.cursor !== undefined) this.sawCursor = true;
  }

  private onLine(buf: Buffer, start: number, end: number): void {
    if (end === start) {
      if (this.fields) {
        if (this.fields.message !== undefined) this.emit();
        else this.fields = undefined;
      }
      return;
    }
    const eq = equalsIn(buf, start, end);
    if (eq >= 0) {
      const fields = this.fields ?? this.startEntry();
      const wanted = wantedAt(buf, start, eq - start);
      if (wanted === undefined) return;
      const slot = wanted.slot;
      if (fields[slot] !== undefined) return;
      fields[slot] = wanted.intern >= 0 ? this.interner.text(wanted.intern, buf, eq + 1, end) : buf.toString('utf8', eq + 1, end);
      if (slot === 'cursor') this.sawCursor = true;
      return;
    }
    if (!isFieldName(buf, start, end)) {
      this.fail('line is neither NAME=value nor a binary field name');
      return;
    }
    this.fields ??= this.startEntry();
    this.binaryName = buf.toString('latin1', start, end);
    this.binarySlot = JOURNAL_FIELD_SLOTS.get(this.binaryName);
    this.lengthFilled = 0;
    this.state = State.BinaryLength;
  }

  private onBinaryLength(): void {
    const low = this.lengthBytes.readUInt32LE(0);
    const high = this.lengthBytes.readUInt32LE(4);
    this.lineNo += countNewlines(this.lengthBytes, 0, 8);
    if (high !== 0 || low > EXPORT_DATA_SIZE_MAX) {
      const size = (BigInt(high) << 32n) | BigInt(low);
      this.fail(`binary field ${this.binaryName} declares ${size} bytes (over the 768 MiB importer limit)`);
      return;
    }
    this.remaining = low;
    this.retained = [];
    this.retainedBytes = 0;
    this.binaryCut = false;
    this.state = low === 0 ? State.BinaryNewline : State.BinaryData;
  }

  private retain(chunk: Buffer, pos: number, take: number): void {
    const room = MAX_RETAINED_VALUE_BYTES - this.retainedBytes;
    const keep = Math.min(room, take);
    if (keep < take) this.binaryCut = true;
    if (keep <= 0) return;
    this.retained.push(Buffer.from(chunk.subarray(pos, pos + keep)));
    this.retainedBytes += keep;
  }

  private finishBinary(): void {
    const fields = this.fields;
    const slot = this.binarySlot;
    if (!fields || slot === undefined || fields[slot] !== undefined) return;
    fields[slot] = Buffer.concat(this.retained, this.retainedBytes).toString('utf8');
    if (slot === 'cursor') this.sawCursor = true;
    if (this.binaryCut) (fields.truncated ??= []).push(this.binaryName);
    this.retained = [];
  }

  private onResyncLine(buf: Buffer, start: number, end: number): void {
    if (this.sawCursor) {
      if (end - start < CURSOR_PREFIX.length || buf.compare(CURSOR_PREFIX, 0, CURSOR_PREFIX.length, start, start + CURSOR_PREFIX.length) !== 0) return;
      this.state = State.Line;
      this.onLine(buf, start, end);
    } else if (end === start) {
      this.state = State.Line;
    }
  }

  private startEntry(line = this.lineNo): JournalFields {
    this.ordinal++;
    this.entryLine = line;
    this.fields = {};
    return this.fields;
  }

  private emit(): void {
    const fields = this.fields as JournalFields;
    this.fields = undefined;
    // An export is addressed by entry (report-contract: evidence `line` is the entry ordinal), not by line.
    const source: Provenance = { path: this.options.path, entry: this.ordinal };
    if (fields.cursor) source.cursor = fields.cursor;
    this.handOut(journalEntryToRecord(fields, { source, node: this.options.node, unit: this.options.unit }), false);
  }

  private handOut(record: LogRecord, quiet: boolean): void {
    const marker = this.boots.observe(record);
    if (marker) {
      if (record instanceof DeferredRecord) record.settle();
      this.options.onMarker?.(marker);
    }
    this.stats.records++;
    if (quiet) this.options.quiet!.onQuietRecord(record);
    else this.options.onRecord(record);
  }

  /** Framing lost: drop the entry in progress and look for the next entry start. */
  private fail(reason: string): void {
    this.unparsed(this.lineNo, this.fields ? `${reason}; entry ${this.ordinal} dropped` : reason);
    this.fields = undefined;
    this.retained = [];
    this.lines.reset();
    this.state = State.Resync;
  }

  private unparsed(line: number, reason: string): void {
    this.stats.unparsed++;
    const item: Unparsed = { path: this.options.path, line, reason };
    this.options.onUnparsed?.(item);
  }
}

async function readExport(chunks: AsyncIterable<Buffer>, options: LogParseOptions, scanner: ExportScanner | undefined): Promise<ParseStats> {
  const reader = new ExportReader(options, scanner);
  for await (const chunk of chunks) {
    reader.push(chunk);
    // push() settled and released everything it took from the chunk (strings are copies).
    options.recycle?.(chunk);
  }
  return reader.end();
}

export const parseJournaldExport: LogParser = (chunks, options) => readExport(chunks, options, exportScanner());

/** The same parse with every line walked in JavaScript, as where the scanner cannot load (tests compare the two). */
export const parseJournaldExportWithoutScanner: LogParser = (chunks, options) => readExport(chunks, options, undefined);
