/**
 * `kubectl get … -o json` (and the API's typed lists, JSON arrays of objects, concatenated
 * documents) read from the member's byte chunks one List item at a time, so that a
 * `kubectl get pods -A -o json` of hundreds of MB never becomes one string or one tree.
 *
 * Sample (`kubectl get pods -A -o json`, kubectl 1.35, fixtures/healthy-cluster/cluster/pods.json):
 *   {
 *       "apiVersion": "v1",
 *       "items": [
 *           {
 *               "apiVersion": "v1",
 *               "kind": "Pod",
 *   …
 *       ],
 *       "kind": "List",
 *       "metadata": {
 *           "resourceVersion": ""
 *       }
 *   }
 *
 * Output: exactly what `parseKubernetesObjects` gives for the same bytes (facts, unparsed lines,
 * warnings, `ParseError`s); the equivalence is tested on every kubectl JSON file we hold.
 *
 * How: a byte-level splitter tracks strings, escapes, bracket nesting, line feeds and the key
 * being read at depth 1. Each element of a top-level array or of a top-level object's `"items"`
 * array is cut out and decoded alone with `parseJsonLossless(itemText, itemStartLine)`, so
 * lines and big integers are those of the whole-text parse. The rest of the object (the List
 * envelope: apiVersion, kind, metadata) is small and is parsed in segments: the bytes before
 * `items`, then each run after an `items` array, behind a synthetic `{"items":[` that puts the
 * parser in the state the real text had, on the line the real text had.
 *
 * Quirks:
 * - kubectl prints keys sorted, so a List's `kind` and `metadata` follow its items, while the
 *   kubelet's `/proxy/pods` and `--raw` output (Go struct order) put `kind` first: items are
 *   handed to a `KubeList`, which keeps what each contributes until the envelope is known.
 * - The splitter does not validate: every byte still goes through `parseJsonLossless`, item by
 *   item or segment by segment, except the commas and brackets between items, which it checks
 *   with the messages the text parser uses. An item cut short by a newline inside a string or
 *   a mismatched bracket is handed over at once: its parse reports the error.
 * - Leading `#` comment lines (sample headers) and a BOM are skipped like the text path does;
 *   input that is not JSON after them is read whole by the text path (YAML).
 */
import type { Facts } from '../model/facts.js';
import { KubeObjectCollector, invalidJsonError, parseKubernetesObjects, type KubeList, type KubectlParseContext } from './kubectl.js';
import { isJsonObject, parseJsonLossless, scalarTokenLength, type JsonDocument, type JsonObject, type JsonSyntaxProblem, type JsonValue } from './json-lossless.js';
import { ParseError, type StateParseResult } from './types.js';

/** What the splitter held, for tests that memory stays bounded by the largest item. */
export interface JsonSplitStats {
  items: number;
  /** Largest item (or envelope segment) cut out, in bytes. */
  maxItemBytes: number;
  /** Most bytes the splitter held at once (the item, envelope segment or number being read). */
  maxHeldBytes: number;
}

/** Where the splitter hands the documents and items it reads. */
export interface JsonSplitHandler {
  /** A whole top-level value that is not streamed: a single object, a scalar, or what broke. */
  document(doc: JsonDocument, lineOf: (value: object) => number | undefined, isComplete: (value: object) => boolean): void;
  /** A top-level array opens at `line`. */
  arrayStart(line: number): void;
  /** A top-level object's `items` array opens; `head` holds the keys read before it. */
  listStart(line: number, head: JsonObject): void;
  /** One element; `line` is set for objects and arrays (the line of their bracket). */
  item(value: JsonValue, line: number | undefined, complete: boolean): void;
  /** The object holding the `items` array ends; `envelope` is it with `items` emptied. */
  listEnd(envelope: JsonObject, complete: boolean): void;
  arrayEnd(complete: boolean): void;
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const HASH = 0x23;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const BOM = [0xef, 0xbb, 0xbf];

/** What one byte inside a JSON string did (see stringByte). */
const enum StringStep {
  Inside,
  Closed,
  Newline,
}
// An `items` key is 7 bytes quoted; longer depth-1 strings are not kept.
const MAX_KEY_BYTES = 64;
// Puts the parser inside a top-level object's `items` array, as the real text had it.
const INSIDE_ITEMS = '{"items":[';
const END_OF_INPUT = 'unexpected end of input (truncated?)';

type Mode =
  | 'header' | 'comment' // before the first value
  | 'between' // between top-level values
  | 'segment' // a top-level object, outside its `items` array
  | 'glue' // between the elements of a top-level array or of `items`
  | 'item' // inside an object, array or string element (or a top-level string)
  | 'token' // a number or literal (element or top-level value)
  | 'charError' // waiting for the bytes of the character an error message names
  | 'fallback' // not JSON: everything is kept for the text path
  | 'done';

type Expect = 'valueOrEnd' | 'value' | 'commaOrEnd';

function isWhitespace(b: number): boolean {
  return b === SPACE || b === LF || b === CR || b === TAB;
}

// `-`, `.`, `+`, digits and letters: what a number or `true`/`false`/`null` can be read from.
function isTokenByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x2e || b === 0x2b;
}

function closes(open: number, close: number): boolean {
  return (open === OPEN_OBJECT && close === CLOSE_OBJECT) || (open === OPEN_ARRAY && close === CLOSE_ARRAY);
}

/**
 * Splits a JSON byte stream into top-level documents and the elements of their item arrays.
 * Feed it with `push`, then `end`; after a syntax error (`error`) it ignores further input.
 */
export class JsonItemSplitter {
  error: JsonSyntaxProblem | undefined;
  /** Set when the input holds nothing but whitespace and comments. */
  empty = false;
  readonly stats: JsonSplitStats = { items: 0, maxItemBytes: 0, maxHeldBytes: 0 };

  private mode: Mode = 'header';
  private line = 1;
  private bomAt = 0;
  private readonly header: Buffer[] = [];
  private readonly fallbackParts: Buffer[] = [];

  // The bytes being cut out (a segment, an item, a top-level string) and where they began.
  private parts: Buffer[] = [];
  private partBytes = 0;
  private partStart = 0;
  private partLine = 1;

  // Nesting inside the current segment or item: the opening bytes.
  private stack: number[] = [];
  private inString = false;
  private escaped = false;

  // The current top-level document.
  private docKind: 'object' | 'array' | undefined;
  private docLine = 1;
  private segmentIndex = 0;
  private envelope: JsonObject = {};
  private expect: Expect = 'valueOrEnd';

  // Key tracking at depth 1 of a segment: a string, then `:`, then `[` for `items`.
  private keyBytes: number[] | undefined;
  private keyState: 'none' | 'string' | 'colon' = 'none';
  private lastString: string | undefined;

  private token = '';
  private tokenLine = 1;
  private pendingError: { bytes: number[]; reason: (char: string) => string; line: number } | undefined;

  constructor(private readonly handler: JsonSplitHandler) {}

  /** The whole input, when it turned out not to be JSON (the text path reads it). */
  get fallbackText(): string | undefined {
    return this.mode === 'fallback' ? Buffer.concat(this.fallbackParts).toString('utf8') : undefined;
  }

  get stopped(): boolean {
    return this.mode === 'done';
  }

  push(chunk: Buffer): void {
    if (this.mode === 'done') return;
    if (this.mode === 'fallback') {
      this.fallbackParts.push(chunk);
      return;
    }
    this.partStart = 0;
    let i = 0;
    while (i < chunk.length && this.running()) i = this.step(chunk, i);
    const mode = this.current();
    if (mode === 'fallback') this.fallbackParts.push(chunk.subarray(i));
    else if ((mode === 'item' || mode === 'segment') && this.partStart < chunk.length) {
      this.hold(chunk.subarray(this.partStart));
    } else if (mode === 'header' || mode === 'comment') {
      this.header.push(chunk);
    }
  }

  end(): void {
    switch (this.mode) {
      case 'header':
      case 'comment':
        this.empty = true;
        break;
      case 'segment':
        this.endSegment();
        break;
      case 'glue':
        this.fail(END_OF_INPUT, this.line);
        break;
      case 'item':
        this.endItem();
        if (this.current() === 'glue') this.fail(END_OF_INPUT, this.line);
        break;
      case 'token':
        this.endToken();
        if (this.current() === 'glue') this.fail(END_OF_INPUT, this.line);
        break;
      case 'charError': {
        const { bytes, reason, line } = this.pendingError!;
        this.fail(reason(Buffer.from(bytes).toString('utf8')[0] ?? ''), line);
        break;
      }
      default:
        break;
    }
    if (this.mode !== 'fallback') this.mode = 'done';
  }

  /** The mode, read afresh (steps change it). */
  private current(): Mode {
    return this.mode;
  }

  private running(): boolean {
    return this.mode !== 'done' && this.mode !== 'fallback';
  }

  /** Consume bytes from `i` in the current mode; returns where the next step starts. */
  private step(chunk: Buffer, i: number): number {
    switch (this.mode) {
      case 'header': return this.stepHeader(chunk, i);
      case 'comment': {
        const nl = chunk.indexOf(LF, i);
        if (nl < 0) return chunk.length;
        this.line++;
        this.mode = 'header';
        return nl + 1;
      }
      case 'between': return this.stepBetween(chunk, i);
      case 'segment': return this.stepSegment(chunk, i);
      case 'glue': return this.stepGlue(chunk, i);
      case 'item': return this.stepItem(chunk, i);
      case 'token': return this.stepToken(chunk, i);
      case 'charError': {
        const pending = this.pendingError!;
        while (pending.bytes.length < 4 && i < chunk.length) pending.bytes.push(chunk[i++]!);
        if (pending.bytes.length === 4) this.fail(pending.reason(Buffer.from(pending.bytes).toString('utf8')[0]!), pending.line);
        return i;
      }
      default: return chunk.length;
    }
  }

  private stepHeader(chunk: Buffer, i: number): number {
    const b = chunk[i]!;
    if (this.bomAt > 0 || (b === BOM[0] && this.bomAt === 0)) {
      if (b !== BOM[this.bomAt]) return this.fallBack(chunk, i);
      this.bomAt = (this.bomAt + 1) % BOM.length;
      return i + 1;
    }
    if (b === LF) this.line++;
    else if (b === HASH) this.mode = 'comment';
    else if (!isWhitespace(b)) {
      if (b !== OPEN_OBJECT && b !== OPEN_ARRAY) return this.fallBack(chunk, i);
      this.header.length = 0;
      this.mode = 'between';
      return i;
    }
    return i + 1;
  }

  private fallBack(chunk: Buffer, i: number): number {
    this.fallbackParts.push(...this.header, chunk.subarray(0, i));
    this.header.length = 0;
    this.mode = 'fallback';
    return i;
  }

  /** The offset of the first non-white-space byte from `i` (or the chunk's end), counting lines. */
  private skipWhitespace(chunk: Buffer, i: number): number {
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === LF) this.line++;
      else if (!isWhitespace(b)) break;
    }
    return i;
  }

  private stepBetween(chunk: Buffer, i: number): number {
    i = this.skipWhitespace(chunk, i);
    if (i >= chunk.length) return i;
    const b = chunk[i]!;
    this.docLine = this.line;
    if (b === OPEN_OBJECT) {
      this.docKind = 'object';
      this.segmentIndex = 0;
      this.envelope = {};
      this.startPart(i, [], 'segment');
      return i;
    }
    if (b === OPEN_ARRAY) {
      this.docKind = 'array';
      this.handler.arrayStart(this.line);
      this.expect = 'valueOrEnd';
      this.mode = 'glue';
      return i + 1;
    }
    this.docKind = undefined;
    if (b === QUOTE) {
      this.startPart(i, [], 'item');
      return i;
    }
    if (isTokenByte(b)) return this.startToken(i);
    this.handler.document({ value: null, line: this.line, complete: false }, () => undefined, () => false);
    return this.failAt(chunk, i, (c) => `unexpected ${JSON.stringify(c)}`);
  }

  private startPart(i: number, stack: number[], mode: 'segment' | 'item'): void {
    this.parts = [];
    this.partBytes = 0;
    this.partStart = i;
    this.partLine = this.line;
    this.stack = stack;
    this.inString = false;
    this.escaped = false;
    this.keyState = 'none';
    this.keyBytes = undefined;
    this.mode = mode;
  }

  private hold(part: Buffer): void {
    this.parts.push(part);
    this.partBytes += part.length;
    if (this.partBytes > this.stats.maxHeldBytes) this.stats.maxHeldBytes = this.partBytes;
  }

  /** The bytes cut out so far plus `chunk[partStart..end)`, decoded; the buffers are released. */
  private takePart(chunk: Buffer, end: number): string {
    if (end > this.partStart) this.hold(chunk.subarray(this.partStart, end));
    const text = (this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts)).toString('utf8');
    if (this.partBytes > this.stats.maxItemBytes) this.stats.maxItemBytes = this.partBytes;
    this.parts = [];
    this.partBytes = 0;
    this.partStart = end;
    return text;
  }

  /**
   * One byte inside a JSON string: tracks escapes; `Closed` at the closing quote, `Newline`
   * at a raw newline (invalid JSON: the string, and the part, end there; the line is counted).
   */
  private stringByte(b: number): StringStep {
    if (this.escaped) this.escaped = false;
    else if (b === BACKSLASH) this.escaped = true;
    else if (b === QUOTE) {
      this.inString = false;
      return StringStep.Closed;
    } else if (b === LF) {
      this.line++;
      return StringStep.Newline;
    }
    return StringStep.Inside;
  }

  // ------------------------------------------------------------ a top-level object outside `items`

  private stepSegment(chunk: Buffer, i: number): number {
    const { stack } = this;
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.inString) {
        const step = this.stringByte(b);
        if (step === StringStep.Closed) {
          if (stack.length === 1) this.endKeyString();
          continue;
        }
        if (step === StringStep.Newline) {
          // The parser stops here ("newline inside a string"): let it say so.
          this.partEndSegment(chunk, i + 1, 'broken');
          return i + 1;
        }
        if (this.keyBytes && this.keyBytes.push(b) > MAX_KEY_BYTES) this.keyBytes = undefined;
        continue;
      }
      switch (b) {
        case LF: this.line++; break;
        case SPACE: case TAB: case CR: break;
        case QUOTE:
          this.inString = true;
          if (stack.length === 1) this.keyBytes = [];
          break;
        case COLON:
          if (stack.length === 1) this.keyState = this.keyState === 'string' ? 'colon' : 'none';
          break;
        case OPEN_ARRAY:
          if (stack.length === 1 && this.keyState === 'colon' && this.lastString === 'items') {
            this.partEndSegment(chunk, i + 1, 'items');
            return i + 1;
          }
          stack.push(b);
          this.keyState = 'none';
          break;
        case OPEN_OBJECT:
          stack.push(b);
          this.keyState = 'none';
          break;
        case CLOSE_ARRAY:
        case CLOSE_OBJECT: {
          const open = stack.pop();
          if (open === undefined || !closes(open, b)) {
            this.partEndSegment(chunk, i + 1, 'broken');
            return i + 1;
          }
          if (stack.length === 0) {
            this.partEndSegment(chunk, i + 1, 'document');
            return i + 1;
          }
          this.keyState = 'none';
          break;
        }
        default:
          if (stack.length === 1) this.keyState = 'none';
      }
    }
    return i;
  }

  private endKeyString(): void {
    const raw = this.keyBytes;
    this.keyBytes = undefined;
    this.keyState = 'string';
    if (!raw) {
      this.lastString = undefined;
      return;
    }
    const text = Buffer.from(raw).toString('utf8');
    try {
      this.lastString = text.includes('\\') ? (JSON.parse(`"${text}"`) as string) : text;
    } catch {
      this.lastString = undefined;
    }
  }

  private partEndSegment(chunk: Buffer, end: number, how: 'items' | 'document' | 'broken'): void {
    const text = this.takePart(chunk, end);
    this.parseSegment(text, how);
  }

  private endSegment(): void {
    this.parseSegment(this.takePart(Buffer.alloc(0), 0), 'broken');
  }

  /**
   * Parse the envelope bytes read since the document start (segment 0) or since the end of
   * its last `items` array, and go on: into the items, to the next document, or stop.
   */
  private parseSegment(bytes: string, how: 'items' | 'document' | 'broken'): void {
    const first = this.segmentIndex === 0;
    const parsed = parseJsonLossless(first ? bytes : INSIDE_ITEMS + bytes, this.partLine);
    const doc = parsed.documents[0];
    const value = doc?.value;
    const error = parsed.error;
    if (isJsonObject(value)) {
      for (const key of Object.keys(value)) {
        if (key === '__proto__') Object.defineProperty(this.envelope, key, { value: value[key], enumerable: true, writable: true, configurable: true });
        else this.envelope[key] = value[key]!;
      }
    }
    const openedItems = how === 'items' && error?.reason === END_OF_INPUT && parsed.documents.length === 1 && isJsonObject(value)
      && Array.isArray(value.items) && value.items.length === 0 && !parsed.isComplete(value.items);
    if (openedItems) {
      this.envelope.items = [];
      this.handler.listStart(this.docLine, this.envelope);
      this.segmentIndex++;
      this.expect = 'valueOrEnd';
      this.mode = 'glue';
      return;
    }
    const closed = how === 'document' && !error && parsed.documents.length === 1 && doc!.complete;
    if (closed && first) {
      this.handler.document(doc!, parsed.lineOf, parsed.isComplete);
      this.mode = 'between';
      return;
    }
    if (closed) {
      this.closeList(true);
      this.mode = 'between';
      return;
    }
    // A syntax error in the envelope: the document ends here, incomplete.
    if (first) this.handler.document(doc ?? { value: null, line: this.docLine, complete: false }, parsed.lineOf, parsed.isComplete);
    else this.closeList(false);
    this.stop(error ?? { line: this.line, reason: END_OF_INPUT });
  }

  private closeList(complete: boolean): void {
    this.handler.listEnd(this.envelope, complete);
    this.envelope = {};
  }

  // ------------------------------------------------------------ between elements

  private stepGlue(chunk: Buffer, i: number): number {
    i = this.skipWhitespace(chunk, i);
    if (i >= chunk.length) return i;
    const b = chunk[i]!;
    if (this.expect === 'commaOrEnd') {
      if (b === COMMA) {
        this.expect = 'value';
        return i + 1;
      }
      if (b === CLOSE_ARRAY) return this.closeArray(i);
      return this.failAt(chunk, i, (c) => `expected "," or "]", got ${JSON.stringify(c)}`);
    }
    if (b === CLOSE_ARRAY && this.expect === 'valueOrEnd') return this.closeArray(i);
    if (b === OPEN_OBJECT || b === OPEN_ARRAY || b === QUOTE) {
      this.startPart(i, [], 'item');
      return i;
    }
    if (isTokenByte(b)) return this.startToken(i);
    return this.failAt(chunk, i, (c) => `unexpected ${JSON.stringify(c)}`);
  }

  private closeArray(i: number): number {
    if (this.docKind === 'array') {
      this.handler.arrayEnd(true);
      this.mode = 'between';
      return i + 1;
    }
    // Back in the List object: the next segment starts with this `]`.
    this.startPart(i, [OPEN_OBJECT], 'segment');
    return i + 1;
  }

  // ------------------------------------------------------------ one element

  private stepItem(chunk: Buffer, i: number): number {
    const { stack } = this;
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.inString) {
        const step = this.stringByte(b);
        if ((step === StringStep.Closed && stack.length === 0) || step === StringStep.Newline) return this.partEndItem(chunk, i + 1);
        continue;
      }
      switch (b) {
        case LF: this.line++; break;
        case QUOTE: this.inString = true; break;
        case OPEN_OBJECT: case OPEN_ARRAY: stack.push(b); break;
        case CLOSE_OBJECT: case CLOSE_ARRAY: {
          const open = stack.pop();
          if (open === undefined || !closes(open, b) || stack.length === 0) return this.partEndItem(chunk, i + 1);
          break;
        }
        default: break;
      }
    }
    return i;
  }

  private partEndItem(chunk: Buffer, end: number): number {
    const text = this.takePart(chunk, end);
    this.emitItem(text);
    return end;
  }

  private endItem(): void {
    this.emitItem(this.takePart(Buffer.alloc(0), 0));
  }

  private emitItem(text: string): void {
    const parsed = parseJsonLossless(text, this.partLine);
    if (this.docKind === undefined) {
      // A top-level string (a document of its own).
      this.handler.document(parsed.documents[0]!, parsed.lineOf, parsed.isComplete);
      this.mode = 'between';
      if (parsed.error) this.stop(parsed.error);
      return;
    }
    const doc = parsed.documents[0];
    const value = doc?.value ?? null;
    const structured = text.charCodeAt(0) !== QUOTE;
    this.stats.items++;
    // An object or array is part of the tree from its first byte; a broken string never is.
    if (structured || !parsed.error) {
      const isObjectOrArray = typeof value === 'object' && value !== null;
      this.handler.item(value, isObjectOrArray ? this.partLine : undefined, isObjectOrArray && parsed.isComplete(value));
    }
    this.mode = 'glue';
    this.expect = 'commaOrEnd';
    if (parsed.error) this.stopInArray(parsed.error);
  }

  // ------------------------------------------------------------ numbers and literals

  private startToken(i: number): number {
    this.token = '';
    this.tokenLine = this.line;
    this.mode = 'token';
    return i;
  }

  private stepToken(chunk: Buffer, i: number): number {
    const start = i;
    while (i < chunk.length && isTokenByte(chunk[i]!)) i++;
    this.token += chunk.toString('latin1', start, i);
    if (this.token.length > this.stats.maxHeldBytes) this.stats.maxHeldBytes = this.token.length;
    if (i < chunk.length) this.endToken();
    return i;
  }

  private endToken(): void {
    const { token } = this;
    this.token = '';
    if (this.docKind === undefined) {
      // Top-level: `12true` is two documents, as in the text parse.
      const parsed = parseJsonLossless(token, this.tokenLine);
      for (const doc of parsed.documents) this.handler.document(doc, parsed.lineOf, parsed.isComplete);
      this.mode = 'between';
      if (parsed.error) this.stop(parsed.error);
      return;
    }
    const length = scalarTokenLength(token, 0);
    this.mode = 'glue';
    if (length === 0) {
      this.stopInArray({ line: this.tokenLine, reason: `unexpected ${JSON.stringify(token[0])}` });
      return;
    }
    this.stats.items++;
    this.handler.item(parseJsonLossless(token.slice(0, length)).documents[0]!.value, undefined, false);
    this.expect = 'commaOrEnd';
    if (length < token.length) this.stopInArray({ line: this.tokenLine, reason: `expected "," or "]", got ${JSON.stringify(token[length])}` });
  }

  // ------------------------------------------------------------ errors

  /** A syntax error at `chunk[i]`; a non-ASCII character is named once its bytes are all read. */
  private failAt(chunk: Buffer, i: number, reason: (char: string) => string): number {
    const b = chunk[i]!;
    if (b < 0x80) {
      this.fail(reason(String.fromCharCode(b)), this.line);
      return i + 1;
    }
    const bytes = [...chunk.subarray(i, i + 4)];
    if (bytes.length === 4) {
      this.fail(reason(Buffer.from(bytes).toString('utf8')[0]!), this.line);
      return chunk.length;
    }
    this.pendingError = { bytes, reason, line: this.line };
    this.mode = 'charError';
    return chunk.length;
  }

  /** A syntax error between elements or between documents: close the current document, stop. */
  private fail(reason: string, line: number): void {
    if (this.docKind !== undefined && (this.mode === 'glue' || this.mode === 'charError' || this.mode === 'token')) {
      this.stopInArray({ line, reason });
      return;
    }
    this.stop({ line, reason });
  }

  private stopInArray(error: JsonSyntaxProblem): void {
    if (this.docKind === 'array') this.handler.arrayEnd(false);
    else this.closeList(false);
    this.stop(error);
  }

  private stop(error: JsonSyntaxProblem): void {
    this.error = error;
    this.mode = 'done';
    this.parts = [];
  }
}

/** Applies the splitter's documents and items to a `KubeObjectCollector`, as `addDocument` does for a whole tree. */
class KubeJsonDocuments implements JsonSplitHandler {
  private list: KubeList | undefined;
  private arrayLine = 1;
  private completeDocument = false;
  private completeItem = false;

  constructor(private readonly collector: KubeObjectCollector) {}

  /** What the text path's "any complete object" test would say of what was read. */
  get anyComplete(): boolean {
    return this.completeDocument || this.completeItem;
  }

  document(doc: JsonDocument, lineOf: (value: object) => number | undefined, isComplete: (value: object) => boolean): void {
    if (doc.complete) this.completeDocument = true;
    this.completeItem = false;
    this.collector.addDocument(doc, lineOf, isComplete);
  }

  arrayStart(line: number): void {
    this.arrayLine = line;
    this.list = undefined;
    this.completeItem = false;
  }

  listStart(line: number, head: JsonObject): void {
    this.list = this.collector.openList(line, head);
    this.completeItem = false;
  }

  item(value: JsonValue, line: number | undefined, complete: boolean): void {
    if (complete) this.completeItem = true;
    if (this.list) this.list.add(value, line, complete);
    else this.collector.addObject(value, undefined, line ?? this.arrayLine, complete);
  }

  listEnd(envelope: JsonObject, complete: boolean): void {
    this.list?.close(envelope, complete);
    this.list = undefined;
    this.end(complete);
  }

  arrayEnd(complete: boolean): void {
    this.end(complete);
  }

  private end(complete: boolean): void {
    if (complete) {
      this.completeDocument = true;
      this.completeItem = false;
    }
  }
}

/**
 * `parseKubernetesObjects` for JSON read from byte chunks, one item at a time. Throws
 * `ParseError` in the same cases (empty, not JSON, no object). `stats`, when given, is filled.
 */
export async function parseKubernetesJsonStream(
  chunks: AsyncIterable<Buffer>,
  ctx: KubectlParseContext,
  stats?: JsonSplitStats,
): Promise<StateParseResult<Partial<Facts>>> {
  const collector = new KubeObjectCollector(ctx);
  const documents = new KubeJsonDocuments(collector);
  const splitter = new JsonItemSplitter(documents);
  for await (const chunk of chunks) {
    splitter.push(chunk);
    if (splitter.stopped) break;
  }
  splitter.end();
  if (stats) Object.assign(stats, splitter.stats);
  const text = splitter.fallbackText;
  if (text !== undefined) return parseKubernetesObjects(text, ctx);
  if (splitter.empty) throw new ParseError(ctx.path, 'empty input');
  if (splitter.error) {
    if (!documents.anyComplete) throw invalidJsonError(ctx.path, splitter.error);
    collector.jsonEndedEarly(splitter.error);
  }
  return collector.memberResult();
}
