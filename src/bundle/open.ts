/**
 * Opens the user's inputs — `.tgz`/`.tar.gz`/`.tar` bundles, directories, single files
 * (plain or gzip) and `-` (standard input) — and yields their members one at a time, each
 * with a sniffed kind, a node when one can be told, its first 64 KiB and a stream of the
 * rest. Nothing is ever extracted or written: tar archives are streamed (tar-stream),
 * gzip is decompressed in-stream, memory stays flat (only `head` is buffered).
 *
 * Archive vs. file is decided by magic bytes (gzip 1f 8b; "ustar" at offset 257), never by
 * extension. Hostile archives are contained: unsafe names, links and devices are skipped
 * with a reason; limits on total bytes, member bytes, member count and the decompression
 * ratio end an input with a warning; a truncated or corrupt archive keeps what was read.
 * Only an input that cannot be opened at all throws (`InputError`), before any of its
 * members is yielded.
 *
 * Member paths: `<input as typed>/<inner path>` for archives and directories, the file
 * path itself for a single file (without `.gz` when it was gzip), `stdin[/<member>]`.
 */
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { Dirent } from 'node:fs';
import { lstat, open, opendir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import tar, { type Extract, type Header } from 'tar-stream';
import { InputError } from '../errors.js';
import { attributeNode } from './node.js';
import { ChunkPool, fileChunks } from './chunk-pool.js';
import { blankSamplesHeader } from './samples-header.js';
import { sniffKind } from './sniff.js';
import { Peekable, counted, fsReason, gunzip, isGzip, isTar, streamReason } from './streams.js';
import { DEFAULT_LIMITS, type BundleLimits, type BundleWarning, type Member, type SkippedMember } from './types.js';

export interface OpenOptions {
  limits?: Partial<BundleLimits>;
  stdin?: NodeJS.ReadableStream;
  /** Called with the number of input bytes (as stored: compressed for .tgz) each time some are read; for progress. */
  onBytes?(n: number): void;
}

export interface BundleObserver {
  skipped(s: SkippedMember): void;
  warning(w: BundleWarning): void;
}

export const HEAD_BYTES = 64 * 1024;
/** Read size for files: 1 MiB chunks read a multi-GB journal ~4× faster than the 64 KiB default. */
const READ_CHUNK_BYTES = 1024 * 1024;
const DEFAULT_BOMB_RATIO = 1000;
const DEFAULT_BOMB_MIN_BYTES = 256 * 1024 ** 2;

interface Budget {
  limits: Required<BundleLimits>;
  totalBytes: number;
}

/** Per-input accounting; `stop` ends the input with a warning, `corrupt` records a read error. */
interface InputState {
  input: string;
  budget: Budget;
  observer: BundleObserver;
  compressedBytes: number;
  /** Bytes produced by gunzip (archive or member) — the bomb ratio's numerator. */
  expandedBytes: number;
  members: number;
  stop?: string;
  corrupt?: string;
  onBytes?(n: number): void;
}

interface RawMember {
  /** Path shown in the report: the file as found, `.gz` included. */
  path: string;
  innerPath: string;
  /** Path used for node attribution (includes the directory / parent name for dir and file inputs). */
  attributionPath: string;
  size?: number;
  mtime?: number;
  /** The mtime came from an archive header (set when the capture was packed), not a file system. */
  archived?: boolean;
  source: Peekable;
  /** The pool the file's chunks come from, when the member is the whole file (not a tar entry: those share buffers). */
  pool?: ChunkPool;
}

export async function* openBundle(
  inputs: string[],
  observer: BundleObserver,
  options: OpenOptions = {},
): AsyncGenerator<Member> {
  const limits: Required<BundleLimits> = {
    bombRatio: DEFAULT_BOMB_RATIO,
    bombMinBytes: DEFAULT_BOMB_MIN_BYTES,
    ...DEFAULT_LIMITS,
    ...definedOnly(options.limits ?? {}),
  };
  const budget: Budget = { limits, totalBytes: 0 };
  // One unreadable input among several is a warning (report contract: exit 2 only when no
  // input could be read); alone, it is the error.
  const unreadable: InputError[] = [];
  for (const input of inputs) {
    const state: InputState = { input, budget, observer, compressedBytes: 0, expandedBytes: 0, members: 0, ...(options.onBytes ? { onBytes: options.onBytes } : {}) };
    try {
      yield* openInput(input, state, options);
    } catch (error) {
      if (!(error instanceof InputError) || inputs.length === 1) throw error;
      unreadable.push(error);
      observer.warning({ path: input, message: `not read: ${error.reason}` });
      continue;
    }
    if (state.stop) observer.warning({ path: input, message: state.stop });
  }
  if (unreadable.length === inputs.length && unreadable[0]) throw unreadable[0];
}

function definedOnly(limits: Partial<BundleLimits>): Partial<BundleLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as Partial<BundleLimits>;
}

function totalLimitMessage(state: InputState): string {
  return `decompression limit of ${state.budget.limits.maxTotalBytes} bytes reached; the rest of ${state.input} was not read`;
}

async function* openInput(input: string, state: InputState, options: OpenOptions): AsyncGenerator<Member> {
  if (input === '-') {
    if (!options.stdin) throw new InputError('-', 'no standard input stream given');
    if (exhausted(state)) return;
    yield* openStream(options.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>, state, {
      prefix: 'stdin',
      singleName: 'stdin',
      attributionName: 'stdin',
    });
    return;
  }

  let info;
  try {
    info = await stat(input);
  } catch (err) {
    throw new InputError(input, fsReason(err));
  }
  if (info.isDirectory()) {
    try {
      const dir = await opendir(input);
      await dir.close();
    } catch (err) {
      throw new InputError(input, fsReason(err));
    }
    if (exhausted(state)) return;
    yield* openDirectory(input, state);
    return;
  }
  if (!info.isFile() && !info.isFIFO() && !info.isCharacterDevice()) {
    throw new InputError(input, 'not a file or directory');
  }
  let handle;
  try {
    handle = await open(input, 'r');
  } catch (err) {
    throw new InputError(input, fsReason(err));
  }
  if (exhausted(state)) {
    await handle.close();
    return;
  }
  // A regular file is read into reusable buffers; a pipe or device through a stream.
  const pool = info.isFile() ? new ChunkPool(READ_CHUNK_BYTES) : undefined;
  const stream = pool ? undefined : handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
  const chunks = pool ? fileChunks(handle, pool) : (stream![Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  try {
    const parent = basename(dirname(input));
    yield* openStream(chunks, state, {
      prefix: trimSlashes(input),
      singleName: input,
      attributionName: parent && parent !== '.' && parent !== '/' ? `${parent}/${basename(input)}` : basename(input),
      size: info.isFile() ? info.size : undefined,
      mtime: info.isFile() ? Math.round(info.mtimeMs * 1000) : undefined,
      pool,
    });
  } finally {
    // openStream has ended `chunks` (its read in flight included).
    if (stream) stream.destroy();
    else await handle.close();
  }
}

function exhausted(state: InputState): boolean {
  if (state.budget.totalBytes < state.budget.limits.maxTotalBytes) return false;
  state.stop = totalLimitMessage(state);
  return true;
}

function trimSlashes(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

interface StreamNaming {
  /** Prefix for archive members. */
  prefix: string;
  /** Path when the stream is a single member. */
  singleName: string;
  attributionName: string;
  size?: number;
  mtime?: number;
  /** Where `raw`'s chunks come from, when they may be handed back (a regular file's reads). */
  pool?: ChunkPool;
}

/** A file or stdin: gzip and/or tar by magic bytes, else one member. */
async function* openStream(raw: AsyncIterator<Buffer | string>, state: InputState, naming: StreamNaming): AsyncGenerator<Member> {
  const rawBytes = counted({ [Symbol.asyncIterator]: () => raw }, (n) => {
    state.compressedBytes += n;
    state.onBytes?.(n);
  });
  let source = new Peekable(rawBytes);
  let gzipped = false;
  try {
    if (isGzip(await source.peek(2))) {
      gzipped = true;
      const plain = expanding(gunzip(source.chunks(), (err) => (state.corrupt ??= streamReason(err))), state);
      source = new Peekable(plain);
    }
    const head = await source.peek(512);
    if (isTar(head) || (head.length >= 512 && isEmptyTar(await source.peek(EMPTY_TAR_MAX + 1)))) {
      yield* readTar(source, state, naming.prefix);
      return;
    }
    // The report names the file as found (with .gz); sniffing sees the inner name.
    const name = naming.singleName;
    state.members++;
    yield* readMember(
      {
        path: name,
        innerPath: gzipped ? basename(name).replace(/\.gz$/, '') : basename(name),
        attributionPath: gzipped ? naming.attributionName.replace(/\.gz$/, '') : naming.attributionName,
        size: gzipped ? undefined : naming.size,
        mtime: naming.mtime,
        source,
        // Gunzip's output is its own memory, not the pool's.
        ...(gzipped ? {} : { pool: naming.pool }),
      },
      state,
      false,
    );
    if (state.corrupt && !state.stop) {
      state.observer.warning({ path: naming.singleName, message: `compressed stream truncated or corrupt: ${state.corrupt}` });
    }
  } finally {
    // Stop the chain (gunzip, file stream) if the consumer left early or a limit ended it.
    await raw.return?.();
  }
}

/**
 * A tar (plain or gzip-compressed) inside a directory input: the stream to read it from,
 * or undefined when the file is something else (then `source` is untouched).
 */
async function nestedArchive(source: Peekable, state: InputState): Promise<Peekable | undefined> {
  const head = await source.peek(NESTED_SNIFF_BYTES);
  if (isTar(head)) return source;
  if (!isGzip(head)) return undefined;
  let inflated: Buffer;
  try {
    inflated = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
  if (!isTar(inflated)) return undefined;
  return new Peekable(expanding(gunzip(source.chunks(), (err) => (state.corrupt ??= streamReason(err))), state));
}
const NESTED_SNIFF_BYTES = 64 * 1024;

/** A tar with no members is only its end-of-archive zero blocks (GNU tar pads to 10 KiB). */
const EMPTY_TAR_MAX = 64 * 1024;
function isEmptyTar(whole: Buffer): boolean {
  return whole.length >= 1024 && whole.length <= EMPTY_TAR_MAX && whole.length % 512 === 0 && whole.every((b) => b === 0);
}

/** Tar entry names that must never be trusted as paths. */
function unsafeName(name: string): boolean {
  return name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name) || name.split(/[\\/]/).includes('..');
}

const SKIP_TYPE_REASON: Partial<Record<string, string>> = {
  symlink: 'symbolic link not followed',
  link: 'hard link not followed',
  'character-device': 'not a regular file (character device)',
  'block-device': 'not a regular file (block device)',
  fifo: 'not a regular file (fifo)',
};

type TarEntry = AsyncIterable<Buffer> & { header: Partial<Header> & { name: string } };

async function* readTar(
  source: Peekable,
  state: InputState,
  prefix: string,
  nested?: { archivePath: string; attributionPrefix: string },
): AsyncGenerator<Member> {
  const archivePath = nested?.archivePath ?? state.input;
  const extract = tar.extract();
  let abandoned = false;
  const pumping = pump(source, extract, state, () => abandoned);
  // streamx types the entry stream loosely; entries yield Buffers.
  const entries = extract[Symbol.asyncIterator]() as unknown as AsyncIterator<TarEntry>;
  let entryCount = 0;
  try {
    for (;;) {
      let next: IteratorResult<TarEntry>;
      try {
        next = await entries.next();
      } catch (err) {
        state.corrupt ??= streamReason(err);
        break;
      }
      if (next.done) break;
      const entry = next.value;
      const header = entry.header;
      const body = new Peekable(entry[Symbol.asyncIterator]());
      const name = header.name.replace(/^(?:\.?\/)+/, '');
      if (header.type === 'directory' || name === '') {
        await body.drain();
        continue;
      }
      entryCount++;
      state.members++;
      if (state.members > state.budget.limits.maxMembers) {
        state.stop = `more than ${state.budget.limits.maxMembers} members; the rest of ${state.input} was not read`;
        break;
      }
      const path = `${prefix}/${name}`;
      const skipReason = unsafeName(header.name)
        ? `unsafe path: ${header.name}`
        : header.type === 'file' || header.type === 'contiguous-file' || header.type == null
          ? undefined
          : (SKIP_TYPE_REASON[header.type] ?? `not a regular file (${header.type})`);
      if (skipReason) {
        state.observer.skipped({ path, reason: skipReason });
        await body.drain();
      } else {
        yield* readMember(
          {
            path,
            innerPath: name,
            attributionPath: `${nested?.attributionPrefix ?? ''}${name}`,
            size: header.size,
            mtime: header.mtime ? header.mtime.getTime() * 1000 : undefined,
            archived: true,
            source: body,
          },
          state,
          true,
        );
      }
      if (body.failure !== undefined) state.corrupt ??= streamReason(body.failure);
      if (state.stop || state.corrupt) break;
    }
    if (state.corrupt && !state.stop) {
      state.observer.warning({
        path: archivePath,
        message: `archive truncated or corrupt after ${entryCount} members: ${state.corrupt}`,
      });
    } else if (entryCount === 0 && !state.stop) {
      state.observer.warning({ path: archivePath, message: 'archive has no members' });
    }
  } finally {
    abandoned = true;
    extract.destroy();
    await pumping;
  }
}

/** Feeds the (decompressed) archive bytes into tar-stream, honouring backpressure. */
async function pump(source: Peekable, extract: Extract, state: InputState, abandoned: () => boolean): Promise<void> {
  for (;;) {
    let chunk: Buffer | undefined;
    try {
      chunk = await source.next();
    } catch (err) {
      state.corrupt ??= streamReason(err);
      extract.destroy(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (abandoned() || extract.destroyed) return;
    if (state.stop) {
      // A limit ended the stream early: that is not the archive's fault.
      extract.destroy();
      return;
    }
    if (chunk === undefined) {
      extract.end(undefined);
      return;
    }
    if (!extract.write(chunk)) await drained(extract);
  }
}

function drained(extract: Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      extract.off('drain', done);
      extract.off('close', done);
      resolve();
    };
    extract.on('drain', done);
    extract.on('close', done);
  });
}

/**
 * Applies the limits to one member's (decompressed) bytes. Bytes past the member limit are
 * still read (and counted) so the archive can move on, but not passed on.
 */
async function* metered(source: AsyncIterable<Buffer>, state: InputState, path: string): AsyncGenerator<Buffer> {
  const { limits } = state.budget;
  let memberBytes = 0;
  let truncated = false;
  for await (const whole of source) {
    let chunk = whole;
    const totalLeft = limits.maxTotalBytes - state.budget.totalBytes;
    if (chunk.length >= totalLeft) {
      chunk = chunk.subarray(0, Math.max(0, totalLeft));
      state.stop ??= totalLimitMessage(state);
    }
    state.budget.totalBytes += chunk.length;
    if (!truncated) {
      const memberLeft = limits.maxMemberBytes - memberBytes;
      if (chunk.length > memberLeft) {
        if (memberLeft > 0) yield chunk.subarray(0, memberLeft);
        memberBytes = limits.maxMemberBytes;
        truncated = true;
        state.observer.warning({ path, message: `member truncated at ${limits.maxMemberBytes} bytes` });
      } else if (chunk.length > 0) {
        memberBytes += chunk.length;
        yield chunk;
      }
    }
    if (state.stop) return;
  }
}

/**
 * Counts gunzip output and ends the stream when the input looks like a decompression bomb
 * (ratio above `bombRatio` once `bombMinBytes` came out): cheap, and independent of what
 * the bytes turn out to be (tar padding, zero blocks, skipped members).
 */
async function* expanding(source: AsyncIterable<Buffer>, state: InputState): AsyncGenerator<Buffer> {
  const { limits } = state.budget;
  for await (const chunk of source) {
    state.expandedBytes += chunk.length;
    yield chunk;
    if (state.expandedBytes >= limits.bombMinBytes && state.expandedBytes > limits.bombRatio * state.compressedBytes) {
      const ratio = Math.round(state.expandedBytes / Math.max(1, state.compressedBytes));
      state.stop ??= `looks like a decompression bomb (${state.expandedBytes} bytes from ${state.compressedBytes}, ${ratio}:1); the rest of ${state.input} was not read`;
    }
    if (state.stop) return;
  }
}

/**
 * Sniffs one member and yields it (or reports it skipped), then makes sure its bytes are
 * consumed before the caller moves on. `inArchive`: a gzip member's decompression error is
 * the member's problem, not the archive's.
 */
async function* readMember(raw: RawMember, state: InputState, inArchive: boolean): AsyncGenerator<Member> {
  let { path, innerPath, attributionPath } = raw;
  let size = raw.size;
  let content: AsyncIterable<Buffer> = raw.source.chunks();
  let pool = raw.pool;
  if (inArchive && isGzip(await raw.source.peek(2))) {
    pool = undefined;
    innerPath = innerPath.replace(/\.gz$/, '');
    attributionPath = attributionPath.replace(/\.gz$/, '');
    size = undefined;
    content = expanding(
      gunzip(content, (err) => {
        if (raw.source.failure === undefined) {
          state.observer.warning({ path, message: `gzip member truncated or corrupt: ${streamReason(err)}` });
        }
      }),
      state,
    );
  }
  const body = new Peekable(metered(content, state, path)[Symbol.asyncIterator]());
  try {
    const rawHead = await body.peek(HEAD_BYTES);
    const head = blankSamplesHeader(rawHead.length > HEAD_BYTES ? rawHead.subarray(0, HEAD_BYTES) : rawHead);
    if (rawHead.length === 0) {
      if (!state.stop) state.observer.skipped({ path, reason: 'empty file' });
      return;
    }
    const sniffed = sniffKind(head, innerPath);
    if ('skip' in sniffed) {
      state.observer.skipped({ path, reason: sniffed.skip });
      return;
    }
    const node = attributeNode(attributionPath, head, sniffed.kind);
    let started = false;
    const member: Member = {
      path,
      innerPath,
      ...(size !== undefined ? { size } : {}),
      ...(raw.mtime !== undefined ? { mtime: raw.mtime } : {}),
      archived: raw.archived === true,
      kind: sniffed.kind,
      ...(node !== undefined ? { node } : {}),
      head,
      chunks: () => {
        if (started) throw new Error(`chunks() of ${path} can only be read once`);
        started = true;
        return replay(head, rawHead, body);
      },
    };
    // The first chunk stays: `head` (kept by the member) may be part of it.
    if (pool) {
      member.recycle = (chunk) => {
        if (chunk.buffer !== rawHead.buffer && chunk.buffer !== head.buffer) pool.give(chunk);
      };
    }
    yield member;
  } finally {
    // A stopped input is abandoned as it is: draining would decompress what the limit refused.
    if (!state.stop) {
      await body.drain();
      await raw.source.drain();
    }
  }
}

/** The member's bytes: the (header-blanked) head, then whatever the peek read past it, then the rest. */
async function* replay(head: Buffer, rawHead: Buffer, body: Peekable): AsyncGenerator<Buffer> {
  // `body` still holds rawHead's chunks; skip exactly those bytes and emit `head` in their place.
  let toSkip = Math.min(rawHead.length, HEAD_BYTES);
  if (head.length > 0) yield head;
  for (;;) {
    const chunk = await body.next().catch(() => undefined);
    if (chunk === undefined) return;
    if (toSkip >= chunk.length) {
      toSkip -= chunk.length;
      continue;
    }
    const rest = toSkip > 0 ? chunk.subarray(toSkip) : chunk;
    toSkip = 0;
    yield rest;
  }
}

/** Directory input: every regular file below it, in path order; links are not followed. */
async function* openDirectory(dir: string, state: InputState): AsyncGenerator<Member> {
  const prefix = trimSlashes(dir);
  const dirName = basename(prefix);
  const { default: fg } = await import('fast-glob');
  const entries = await fg('**', {
    cwd: dir,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    objectMode: true,
    suppressErrors: true,
  });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of entries) {
    const dirent: Pick<Dirent, 'isDirectory' | 'isSymbolicLink' | 'isFile'> = entry.dirent;
    if (dirent.isDirectory()) continue;
    state.members++;
    if (state.members > state.budget.limits.maxMembers) {
      state.stop = `more than ${state.budget.limits.maxMembers} members; the rest of ${state.input} was not read`;
      return;
    }
    const path = `${prefix}/${entry.path}`;
    const full = join(dir, entry.path);
    if (dirent.isSymbolicLink()) {
      state.observer.skipped({ path, reason: 'symbolic link not followed' });
      continue;
    }
    if (!dirent.isFile()) {
      state.observer.skipped({ path, reason: 'not a regular file' });
      continue;
    }
    let handle;
    let info;
    try {
      info = await lstat(full);
      if (!info.isFile()) {
        state.observer.skipped({ path, reason: 'not a regular file' });
        continue;
      }
      handle = await open(full, 'r');
    } catch (err) {
      state.observer.skipped({ path, reason: fsReason(err) });
      continue;
    }
    const pool = new ChunkPool(READ_CHUNK_BYTES);
    const chunks = fileChunks(handle, pool);
    try {
      const source = new Peekable(
        counted(chunks, (n) => {
          state.compressedBytes += n;
          state.onBytes?.(n);
        })[Symbol.asyncIterator](),
      );
      const archive = await nestedArchive(source, state);
      if (archive) {
        // An operator's folder often holds one `microk8s inspect` tarball per node: open it
        // in place (one level deep), attributing members by the folder it sits in.
        state.members--;
        const folder = entry.path.includes('/') ? `${entry.path.slice(0, entry.path.lastIndexOf('/'))}/` : '';
        const corrupt = state.corrupt;
        state.corrupt = undefined;
        yield* readTar(archive, state, path, { archivePath: path, attributionPrefix: `${dirName}/${folder}` });
        state.corrupt = corrupt;
        if (state.stop) return;
        continue;
      }
      yield* readMember(
        {
          path,
          innerPath: entry.path,
          attributionPath: `${dirName}/${entry.path}`,
          size: info.size,
          mtime: Math.round(info.mtimeMs * 1000),
          source,
          pool,
        },
        state,
        true,
      );
      if (source.failure !== undefined) {
        state.observer.warning({ path, message: `read error: ${fsReason(source.failure)}` });
      }
    } finally {
      await chunks.return(undefined);
      await handle.close();
    }
    if (state.stop) return;
  }
}
