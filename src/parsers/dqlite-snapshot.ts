/**
 * dqlite FSM snapshot files (`backend/snapshot-<term>-<index>-<ts>`, written by raft's
 * `UvSnapshotPut`) and their `.meta` companions; reads the kine table of the `k8s` database
 * inside and counts what it holds. Read-only: the input Buffer is never written (decoding
 * goes to new memory and SQLite opens a private copy) — PIR 004: never vacuum or rewrite
 * snapshots offline.
 *
 * Sample (the first bytes of an LZ4-framed snapshot made by scripts/make-node-test-data.sh
 * with `lz4 --content-size -BD`, then the dqlite payload after decompression):
 *   04 22 4d 18 6c 40 28 80 00 00 …            LZ4 frame magic, FLG (content size + checksum), BD, size
 *   01 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00    format = 1, 1 database
 *   6b 38 73 00 00 00 00 00                             "k8s\0" padded to 8
 *   00 90 01 00 00 00 00 00  00 00 00 00 00 00 00 00    main_size, wal_size
 *   53 51 4c 69 74 65 20 66 6f 72 6d 61 74 20 33 00    "SQLite format 3\0" …
 *
 * Output: `DqliteSnapshotStatsFact` (database bytes, live/deleted keys per `/registry/…`
 * prefix, live ipamhandles, min/max revision, compact revision) or undefined with warnings.
 * `readSnapshotMeta` validates a `.meta` file (format, CRC, configuration index/length).
 *
 * Quirks (format reference §6.3–§6.6, §7.2): compression is sniffed (LZ4 frame magic), not
 * assumed; the frame uses linked blocks and a content checksum (lz4js only decodes blocks,
 * framing is checked here and bounded by `maxDecompressedBytes` before allocating); snapshots
 * of dqlite ≤ 1.16 carry a WAL whose frames are applied to the page array; the main image says
 * WAL mode (header bytes 18/19 = 2), which an in-memory SQLite cannot open, so the private
 * copy gets 1/1; kine is log-structured: the latest row (MAX(id)) per name decides whether a
 * key is live; `compact_rev_key` and `gap-*` rows are bookkeeping.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { sqlite } from '../lazy-require.js';
import { decompressBlock } from 'lz4js';
import { hash as xxh32 } from 'lz4js/xxh32.js';
import type { DqliteSnapshotStatsFact, KinePrefixCount } from '../model/facts.js';
import type { StateParseResult } from './types.js';
import { baseName } from './text-table.js';

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 2 * 1024 ** 3;
const LZ4_MAGIC = 0x184d2204;
const BLOCK_MAX: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const IPAM_HANDLES_PREFIX = '/registry/crd.projectcalico.org/ipamhandles/';

export interface SnapshotReadContext {
  path: string;
  node?: string;
  /** Refuse to inflate beyond this many bytes. Default 2 GiB. */
  maxDecompressedBytes?: number;
}

export function isLz4Frame(data: Uint8Array): boolean {
  return data.length >= 4 && Buffer.from(data.buffer, data.byteOffset, 4).readUInt32LE(0) === LZ4_MAGIC;
}

/**
 * Decodes one LZ4 frame into fresh memory. Returns what could be decoded (possibly partial)
 * and warnings; undefined data when the frame is unusable or too large.
 */
export function decodeLz4Frame(src: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): { data?: Buffer; warnings: string[] } {
  const warnings: string[] = [];
  if (!isLz4Frame(src) || src.length < 7) return { warnings: ['not an LZ4 frame'] };
  const flg = src[4] ?? 0;
  const bd = src[5] ?? 0;
  if ((flg >> 6) !== 1) return { warnings: [`LZ4 frame version ${flg >> 6} not supported`] };
  const blockChecksums = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const hasDictId = (flg & 0x01) !== 0;
  const blockMax = BLOCK_MAX[(bd >> 4) & 7];
  if (blockMax === undefined) return { warnings: [`LZ4 frame block size id ${(bd >> 4) & 7} invalid`] };
  let pos = 6;
  let contentSize: number | undefined;
  if (hasContentSize) {
    if (src.length < pos + 8) return { warnings: ['truncated LZ4 frame header'] };
    const size = src.readBigUInt64LE(pos);
    pos += 8;
    if (size > BigInt(maxBytes)) {
      return { warnings: [`LZ4 frame declares ${size} bytes of content, above the ${maxBytes}-byte limit: not decompressed`] };
    }
    contentSize = Number(size);
  }
  if (hasDictId) {
    warnings.push('LZ4 frame uses a dictionary: not supported, output may be wrong');
    pos += 4;
  }
  pos += 1; // header checksum
  let capacity = contentSize ?? Math.min(maxBytes, Math.max(blockMax, src.length * 4));
  let dst = new Uint8Array(capacity);
  let out = 0;
  let ended = false;
  while (pos + 4 <= src.length) {
    const word = src.readUInt32LE(pos);
    pos += 4;
    if (word === 0) {
      ended = true;
      break;
    }
    const raw = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > blockMax) {
      warnings.push(`LZ4 block of ${size} bytes exceeds the frame's ${blockMax}-byte block size: corrupt frame`);
      break;
    }
    if (pos + size + (blockChecksums ? 4 : 0) > src.length) {
      warnings.push(`truncated LZ4 frame: block at byte ${pos - 4} runs past the end of the file`);
      break;
    }
    if (out + blockMax > capacity) {
      if (contentSize !== undefined && out + (raw ? size : 1) > contentSize) {
        warnings.push('LZ4 frame holds more data than its declared content size: corrupt frame');
        break;
      }
      if (contentSize === undefined) {
        if (capacity >= maxBytes) {
          warnings.push(`LZ4 content exceeds the ${maxBytes}-byte limit: decoding stopped`);
          break;
        }
        capacity = Math.min(maxBytes, Math.max(capacity * 2, out + blockMax));
        const grown = new Uint8Array(capacity);
        grown.set(dst.subarray(0, out));
        dst = grown;
      }
    }
    if (raw) {
      const n = Math.min(size, capacity - out);
      dst.set(src.subarray(pos, pos + n), out);
      out += n;
    } else {
      const next = decompressBlock(src, dst, pos, size, out);
      if (!(next >= out) || next - out > blockMax) {
        warnings.push(`corrupt LZ4 block at byte ${pos - 4}`);
        out = Math.min(Math.max(out, next || out), capacity);
        break;
      }
      out = Math.min(next, capacity);
    }
    pos += size + (blockChecksums ? 4 : 0);
  }
  if (!ended) warnings.push(`truncated LZ4 frame: no end mark, ${out} bytes decoded`);
  else if (contentChecksum) {
    if (pos + 4 > src.length) warnings.push('truncated LZ4 frame: content checksum missing');
    else if (xxh32(0, dst, 0, out) !== src.readUInt32LE(pos)) warnings.push('LZ4 content checksum mismatch');
  }
  if (contentSize !== undefined && ended && out !== contentSize) warnings.push(`LZ4 frame decoded ${out} bytes, header said ${contentSize}`);
  return { data: Buffer.from(dst.buffer, dst.byteOffset, out), warnings };
}

interface DatabaseImage {
  name: string;
  main: Buffer;
  wal: Buffer;
}

/** dqlite snapshot payload (format 1) → database images (views into `payload`). */
export function parseSnapshotPayload(payload: Buffer): { databases: DatabaseImage[]; warnings: string[] } {
  const warnings: string[] = [];
  const databases: DatabaseImage[] = [];
  if (payload.length < 16) return { databases, warnings: ['snapshot shorter than its 16-byte header'] };
  const format = payload.readBigUInt64LE(0);
  if (format !== 1n) return { databases, warnings: [`snapshot format ${format} is not dqlite's format 1`] };
  const n = payload.readBigUInt64LE(8);
  if (n > 1024n) return { databases, warnings: [`snapshot claims ${n} databases: not a dqlite snapshot`] };
  let pos = 16;
  for (let i = 0; i < Number(n); i++) {
    const nul = payload.indexOf(0, pos);
    if (nul < 0 || nul - pos > 4096) {
      warnings.push(`database ${i}: no NUL-terminated file name`);
      break;
    }
    const name = payload.toString('utf8', pos, nul);
    pos += Math.ceil((nul - pos + 1) / 8) * 8;
    if (pos + 16 > payload.length) {
      warnings.push(`database ${name}: header truncated`);
      break;
    }
    const mainSize = payload.readBigUInt64LE(pos);
    const walSize = payload.readBigUInt64LE(pos + 8);
    pos += 16;
    if (BigInt(pos) + mainSize + walSize > BigInt(payload.length)) {
      warnings.push(`database ${name}: ${mainSize} + ${walSize} bytes declared, ${payload.length - pos} present (truncated snapshot)`);
      break;
    }
    const main = payload.subarray(pos, pos + Number(mainSize));
    pos += Number(mainSize);
    const wal = payload.subarray(pos, pos + Number(walSize));
    pos += Number(walSize);
    databases.push({ name, main, wal });
  }
  return { databases, warnings };
}

/** Page size from a SQLite header (BE16 at offset 16; 1 means 65536). */
function pageSize(main: Buffer): number | undefined {
  if (main.length < 100) return undefined;
  const v = main.readUInt16BE(16);
  const size = v === 1 ? 65536 : v;
  return size >= 512 && (size & (size - 1)) === 0 ? size : undefined;
}

/** Main image with the WAL frames of a pre-1.17 snapshot applied (dqlite src/fsm.c loader); always a fresh copy. */
export function applyWal(main: Buffer, wal: Buffer): { image: Buffer; warnings: string[] } {
  const warnings: string[] = [];
  const size = pageSize(main) ?? (wal.length >= 32 ? wal.readUInt32BE(8) : undefined);
  if (wal.length <= 32 || size === undefined) return { image: Buffer.from(main), warnings };
  const frameSize = 24 + size;
  const frames = Math.floor((wal.length - 32) / frameSize);
  if (frames === 0) return { image: Buffer.from(main), warnings };
  const lastFrame = 32 + (frames - 1) * frameSize;
  const walPages = wal.readUInt32BE(lastFrame + 4);
  if (walPages === 0) {
    warnings.push('WAL last frame is not a commit frame; WAL ignored');
    return { image: Buffer.from(main), warnings };
  }
  const image = Buffer.alloc(walPages * size);
  main.copy(image, 0, 0, Math.min(main.length, image.length));
  const have = new Uint8Array(walPages);
  for (let p = 0; p < Math.min(walPages, Math.floor(main.length / size)); p++) have[p] = 1;
  for (let f = 0; f < frames; f++) {
    const at = 32 + f * frameSize;
    const page = wal.readUInt32BE(at);
    if (page === 0 || page > walPages) continue;
    wal.copy(image, (page - 1) * size, at + 24, at + 24 + size);
    have[page - 1] = 1;
  }
  if (have.includes(0)) warnings.push('WAL leaves pages missing: database image incomplete');
  return { image, warnings };
}

/** `/registry/pods/ns/x` → `/registry/pods/`; CRs `/registry/<group>/<plural>/`; services split specs/endpoints. */
export function kinePrefix(name: string): string {
  const parts = name.split('/');
  if (parts[0] !== '' || parts.length < 3) return parts.length >= 2 && parts[0] === '' ? `/${parts[1] ?? ''}/` : name;
  const top = parts[1] ?? '';
  const first = parts[2] ?? '';
  if (top !== 'registry') return `/${top}/`;
  if ((first.includes('.') || first === 'services') && parts.length > 4) return `/registry/${first}/${parts[3] ?? ''}/`;
  return `/registry/${first}/`;
}

function openReadOnly(image: Buffer, warnings: string[]): { db: Database.Database; cleanup: () => void } | undefined {
  try {
    return { db: new (sqlite())(image, { readonly: true }), cleanup: () => undefined };
  } catch (err) {
    warnings.push(`in-memory open failed (${(err as Error).message}); using a private temp copy`);
  }
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), 'pleg-analyze-dqlite-'));
    const file = join(dir, 'k8s.db');
    writeFileSync(file, image);
    const db = new (sqlite())(file, { readonly: true, fileMustExist: true });
    const d = dir;
    return { db, cleanup: () => rmSync(d, { recursive: true, force: true }) };
  } catch (err) {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    warnings.push(`cannot open the database image: ${(err as Error).message}`);
    return undefined;
  }
}

/** kine statistics from an opened database. */
function kineStats(db: Database.Database, warnings: string[]): Omit<DqliteSnapshotStatsFact, 'snapshot' | 'databaseBytes' | 'source' | 'node'> | undefined {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kine'").get();
  if (!table) {
    warnings.push('database has no kine table');
    return undefined;
  }
  const counts = new Map<string, KinePrefixCount>();
  const latest = db.prepare(`
    SELECT CAST(k.name AS TEXT) AS name, k.deleted AS deleted
    FROM kine k JOIN (SELECT MAX(id) AS id FROM kine GROUP BY name) m ON k.id = m.id
    WHERE CAST(k.name AS TEXT) != 'compact_rev_key' AND CAST(k.name AS TEXT) NOT LIKE 'gap-%'`);
  let ipamHandles = 0;
  for (const row of latest.iterate() as Iterable<{ name: string | null; deleted: number | bigint | null }>) {
    const name = row.name ?? '';
    const prefix = kinePrefix(name);
    let c = counts.get(prefix);
    if (!c) {
      c = { prefix, live: 0, deleted: 0 };
      counts.set(prefix, c);
    }
    const deleted = row.deleted !== null && Number(row.deleted) !== 0;
    if (deleted) c.deleted++;
    else {
      c.live++;
      if (name.startsWith(IPAM_HANDLES_PREFIX)) ipamHandles++;
    }
  }
  const rev = db.prepare('SELECT MIN(id) AS min, MAX(id) AS max FROM kine').get() as { min: number | null; max: number | null };
  const compact = db.prepare("SELECT MAX(prev_revision) AS rev FROM kine WHERE name = 'compact_rev_key'").get() as { rev: number | null };
  const stats: Omit<DqliteSnapshotStatsFact, 'snapshot' | 'databaseBytes' | 'source' | 'node'> = {
    prefixes: [...counts.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0)),
    ipamHandles,
  };
  if (rev.min !== null) stats.minRevision = Number(rev.min);
  if (rev.max !== null) stats.maxRevision = Number(rev.max);
  if (compact.rev !== null) stats.compactRevision = Number(compact.rev);
  return stats;
}

/**
 * A snapshot data file → kine statistics of its `k8s` database. Never throws and never
 * writes to `data`; problems come back as warnings with an undefined value.
 */
export function readDqliteSnapshot(data: Buffer, ctx: SnapshotReadContext): StateParseResult<DqliteSnapshotStatsFact | undefined> {
  const warnings: string[] = [];
  const done = (): StateParseResult<undefined> => ({ value: undefined, unparsed: [], warnings: warnings.map((w) => `${ctx.path}: ${w}`) });
  try {
    let payload = data;
    if (isLz4Frame(data)) {
      const decoded = decodeLz4Frame(data, ctx.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
      warnings.push(...decoded.warnings);
      if (!decoded.data) return done();
      payload = decoded.data;
    }
    const { databases, warnings: w } = parseSnapshotPayload(payload);
    warnings.push(...w);
    const k8s = databases.find((d) => d.name === 'k8s');
    if (!k8s) {
      if (databases.length > 0) warnings.push(`no k8s database (found ${databases.map((d) => d.name).join(', ')})`);
      return done();
    }
    if (k8s.main.length < 100 || !k8s.main.subarray(0, 16).equals(SQLITE_MAGIC)) {
      warnings.push('k8s database image is not SQLite');
      return done();
    }
    const { image, warnings: walWarnings } = applyWal(k8s.main, k8s.wal);
    warnings.push(...walWarnings);
    // WAL-mode images (bytes 18/19 = 2) cannot be opened from memory; legacy mode reads the same pages.
    image[18] = 1;
    image[19] = 1;
    const opened = openReadOnly(image, warnings);
    if (!opened) return done();
    try {
      const stats = kineStats(opened.db, warnings);
      if (!stats) return done();
      const fact: DqliteSnapshotStatsFact = {
        snapshot: baseName(ctx.path),
        databaseBytes: image.length,
        ...stats,
        source: { path: ctx.path },
      };
      if (ctx.node !== undefined) fact.node = ctx.node;
      return { value: fact, unparsed: [], warnings: warnings.map((x) => `${ctx.path}: ${x}`) };
    } finally {
      opened.db.close();
      opened.cleanup();
    }
  } catch (err) {
    warnings.push(`unreadable snapshot: ${(err as Error).message}`);
    return done();
  }
}

export interface SnapshotMeta {
  format: number;
  crc: number;
  configurationIndex: number;
  configurationLength: number;
  crcValid: boolean;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** raft's `byteCrc32`: non-reflected CRC-32 (poly 0x04C11DB7), no final XOR; zlib's crc32 differs. */
export function raftCrc32(bytes: Uint8Array, init = 0): number {
  let crc = init >>> 0;
  for (const b of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ b) & 0xff] ?? 0)) >>> 0;
  return crc;
}

/** `.meta` file → header fields and CRC check (format reference §6.3). Never throws. */
export function readSnapshotMeta(data: Buffer, ctx: { path: string }): StateParseResult<SnapshotMeta | undefined> {
  if (data.length < 32) return { value: undefined, unparsed: [], warnings: [`${ctx.path}: .meta shorter than its 32-byte header`] };
  const format = Number(data.readBigUInt64LE(0));
  const crc = Number(data.readBigUInt64LE(8) & 0xffffffffn);
  const configurationIndex = Number(data.readBigUInt64LE(16));
  const len = data.readBigUInt64LE(24);
  const warnings: string[] = [];
  if (format !== 1) warnings.push(`${ctx.path}: .meta format ${format}, expected 1`);
  const configurationLength = Number(len > BigInt(data.length) ? BigInt(data.length) : len);
  let crcValid = false;
  if (len === 0n || len > 1024n * 1024n || 32 + Number(len) > data.length) {
    warnings.push(`${ctx.path}: configuration length ${len} does not fit the ${data.length}-byte file`);
  } else {
    crcValid = raftCrc32(data.subarray(32, 32 + Number(len)), raftCrc32(data.subarray(16, 32))) === crc;
    if (!crcValid) warnings.push(`${ctx.path}: .meta CRC mismatch`);
  }
  return { value: { format, crc, configurationIndex, configurationLength, crcValid }, unparsed: [], warnings };
}
