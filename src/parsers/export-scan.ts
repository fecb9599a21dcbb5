/**
 * JavaScript side of the WebAssembly export scanner (`native/export-scan.ts`, built by
 * `npm run build:native`): loads it once, configures the wanted fields and the prefilter
 * literals, copies a chunk in, and reads back one descriptor per entry. The export reader
 * (journald-export.ts) decides what to do with the entries; this file only moves bytes.
 *
 * One instance serves every reader. That is safe because a reader scans and reads back the
 * descriptors in one synchronous step, and re-applies its own literals when another reader
 * changed them. Interned ids are shared too: their texts live here, beside the tables.
 */
import { readFileSync } from 'node:fs';
import { packageFile } from '../package-files.js';
import { JOURNAL_FIELD_SLOTS, REPEATING_SLOTS, type JournalFieldSlot } from './journal-entry.js';

export const enum ScanStop {
  PartialLine = 0,
  /** A line without `=`: a binary field's name, or broken framing. */
  NotTextField = 1,
  TableFull = 2,
}

const HAS_MESSAGE = 1;
const LOUD = 2;
const TS_VALID = 4;
const NEW_VALUE = 0x100;
const ID_MASK = 0xff;
/** Ids per field (native INTERN_WAYS): a key has one base-17 digit per field, 12 fit in 2^53. */
const INTERN_WAYS = 16;

/** addField roles (native/export-scan.ts). */
const PLAIN = 0;
const INTERNED = 1;
const MESSAGE = 2;
const TIMESTAMP = 3;

interface ScannerExports {
  memory: WebAssembly.Memory;
  scratch(): number;
  results(): number;
  descriptors(): number;
  timestamps(): number;
  input(): number;
  strideWords(): number;
  reserveInput(length: number): number;
  resetFields(): void;
  resetInterned(): void;
  addField(length: number, role: number): number;
  resetLiterals(): void;
  addLiteral(length: number): number;
  finishLiterals(): number;
  scan(from: number, to: number): number;
}

/** The wanted fields, in the scanner's field order. */
export const SCANNED_SLOTS: readonly JournalFieldSlot[] = [...JOURNAL_FIELD_SLOTS.values()];
export const MESSAGE_FIELD = SCANNED_SLOTS.indexOf('message');
export const CURSOR_FIELD = SCANNED_SLOTS.indexOf('cursor');
export const TIMESTAMP_FIELD = SCANNED_SLOTS.indexOf('realtime');

const NO_LITERALS: readonly string[] = [];

/** Chunks longer than this are read by the JavaScript reader (offsets are i32 in the scanner). */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export class ExportScanner {
  private readonly wasm: ScannerExports;
  private readonly stride: number;
  private readonly inputAt: number;
  /** Word / f64 indexes of the result, descriptor and timestamp tables. */
  private readonly resultsAt: number;
  private readonly descriptorsAt: number;
  private readonly timestampsAt: number;
  private u8: Buffer;
  private i32: Int32Array;
  private f64: Float64Array;
  private literals: readonly string[] | undefined;
  /** The chunk whose bytes from `loadedAt` on are in the input area. */
  private loaded: Buffer | undefined;
  private loadedAt = 0;
  /** Entries are judged quiet or loud (false: every entry is loud). */
  private prefiltering = false;
  /** Per field, the text of each interned id. */
  private readonly texts: string[][] = SCANNED_SLOTS.map(() => []);
  /** Changes whenever an interned id is given to a new value (see internedKey). */
  generation = 0;
  /** Input bytes copied in so far (each chunk once: see place). */
  bytesCopied = 0;

  constructor(module: WebAssembly.Module) {
    this.wasm = new WebAssembly.Instance(module, {}).exports as unknown as ScannerExports;
    this.stride = this.wasm.strideWords();
    this.inputAt = this.wasm.input();
    this.resultsAt = this.wasm.results() >> 2;
    this.descriptorsAt = this.wasm.descriptors() >> 2;
    this.timestampsAt = this.wasm.timestamps() >> 3;
    if (!this.wasm.reserveInput(0)) throw new Error('export scanner: no memory');
    [this.u8, this.i32, this.f64] = this.views();
    this.wasm.resetFields();
    for (const [name, slot] of JOURNAL_FIELD_SLOTS) {
      const role = slot === 'message' ? MESSAGE : slot === 'realtime' ? TIMESTAMP : REPEATING_SLOTS.includes(slot) ? INTERNED : PLAIN;
      const length = this.u8.write(name, this.wasm.scratch(), 'latin1');
      if (this.wasm.addField(length, role) < 0) throw new Error(`export scanner: field ${name} not accepted`);
    }
  }

  /**
   * Judge entries against these literals from now on (kept while the same array is passed).
   * None, or literals the tables cannot take, make every entry loud.
   */
  useLiterals(literals: readonly string[] = NO_LITERALS): void {
    if (literals === this.literals) return;
    this.literals = literals;
    this.wasm.resetLiterals();
    let accepted = literals.length > 0;
    const at = this.wasm.scratch();
    for (const literal of literals) {
      const bytes = Buffer.from(literal, 'utf8');
      if (bytes.length > 4096) accepted = false;
      if (!accepted) break;
      this.u8.set(bytes, at);
      accepted = this.wasm.addLiteral(bytes.length) !== 0;
    }
    this.prefiltering = accepted && this.wasm.finishLiterals() !== 0;
    if (!this.prefiltering) this.wasm.resetLiterals();
  }

  /**
   * Makes chunk[pos…] scannable and returns the input offset of `pos` (input offset 0 is
   * chunk offset `pos - offset`): the chunk is copied in once, not again for each entry the
   * reader hands back. -1 when it is too long or memory cannot grow.
   */
  place(chunk: Buffer, pos: number): number {
    if (chunk !== this.loaded || pos < this.loadedAt) {
      const length = chunk.length - pos;
      if (length > MAX_INPUT_BYTES || !this.wasm.reserveInput(length)) return -1;
      if (this.u8.buffer !== this.wasm.memory.buffer) [this.u8, this.i32, this.f64] = this.views();
      this.u8.set(chunk.subarray(pos), this.inputAt);
      this.bytesCopied += length;
      this.loaded = chunk;
      this.loadedAt = pos;
    }
    return pos - this.loadedAt;
  }

  /**
   * The interned ids of a scan whose entries were not all read back (a callback threw) would
   * be out of step with `texts`: forget them all.
   */
  forgetInterned(): void {
    this.wasm.resetInterned();
    for (const texts of this.texts) texts.length = 0;
    this.generation++;
  }

  scan(from: number, to: number): ScanStop {
    return this.wasm.scan(from, to) as ScanStop;
  }

  /** Input bytes the last scan read. */
  get consumed(): number {
    return this.i32[this.resultsAt] as number;
  }

  get lines(): number {
    return this.i32[this.resultsAt + 1] as number;
  }

  /** Entries the last scan finished: descriptors 0 … entries - 1. */
  get entries(): number {
    return this.i32[this.resultsAt + 2] as number;
  }

  /** The last scan stopped inside an entry: its fields so far are descriptor `entries`. */
  get inProgress(): boolean {
    return this.i32[this.resultsAt + 3] === 1;
  }

  hasMessage(entry: number): boolean {
    return ((this.i32[this.at(entry)] as number) & HAS_MESSAGE) !== 0;
  }

  /** The message holds a prefilter literal or may start a goroutine dump (or nothing is prefiltered). */
  isLoud(entry: number): boolean {
    return ((this.i32[this.at(entry)] as number) & LOUD) !== 0;
  }

  /** `__REALTIME_TIMESTAMP` as a safe integer, if it is one. */
  timestamp(entry: number): number | undefined {
    return ((this.i32[this.at(entry)] as number) & TS_VALID) !== 0 ? (this.f64[this.timestampsAt + entry] as number) : undefined;
  }

  /** Index, among the lines of the last scan, of the entry's first line. */
  firstLine(entry: number): number {
    return this.i32[this.at(entry) + 1] as number;
  }

  /** Input offset of a field's value, -1 when the entry has none. */
  start(entry: number, field: number): number {
    return this.i32[this.at(entry) + 2 + 3 * field] as number;
  }

  end(entry: number, field: number): number {
    return this.i32[this.at(entry) + 3 + 3 * field] as number;
  }

  /** A field's value; `chunk[base…]` is what place() copied in. */
  text(entry: number, field: number, chunk: Buffer, base: number): string | undefined {
    const at = this.at(entry) + 2 + 3 * field;
    const start = this.i32[at] as number;
    if (start < 0) return undefined;
    const code = this.i32[at + 2] as number;
    if (code < 0) return chunk.toString('utf8', base + start, base + (this.i32[at + 1] as number));
    const texts = this.texts[field] as string[];
    const id = code & ID_MASK;
    if ((code & NEW_VALUE) !== 0) {
      texts[id] = chunk.toString('utf8', base + start, base + (this.i32[at + 1] as number));
      this.generation++;
    }
    return texts[id] as string;
  }

  /**
   * A number standing for the values of `fields` in this entry: while `generation` stays the
   * same, equal numbers mean equal values. -1 when one of them is not interned (too long) or
   * has just been given a new id (text() takes it, and the generation changes).
   */
  internedKey(entry: number, fields: readonly number[]): number {
    const at = this.at(entry) + 2;
    let key = 0;
    for (const field of fields) {
      const word = at + 3 * field;
      let id = INTERN_WAYS;
      if ((this.i32[word] as number) >= 0) {
        const code = this.i32[word + 2] as number;
        if (code < 0 || (code & NEW_VALUE) !== 0) return -1;
        id = code;
      }
      key = key * (INTERN_WAYS + 1) + id;
    }
    return key;
  }

  private at(entry: number): number {
    return this.descriptorsAt + entry * this.stride;
  }

  private views(): [Buffer, Int32Array, Float64Array] {
    const buffer = this.wasm.memory.buffer;
    return [Buffer.from(buffer), new Int32Array(buffer), new Float64Array(buffer)];
  }
}

let shared: ExportScanner | null | undefined;

/**
 * The scanner, or undefined when native/export-scan.wasm is missing or this Node has no
 * WebAssembly SIMD (the reader then walks every line in JavaScript, more slowly).
 */
export function exportScanner(): ExportScanner | undefined {
  if (shared === undefined) {
    try {
      shared = new ExportScanner(new WebAssembly.Module(readFileSync(packageFile('native/export-scan.wasm'))));
    } catch {
      shared = null;
    }
  }
  return shared ?? undefined;
}
