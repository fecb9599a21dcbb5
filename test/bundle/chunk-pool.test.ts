import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkPool, fileChunks } from '../../src/bundle/chunk-pool.js';
import { openBundle } from '../../src/bundle/open.js';
import { makeTempDir } from './helpers.js';

const quietObserver = { skipped: () => {}, warning: () => {} };

describe('ChunkPool', () => {
  it('lends a new Buffer object each time, over memory handed back before', () => {
    const pool = new ChunkPool(16);
    const first = pool.take();
    pool.give(first.subarray(4, 8));
    const second = pool.take();
    expect(second).not.toBe(first);
    expect(second.buffer).toBe(first.buffer);
    expect(second.length).toBe(16);
  });

  it('keeps nothing of a chunk its consumer never hands back', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const pool = new ChunkPool(1 << 16);
    const taken = Array.from({ length: 20 }, () => new WeakRef(pool.take().buffer));
    // WeakRef targets stay alive until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(taken.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });

  it('ignores chunks it did not lend, and a chunk handed back twice', () => {
    const pool = new ChunkPool(16);
    const lent = pool.take();
    pool.give(Buffer.alloc(16));
    pool.give(lent);
    pool.give(lent);
    const a = pool.take();
    const b = pool.take();
    expect(a.buffer).toBe(lent.buffer);
    expect(b.buffer).not.toBe(lent.buffer);
  });
});

describe('fileChunks', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  async function readWith(content: Buffer, chunkBytes: number, recycle: boolean): Promise<Buffer[]> {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    const file = join(tmp.dir, 'f');
    writeFileSync(file, content);
    const handle = await open(file, 'r');
    const pool = new ChunkPool(chunkBytes);
    const copies: Buffer[] = [];
    try {
      for await (const chunk of fileChunks(handle, pool)) {
        copies.push(Buffer.from(chunk));
        if (recycle) {
          chunk.fill(0xaa);
          pool.give(chunk);
        }
      }
    } finally {
      await handle.close();
    }
    return copies;
  }

  it('yields the whole file in order, whether or not chunks are handed back', async () => {
    const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(''));
    for (const size of [1, 7, 100, content.length, content.length + 1]) {
      for (const recycle of [false, true]) {
        const chunks = await readWith(content, size, recycle);
        expect(Buffer.concat(chunks).equals(content)).toBe(true);
        expect(chunks.every((c) => c.length > 0 && c.length <= size)).toBe(true);
      }
    }
    expect(await readWith(Buffer.alloc(0), 8, true)).toEqual([]);
  });

  it('reads on from where a short read stopped, though later reads were already in flight', async () => {
    const content = Buffer.from(Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join(''));
    let reads = 0;
    // As a network file system may: every third read returns only part of what was asked.
    const shortReads = {
      async read(buffer: Buffer, offset: number, length: number, position: number) {
        const wanted = ++reads % 3 === 0 ? Math.min(5, length) : length;
        const bytesRead = content.copy(buffer, offset, position, Math.min(content.length, position + wanted));
        return { bytesRead, buffer };
      },
    } as unknown as FileHandle;
    const chunks: Buffer[] = [];
    for await (const chunk of fileChunks(shortReads, new ChunkPool(64))) chunks.push(Buffer.from(chunk));
    expect(chunks.some((c) => c.length === 5)).toBe(true);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  it('gives a read error to the consumer at its next chunk, even while it waits on other work', async () => {
    let reads = 0;
    const failingSecondRead = {
      async read(buffer: Buffer) {
        if (++reads === 1) return { bytesRead: buffer.fill(0x61).length, buffer };
        throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      },
    } as unknown as FileHandle;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let failure: unknown;
    try {
      for await (const chunk of fileChunks(failingSecondRead, new ChunkPool(64))) {
        expect(chunk).toHaveLength(64);
        await new Promise((resolve) => setTimeout(resolve, 20)); // the next read fails meanwhile
      }
    } catch (err) {
      failure = err;
    } finally {
      await new Promise((resolve) => setTimeout(resolve, 10));
      process.off('unhandledRejection', onUnhandled);
    }
    expect((failure as NodeJS.ErrnoException | undefined)?.code).toBe('EIO');
    expect(unhandled).toEqual([]);
  });

  it('can be abandoned with a read in flight', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    const file = join(tmp.dir, 'f');
    writeFileSync(file, Buffer.alloc(4096, 0x61));
    const handle = await open(file, 'r');
    const chunks = fileChunks(handle, new ChunkPool(1024));
    expect((await chunks.next()).value).toHaveLength(1024);
    await chunks.return(undefined);
    await handle.close();
    expect((await chunks.next()).done).toBe(true);
  });
});

describe('members that may hand chunks back', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  const JOURNAL = Buffer.from(Array.from({ length: 110_000 }, (_, i) => `__CURSOR=s=1;i=${i}\n__REALTIME_TIMESTAMP=${1779027302000000 + i}\n_HOSTNAME=k8s03\nMESSAGE=line ${i}\n\n`).join(''));

  async function recyclable(input: string): Promise<Array<[string, boolean]>> {
    const seen: Array<[string, boolean]> = [];
    for await (const m of openBundle([input], quietObserver)) {
      seen.push([m.innerPath, m.recycle !== undefined]);
      for await (const chunk of m.chunks()) m.recycle?.(chunk);
    }
    return seen;
  }

  it('are plain files (alone or in a folder), not tar entries and not gzip', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    writeFileSync(join(tmp.dir, 'journal.export'), JOURNAL);
    writeFileSync(join(tmp.dir, 'journal2.export.gz'), gzipSync(JOURNAL));
    execFileSync('tar', ['-cf', join(tmp.dir, 'bundle.tar'), '-C', tmp.dir, 'journal.export']);
    expect(await recyclable(join(tmp.dir, 'journal.export'))).toEqual([['journal.export', true]]);
    expect(await recyclable(join(tmp.dir, 'journal2.export.gz'))).toEqual([['journal2.export', false]]);
    expect(await recyclable(join(tmp.dir, 'bundle.tar'))).toEqual([['journal.export', false]]);
    expect((await recyclable(tmp.dir)).sort()).toEqual([
      ['journal.export', true],
      ['journal.export', false],
      ['journal2.export', false],
    ].sort());
  });

  it('are read into handed-back memory only: chunks still held and the head stay intact', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    writeFileSync(join(tmp.dir, 'journal.export'), JOURNAL);
    for await (const m of openBundle([join(tmp.dir, 'journal.export')], quietObserver)) {
      const copies: Buffer[] = [];
      let held: Buffer | undefined;
      const memories = new Set<ArrayBufferLike>();
      for await (const chunk of m.chunks()) {
        // The chunk before is still held: no read may have gone into it.
        if (held) expect(held.equals(copies[copies.length - 1]!)).toBe(true);
        if (held) m.recycle!(held);
        copies.push(Buffer.from(chunk));
        memories.add(chunk.buffer);
        held = chunk;
      }
      expect(Buffer.concat(copies).equals(JOURNAL)).toBe(true);
      expect(m.head.equals(JOURNAL.subarray(0, m.head.length))).toBe(true);
      // Memory was reused: far fewer buffers than chunks.
      expect(copies.length).toBeGreaterThan(3);
      expect(memories.size).toBeLessThanOrEqual(4);
    }
  });
});
