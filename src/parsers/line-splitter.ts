/**
 * Byte-level line splitting over a stream of Buffers, for every parser that reads
 * newline-framed logs (journalctl text, journald JSON, klog files…).
 *
 * Lines are handed out as (buffer, start, end) views, without the `\n`: when a line lies
 * inside one chunk the view points into that chunk (no copy); only a line that straddles
 * chunks is assembled, from the carried tail plus the head of the next chunk. Memory stays
 * bounded by `maxLineBytes`: a longer line keeps its first `maxLineBytes` and is flagged
 * `truncated` (the rest is skipped up to the next `\n`).
 *
 * `\r` is left in place (callers decide); a final line without `\n` is still delivered.
 */

/** Default cap for one line: far above journald's LineMax (48 KiB) and klog's limits. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface LineView {
  buf: Buffer;
  start: number;
  end: number;
  /** The line was longer than the cap; `buf[start, end)` holds its head only. */
  truncated: boolean;
}

const NEWLINE = 0x0a;

/**
 * Incremental line assembler: call `take(chunk, pos)` repeatedly; each successful call
 * fills `line` and returns the offset after the `\n`; -1 means the chunk ended inside a
 * line (its bytes are carried). At end of input call `flush()`.
 */
export class LineAssembler {
  readonly line: LineView = { buf: Buffer.alloc(0), start: 0, end: 0, truncated: false };
  private pieces: Buffer[] = [];
  private carried = 0;
  private overflow = false;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Bytes of the current partial line held between chunks. */
  get pendingBytes(): number {
    return this.carried;
  }

  take(chunk: Buffer, pos: number): number {
    const nl = chunk.indexOf(NEWLINE, pos);
    if (nl < 0) {
      this.carry(chunk, pos, chunk.length);
      return -1;
    }
    if (this.carried === 0 && !this.overflow) {
      this.setLine(chunk, pos, nl, false);
    } else {
      this.carry(chunk, pos, nl);
      this.emitCarried();
    }
    return nl + 1;
  }

  /** At end of input: true (and `line` filled) when an unterminated last line is pending. */
  flush(): boolean {
    if (this.carried === 0 && !this.overflow) return false;
    this.emitCarried();
    return true;
  }

  /** Forget a partially carried line (used by parsers that switch to raw byte reading). */
  reset(): void {
    this.pieces = [];
    this.carried = 0;
    this.overflow = false;
  }

  private carry(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    const room = this.maxLineBytes - this.carried;
    if (room <= 0) {
      this.overflow = true;
      return;
    }
    const take = Math.min(room, end - start);
    if (take < end - start) this.overflow = true;
    // Copy: the caller may reuse or release the chunk.
    this.pieces.push(Buffer.from(chunk.subarray(start, start + take)));
    this.carried += take;
  }

  private emitCarried(): void {
    const joined = this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces, this.carried);
    this.setLine(joined, 0, joined.length, this.overflow);
    this.reset();
  }

  private setLine(buf: Buffer, start: number, end: number, truncated: boolean): void {
    const line = this.line;
    line.buf = buf;
    line.start = start;
    line.end = end;
    line.truncated = truncated;
  }
}

/**
 * Call `onLine` for every line of the stream (1-based line numbers). The view passed to
 * `onLine` is only valid during the call, so each chunk is handed to `recycle` (see
 * LogParseOptions.recycle) once its lines are read. Returns the number of lines.
 */
export async function forEachLine(
  chunks: AsyncIterable<Buffer>,
  onLine: (line: LineView, lineNo: number) => void,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  recycle?: (chunk: Buffer) => void,
): Promise<number> {
  const assembler = new LineAssembler(maxLineBytes);
  let lineNo = 0;
  for await (const chunk of chunks) {
    let pos = 0;
    while (pos < chunk.length) {
      const next = assembler.take(chunk, pos);
      if (next < 0) break;
      onLine(assembler.line, ++lineNo);
      pos = next;
    }
    // The assembler copied the partial last line.
    recycle?.(chunk);
  }
  if (assembler.flush()) onLine(assembler.line, ++lineNo);
  return lineNo;
}

/** Decode a line view as UTF-8, dropping one trailing `\r` (CRLF pastes). */
export function lineText(line: LineView): string {
  let end = line.end;
  if (end > line.start && line.buf[end - 1] === 0x0d) end--;
  return line.buf.toString('utf8', line.start, end);
}

/** Adapt an in-memory Buffer or string to the parsers' chunk stream (tests, small inputs). */
export async function* chunksOf(input: Buffer | string, chunkSize = 64 * 1024): AsyncGenerator<Buffer> {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  for (let i = 0; i < buf.length; i += chunkSize) yield buf.subarray(i, Math.min(buf.length, i + chunkSize));
}
