/**
 * Journal JSON (`journalctl -o json | json-pretty | json-seq | json-sse`), written by
 * systemd `src/shared/logs-show.c output_json()`.
 *
 * Sample (`-o json`, one object per line; fields of test/data/journald/json.txt entry 4, the
 * test parses this line):
 *   {"__CURSOR":"s=4abe5cacdca040f4aae69f18e0cd6c41;i=4;b=5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10;m=9a78c0;t=65204126387c0;x=940562823f521613","__REALTIME_TIMESTAMP":"1779027302123456","_BOOT_ID":"5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10","PRIORITY":"6","_HOSTNAME":"k8s03","SYSLOG_IDENTIFIER":"microk8s.daemon-kubelite","_PID":"1234567","_SYSTEMD_UNIT":"snap.microk8s.daemon-kubelite.service","MESSAGE":"I0518 00:15:02.123456 1234567 kubelet_node_status.go:77] \"Successfully registered node\" node=\"k8s03\""}
 * `json-pretty`: the same object over several lines (journalctl 252: TAB-indented, `"KEY" : "value"`);
 * `json-seq`: each object prefixed by 0x1E (RFC 7464); `json-sse`: `data: {…}` + blank line.
 *
 * Output: one `LogRecord` per object that has MESSAGE (field mapping in journal-entry.ts),
 * source `{ path, line (where the object starts), entry (1-based ordinal), cursor }`; a `boot`
 * marker before the first entry of each boot of each host.
 *
 * Quirks: every value may be a string, a byte array (`[73,48,…]`, non-printable or invalid
 * UTF-8 values; decoded as UTF-8), an array of values (repeated field: the first is used), or
 * `null` (value ≥ 4096 bytes and no `--all`: the entry is kept, the field named in
 * `truncatedFields`, a null MESSAGE becomes ''). Timestamps are decimal strings. Key order
 * is arbitrary. Objects are cut out of the byte stream by a small brace/string tracker so
 * json-pretty is never read whole; journal objects are flat, so a `{` inside an object, or a
 * raw newline inside a string, means the previous object was cut off (reported, then the
 * scan restarts there).
 */
import type { ParseStats } from '../model/records.js';
import type { LogParseOptions, LogParser } from './types.js';
import { BootTracker, JOURNAL_FIELD_SLOTS, journalEntryToRecord, type JournalFields } from './journal-entry.js';

/** Largest object kept in memory (a `--all` capture of a huge value still fits). */
export const MAX_JSON_OBJECT_BYTES = 64 * 1024 * 1024;

const OPEN = 0x7b;
const CLOSE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NL = 0x0a;
const RS = 0x1e;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === NL || c === RS;
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A journald JSON value → its (first) string value; null for `null`; undefined if unusable. */
function fieldValue(value: JsonValue | undefined): string | null | undefined {
  if (typeof value === 'string') return value;
  if (value === null) return null;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    if (value.every((b) => typeof b === 'number')) return Buffer.from(value as number[]).toString('utf8');
    return fieldValue(value[0]);
  }
  return undefined;
}

function isNullValue(value: JsonValue | undefined): boolean {
  return value === null || (Array.isArray(value) && value.length > 0 && value[0] === null);
}

class JsonObjectReader {
  readonly stats: ParseStats = { records: 0, unparsed: 0 };
  private readonly boots = new BootTracker();
  private lineNo = 1;
  private ordinal = 0;

  private inObject = false;
  private inString = false;
  private escaped = false;
  private objectLine = 0;
  private pieces: Buffer[] = [];
  private objectBytes = 0;
  private oversized = false;

  /** Non-blank bytes seen outside objects on the current line (first few only). */
  private junk = '';
  private junkLine = 0;

  constructor(private readonly options: LogParseOptions) {}

  push(chunk: Buffer): void {
    let objectStart = this.inObject ? 0 : -1;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk[i] as number;
      if (this.inObject) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) this.inString = false;
          else if (c === NL) {
            this.collect(chunk, objectStart, i);
            this.abandonObject('JSON object cut off inside a string');
            this.lineNo++;
            objectStart = -1;
          }
        } else if (c === QUOTE) {
          this.inString = true;
        } else if (c === CLOSE) {
          this.collect(chunk, objectStart, i + 1);
          this.finishObject();
          objectStart = -1;
        } else if (c === OPEN) {
          this.collect(chunk, objectStart, i);
          this.abandonObject('JSON object cut off (a new object starts inside it)');
          this.beginObject();
          objectStart = i;
        } else if (c === NL) {
          this.lineNo++;
        }
      } else if (c === OPEN) {
        this.flushJunk();
        this.beginObject();
        objectStart = i;
      } else if (c === NL) {
        this.flushJunk();
        this.lineNo++;
      } else if (!isBlank(c)) {
        if (this.junk === '') this.junkLine = this.lineNo;
        if (this.junk.length < 24) this.junk += String.fromCharCode(c);
      }
    }
    if (this.inObject) this.collect(chunk, objectStart, n);
  }

  end(): ParseStats {
    if (this.inObject) this.abandonObject('input ends inside a JSON object');
    this.flushJunk();
    return this.stats;
  }

  private beginObject(): void {
    this.inObject = true;
    this.inString = false;
    this.escaped = false;
    this.objectLine = this.lineNo;
    this.pieces = [];
    this.objectBytes = 0;
    this.oversized = false;
  }

  private collect(chunk: Buffer, start: number, end: number): void {
    if (start < 0 || end <= start || this.oversized) return;
    if (this.objectBytes + (end - start) > MAX_JSON_OBJECT_BYTES) {
      this.oversized = true;
      this.pieces = [];
      return;
    }
    // Copy when the object continues in the next chunk (the chunk may be reused).
    const piece = chunk.subarray(start, end);
    this.pieces.push(end === chunk.length ? Buffer.from(piece) : piece);
    this.objectBytes += end - start;
  }

  private abandonObject(reason: string): void {
    this.inObject = false;
    this.pieces = [];
    this.ordinal++;
    this.unparsed(this.objectLine, reason);
  }

  private finishObject(): void {
    this.inObject = false;
    this.ordinal++;
    if (this.oversized) {
      this.unparsed(this.objectLine, `JSON object larger than ${MAX_JSON_OBJECT_BYTES} bytes skipped`);
      return;
    }
    const text = (this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces, this.objectBytes)).toString('utf8');
    this.pieces = [];
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(text) as JsonValue;
    } catch (error) {
      this.unparsed(this.objectLine, `invalid JSON object: ${(error as Error).message}`);
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      this.unparsed(this.objectLine, 'JSON value is not an object');
      return;
    }
    this.onEntry(parsed);
  }

  private onEntry(object: { [key: string]: JsonValue }): void {
    if (!('MESSAGE' in object)) return; // as journalctl's text output: entries without MESSAGE are skipped
    const fields: JournalFields = {};
    for (const [name, slot] of JOURNAL_FIELD_SLOTS) {
      const value = fieldValue(object[name]);
      if (typeof value === 'string') fields[slot] = value;
    }
    for (const key in object) {
      if (isNullValue(object[key])) (fields.truncated ??= []).push(key);
    }
    const source = { path: this.options.path, line: this.objectLine, entry: this.ordinal, ...(fields.cursor ? { cursor: fields.cursor } : {}) };
    const record = journalEntryToRecord(fields, { source, node: this.options.node, unit: this.options.unit });
    const marker = this.boots.observe(record);
    if (marker) this.options.onMarker?.(marker);
    this.stats.records++;
    this.options.onRecord(record);
  }

  private flushJunk(): void {
    if (this.junk === '') return;
    const junk = this.junk;
    this.junk = '';
    if (junk === 'data:') return; // json-sse framing
    this.unparsed(this.junkLine, `not a JSON object: ${JSON.stringify(junk)}`);
  }

  private unparsed(line: number, reason: string): void {
    this.stats.unparsed++;
    this.options.onUnparsed?.({ path: this.options.path, line, reason });
  }
}

export const parseJournaldJson: LogParser = async (chunks, options) => {
  const reader = new JsonObjectReader(options);
  for await (const chunk of chunks) reader.push(chunk);
  return reader.end();
};
