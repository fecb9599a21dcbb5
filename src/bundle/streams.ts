/**
 * Small stream helpers for the bundle reader. Tar entries come from tar-stream (streamx):
 * destroying an entry destroys the whole archive, so entries are only ever read with
 * explicit `next()` calls, never with `for await` (whose early exit calls `return()`).
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Buffers the first bytes of a source for sniffing and replays them. Pulls are serialized so
 * a drain can follow an abandoned consumer safely; a source error is kept, replayed once by
 * `next()`, and ends the stream.
 */
export class Peekable {
  private readonly buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private done = false;
  private error: unknown;
  private failed: unknown;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly source: AsyncIterator<Buffer | string>) {}

  /** At least `n` bytes (fewer only at the end), without consuming them. */
  async peek(n: number): Promise<Buffer> {
    while (this.bufferedBytes < n && !this.done) {
      const chunk = await this.pull();
      if (chunk) {
        this.buffered.push(chunk);
        this.bufferedBytes += chunk.length;
      }
    }
    return this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
  }

  /** The next chunk (replayed ones first), `undefined` at the end; rethrows a source error once. */
  async next(): Promise<Buffer | undefined> {
    const replay = this.buffered.shift();
    if (replay) {
      this.bufferedBytes -= replay.length;
      return replay;
    }
    const chunk = await this.pull();
    if (chunk === undefined && this.error !== undefined) {
      const error = this.error;
      this.error = undefined;
      throw error;
    }
    return chunk;
  }

  /** Reads and discards the rest; errors are swallowed (the caller checks `failure`). */
  async drain(): Promise<void> {
    this.buffered.length = 0;
    this.bufferedBytes = 0;
    while (!this.done) await this.pull();
  }

  /** The source error, if it failed (kept after `next()` rethrew it). */
  get failure(): unknown {
    return this.failed;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = await this.next();
      if (chunk === undefined) return;
      yield chunk;
    }
  }

  private pull(): Promise<Buffer | undefined> {
    const result = this.queue.then(async () => {
      if (this.done) return undefined;
      try {
        const r = await this.source.next();
        if (r.done) {
          this.done = true;
          return undefined;
        }
        return typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      } catch (err) {
        this.done = true;
        this.error = err;
        this.failed = err;
        return undefined;
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** Gunzips a byte source; a corrupt or truncated stream ends it and is reported via `onError`. */
export async function* gunzip(source: AsyncIterable<Buffer>, onError: (err: unknown) => void): AsyncGenerator<Buffer> {
  const input = Readable.from(source, { objectMode: false });
  const output = pipeline(input, createGunzip(), () => undefined);
  try {
    for await (const chunk of output) yield chunk as Buffer;
  } catch (err) {
    onError(err);
  }
}

/** Counts bytes flowing through (compressed input size for the bomb check). */
export async function* counted(source: AsyncIterable<Buffer | string>, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    onBytes(buffer.length);
    yield buffer;
  }
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** POSIX ustar and GNU tar both carry "ustar" at offset 257. */
export function isTar(head: Buffer): boolean {
  return head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar';
}

/** A short, stable reason for a stream or archive error (never the raw Error object). */
export function streamReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const trimmed = message.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return trimmed === '' ? 'unknown error' : trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
};

/** Maps a file-system error to a short reason (`no such file or directory`, `permission denied`). */
export function fsReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  return FS_REASONS[code] ?? (code ? code.toLowerCase() : streamReason(err));
}
