import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { compress } from 'lz4js';
import {
  decodeLz4Frame, kinePrefix, raftCrc32, readDqliteSnapshot, readSnapshotMeta,
} from '../../src/parsers/dqlite-snapshot.js';
import { nodeDataBuffer } from './node-helpers.js';

const KINE_SCHEMA = `CREATE TABLE kine (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created INTEGER,
  deleted INTEGER, create_revision INTEGER NOT NULL, prev_revision INTEGER, lease INTEGER, value BLOB, old_value BLOB);
  CREATE UNIQUE INDEX k8s_dqlite_name_del_index ON kine (name ASC, id DESC, deleted);`;

function u64(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** dqlite snapshot payload (format 1) around database images. */
function wrap(dbs: Array<{ name: string; main: Buffer; wal?: Buffer }>): Buffer {
  const parts = [u64(1), u64(dbs.length)];
  for (const d of dbs) {
    const name = Buffer.alloc(Math.ceil((d.name.length + 1) / 8) * 8);
    name.write(d.name);
    parts.push(name, u64(d.main.length), u64(d.wal?.length ?? 0), d.main, d.wal ?? Buffer.alloc(0));
  }
  return Buffer.concat(parts);
}

/** PIR 004's bloat: 6,071 live ipamhandles, plus deleted ones, pods, a compact_rev_key, a gap row. */
function kineDatabase(): Buffer {
  const db = new Database(':memory:');
  db.exec(KINE_SCHEMA);
  const ins = db.prepare('INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value) VALUES (?, ?, ?, ?, ?, 0, ?, ?)');
  db.transaction(() => {
    ins.run('compact_rev_key', 1, 0, 0, 0, null, null);
    for (let i = 0; i < 6500; i++) ins.run(`/registry/crd.projectcalico.org/ipamhandles/k8s-pod-network.${i.toString(16).padStart(64, '0')}`, 1, 0, 0, 0, Buffer.from('{"kind":"IPAMHandle"}'), null);
    // 429 handles deleted (their latest row is a delete) and 100 updated (still live).
    for (let i = 0; i < 429; i++) ins.run(`/registry/crd.projectcalico.org/ipamhandles/k8s-pod-network.${i.toString(16).padStart(64, '0')}`, 0, 1, i + 2, i + 2, null, Buffer.from('{}'));
    for (let i = 1000; i < 1100; i++) ins.run(`/registry/crd.projectcalico.org/ipamhandles/k8s-pod-network.${i.toString(16).padStart(64, '0')}`, 0, 0, i + 2, i + 2, Buffer.from('{}'), Buffer.from('{}'));
    for (let i = 0; i < 40; i++) ins.run(`/registry/pods/default/web-${i}`, 1, 0, 0, 0, Buffer.from('k8s\0'), null);
    for (let i = 0; i < 3; i++) ins.run(`/registry/pods/default/web-${i}`, 0, 1, 0, 0, null, Buffer.from('k8s\0'));
    ins.run('/registry/services/specs/default/kubernetes', 1, 0, 0, 0, Buffer.from('k8s\0'), null);
    ins.run('/registry/services/endpoints/default/kubernetes', 1, 0, 0, 0, Buffer.from('k8s\0'), null);
    ins.run('/registry/crd.projectcalico.org/ipamblocks/10-1-237-64-26', 1, 0, 0, 0, Buffer.from('{}'), null);
    ins.run('gap-7000', 0, 1, 0, 0, null, null);
    db.prepare("UPDATE kine SET prev_revision = 6900 WHERE name = 'compact_rev_key'").run();
  })();
  const image = db.serialize();
  db.close();
  return image;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('readDqliteSnapshot', () => {
  const payload = wrap([{ name: 'k8s', main: kineDatabase() }]);

  it('counts live and deleted keys per prefix in an LZ4-framed snapshot, leaving the input untouched', () => {
    const framed = Buffer.from(compress(payload));
    const before = sha(framed);
    const { value, warnings } = readDqliteSnapshot(framed, { path: 'backend/snapshot-2-7100-99', node: 'k8s02' });
    expect(sha(framed)).toBe(before);
    expect(warnings).toEqual([]);
    expect(value).toMatchObject({ snapshot: 'snapshot-2-7100-99', node: 'k8s02', ipamHandles: 6071, minRevision: 1, compactRevision: 6900 });
    expect(value?.prefixes).toEqual([
      { prefix: '/registry/crd.projectcalico.org/ipamblocks/', live: 1, deleted: 0 },
      { prefix: '/registry/crd.projectcalico.org/ipamhandles/', live: 6071, deleted: 429 },
      { prefix: '/registry/pods/', live: 37, deleted: 3 },
      { prefix: '/registry/services/endpoints/', live: 1, deleted: 0 },
      { prefix: '/registry/services/specs/', live: 1, deleted: 0 },
    ]);
    expect(value?.maxRevision).toBe(1 + 6500 + 429 + 100 + 43 + 4);
    expect(value?.databaseBytes).toBeGreaterThan(500_000);
  });

  it('reads the raw (uncompressed) form the same way', () => {
    const { value } = readDqliteSnapshot(payload, { path: 'snapshot-raw' });
    expect(value?.ipamHandles).toBe(6071);
  });

  it('reads a snapshot made by the real lz4 CLI (--content-size -BD, linked blocks) of a sqlite3 CLI database in WAL mode', () => {
    const file = nodeDataBuffer('snapshot-1-1024-123456');
    const before = sha(file);
    const { value, warnings } = readDqliteSnapshot(file, { path: 'snapshot-1-1024-123456' });
    expect(warnings).toEqual([]);
    expect(sha(file)).toBe(before);
    expect(value).toMatchObject({ ipamHandles: 35, minRevision: 1, maxRevision: 50, compactRevision: 30, databaseBytes: 32768 });
    expect(value?.prefixes).toEqual([
      { prefix: '/registry/crd.projectcalico.org/ipamhandles/', live: 35, deleted: 5 },
      { prefix: '/registry/minions/', live: 1, deleted: 0 },
      { prefix: '/registry/pods/', live: 2, deleted: 0 },
    ]);
    const decoded = decodeLz4Frame(file);
    expect(decoded.warnings).toEqual([]);
    expect(decoded.data?.readBigUInt64LE(0)).toBe(1n);
  });

  it('applies the WAL of a pre-1.17 snapshot (rows only in WAL frames count)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-test-'));
    try {
      const file = join(dir, 'k8s');
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec(KINE_SCHEMA);
      db.pragma('wal_checkpoint(TRUNCATE)');
      const ins = db.prepare("INSERT INTO kine (name, created, deleted, create_revision, prev_revision) VALUES (?, 1, 0, 0, 0)");
      for (let i = 0; i < 300; i++) ins.run(`/registry/crd.projectcalico.org/ipamhandles/h-${i}`);
      const main = readFileSync(file);
      const wal = readFileSync(`${file}-wal`);
      db.close();
      expect(wal.length).toBeGreaterThan(32);
      const { value, warnings } = readDqliteSnapshot(wrap([{ name: 'k8s', main, wal }]), { path: 's' });
      expect(warnings).toEqual([]);
      expect(value?.ipamHandles).toBe(300);
      const mainOnly = readDqliteSnapshot(wrap([{ name: 'k8s', main }]), { path: 's' });
      expect(mainOnly.value?.ipamHandles).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('malformed inputs give warnings, never throws', () => {
    const framed = Buffer.from(compress(payload));
    const truncated = readDqliteSnapshot(framed.subarray(0, Math.floor(framed.length / 2)), { path: 't' });
    expect(truncated.value).toBeUndefined();
    expect(truncated.warnings.some((w) => w.includes('truncated LZ4 frame'))).toBe(true);
    const cli = nodeDataBuffer('snapshot-1-1024-123456');
    const bounded = readDqliteSnapshot(cli, { path: 'b', maxDecompressedBytes: 1000 });
    expect(bounded.value).toBeUndefined();
    expect(bounded.warnings[0]).toMatch(/declares \d+ bytes of content, above the 1000-byte limit/);
    expect(readDqliteSnapshot(Buffer.from('hello world, not a snapshot'), { path: 'x' }).warnings[0]).toMatch(/format \d+ is not dqlite's format 1/);
    expect(readDqliteSnapshot(wrap([{ name: 'k8s', main: Buffer.alloc(4096, 7) }]), { path: 'x' }).warnings).toEqual(['x: k8s database image is not SQLite']);
    expect(readDqliteSnapshot(wrap([{ name: 'other', main: Buffer.alloc(10) }]), { path: 'x' }).warnings).toEqual(['x: no k8s database (found other)']);
    const empty = new Database(':memory:');
    empty.exec('CREATE TABLE t (x)');
    const noKine = readDqliteSnapshot(wrap([{ name: 'k8s', main: empty.serialize() }]), { path: 'x' });
    expect(noKine.warnings).toEqual(['x: database has no kine table']);
    const corrupt = Buffer.from(framed);
    corrupt[framed.length - 3] = (corrupt[framed.length - 3] ?? 0) ^ 0xff;
    expect(() => readDqliteSnapshot(corrupt, { path: 'x' })).not.toThrow();
  });
});

describe('snapshot helpers', () => {
  it('.meta header and raft CRC', () => {
    const config = Buffer.alloc(24);
    config[0] = 1;
    const header = Buffer.concat([u64(1), u64(0), u64(512), u64(config.length)]);
    const crc = raftCrc32(config, raftCrc32(header.subarray(16, 32)));
    header.writeBigUInt64LE(BigInt(crc), 8);
    const meta = Buffer.concat([header, config]);
    expect(readSnapshotMeta(meta, { path: 'm' })).toEqual({ value: { format: 1, crc, configurationIndex: 512, configurationLength: 24, crcValid: true }, unparsed: [], warnings: [] });
    meta[40] = 9;
    expect(readSnapshotMeta(meta, { path: 'm' }).warnings).toEqual(['m: .meta CRC mismatch']);
    expect(raftCrc32(Buffer.from('123456789'))).toBe(0x89a1897f);
  });

  it('kine prefixes', () => {
    expect(kinePrefix('/registry/pods/kube-system/calico-node-x')).toBe('/registry/pods/');
    expect(kinePrefix('/registry/minions/k8s03')).toBe('/registry/minions/');
    expect(kinePrefix('/registry/crd.projectcalico.org/ipamhandles/k8s-pod-network.abc')).toBe('/registry/crd.projectcalico.org/ipamhandles/');
    expect(kinePrefix('/registry/apiextensions.k8s.io/customresourcedefinitions/x')).toBe('/registry/apiextensions.k8s.io/customresourcedefinitions/');
  });
});
