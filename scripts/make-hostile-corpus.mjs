#!/usr/bin/env node
/**
 * Builds the hostile-bundle corpus into a directory (a temp dir at test time; nothing here is
 * committed): archives and files an attacker or a broken capture could hand to
 * `pleg-analyze`. test/hostile/hostile-cli.test.ts runs the built CLI on each case.
 *
 *   node scripts/make-hostile-corpus.mjs <dir>     # prints the case list as JSON
 *
 * Bombs are built cheaply: a gzip stream may hold many members (RFC 1952 §2.2; zlib reads
 * them in sequence), so one small deflated block of zeros repeated N times expands to
 * N × its size; the LZ4 bomb is a hand-made frame whose blocks are one literal + one long
 * match (LZ4 block format: token, literal, 2-byte offset, 255-run length bytes).
 */
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** Deterministic pseudo-random bytes (sha256 in counter mode). */
function randomBytes(n, seed) {
  const out = Buffer.alloc(n);
  for (let i = 0, ctr = 0; i < n; ctr++) {
    const block = createHash('sha256').update(`${seed}:${ctr}`).digest();
    i += block.copy(out, i);
  }
  return out;
}

async function packTar(entries) {
  const pack = tar.pack();
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? 'file', mtime: new Date(1_779_000_000_000), ...(e.linkname ? { linkname: e.linkname } : {}) };
    if (e.body !== undefined) pack.entry(header, e.body);
    else pack.entry(header);
  }
  pack.finalize();
  const chunks = [];
  for await (const c of pack) chunks.push(c);
  return Buffer.concat(chunks);
}

const JOURNAL_LINE = (i, msg) => `2026-05-17T14:${String(15 + (i % 40)).padStart(2, '0')}:0${i % 10}+0000 k8s03 microk8s.daemon-kubelite[4242]: ${msg}\n`;
const SMALL_JOURNAL = Array.from({ length: 20 }, (_, i) => JOURNAL_LINE(i, `I0518 00:15:0${i % 10}.123456    4242 kubelet.go:2370] "SyncLoop (PLEG): event for pod" pod="default/web-${i}"`)).join('');

/** A ustar header for one regular file of `size` bytes (tar-stream would want the body). */
function tarHeader(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(`${Math.floor(1_779_000_000).toString(8).padStart(11, '0')}\0`, 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** gzip members of `unit` zero bytes, repeated to expand to `total` bytes. */
function zeroGzip(total, unit = 16 * 1024 * 1024, prefix) {
  const zeros = gzipSync(Buffer.alloc(unit), { level: 9 });
  const parts = prefix ? [gzipSync(prefix)] : [];
  for (let n = 0; n < total; n += unit) parts.push(zeros);
  return Buffer.concat(parts);
}

/** LZ4 frame (4 MiB blocks, content size declared) whose blocks each expand to 4 MiB of zeros. */
function lz4Bomb(blocks, declaredSize) {
  const BLOCK = 4 * 1024 * 1024;
  // One sequence: 1 literal (0x00), match offset 1, match length BLOCK - 1 - 5; then 5 literals.
  const matchLen = BLOCK - 1 - 5;
  const ext = matchLen - 4 - 15;
  const body = [Buffer.from([0x1f, 0x00, 0x01, 0x00])];
  const runs = Math.floor(ext / 255);
  body.push(Buffer.alloc(runs, 255), Buffer.from([ext - runs * 255]));
  body.push(Buffer.from([0x50, 0, 0, 0, 0, 0]));
  const block = Buffer.concat(body);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(block.length);
  const header = Buffer.alloc(15);
  header.writeUInt32LE(0x184d2204, 0);
  header[4] = 0x48; // version 01, block independence, content size
  header[5] = 0x70; // 4 MiB blocks
  header.writeBigUInt64LE(BigInt(declaredSize), 6);
  header[14] = 0; // header checksum (not verified by the reader)
  const parts = [header];
  for (let i = 0; i < blocks; i++) parts.push(size, block);
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

const ESC = '\u001b';

/**
 * Writes every case under `dir`; returns [{ name, inputs, text?: true }] where `inputs` are
 * paths relative to `dir`.
 */
export async function makeHostileCorpus(dir) {
  mkdirSync(dir, { recursive: true });
  const cases = [];
  const add = (name, inputs, extra = {}) => cases.push({ name, inputs, ...extra });
  const file = (name, body) => {
    writeFileSync(join(dir, name), body);
    return name;
  };

  add('path traversal and absolute member paths', [file('traversal.tar', await packTar([
    { name: '../../escape.log', body: SMALL_JOURNAL },
    { name: '/etc/cron.d/evil', body: SMALL_JOURNAL },
    { name: 'bundle/a/../../../up.log', body: SMALL_JOURNAL },
    { name: 'C:\\Windows\\evil.log', body: SMALL_JOURNAL },
    { name: 'bundle/journal.log', body: SMALL_JOURNAL },
  ]))]);

  add('symlink, hardlink and device members', [file('links.tar', await packTar([
    { name: 'bundle/passwd', type: 'symlink', linkname: '/etc/passwd' },
    { name: 'bundle/up', type: 'symlink', linkname: '../../../../etc/shadow' },
    { name: 'bundle/hard', type: 'link', linkname: '/etc/passwd' },
    { name: 'bundle/fifo', type: 'fifo' },
    { name: 'bundle/journal.log', body: SMALL_JOURNAL },
  ]))]);

  mkdirSync(join(dir, 'linkdir'), { recursive: true });
  writeFileSync(join(dir, 'linkdir', 'journal.log'), SMALL_JOURNAL);
  symlinkSync('/etc/passwd', join(dir, 'linkdir', 'passwd'));
  symlinkSync('/', join(dir, 'linkdir', 'root'));
  linkSync(join(dir, 'linkdir', 'journal.log'), join(dir, 'linkdir', 'hardlinked.log'));
  add('directory with symlinks (to / and /etc/passwd) and a hardlink', ['linkdir']);

  add('gzip bomb (single file, 4 GiB of zeros)', [file('bomb.log.gz', zeroGzip(4 * 1024 ** 3))]);
  add('tgz bomb (tar member of 4 GiB of zeros)', [file('bomb.tgz', zeroGzip(4 * 1024 ** 3, 16 * 1024 * 1024, Buffer.concat([tarHeader('bundle/kubelite.log', 4 * 1024 ** 3)])))]);

  // dqlite snapshot names: snapshot-<term>-<index>-<timestamp>
  add('LZ4 bomb named like a dqlite snapshot (claims 1.9 GiB, expands to 1 GiB)', [file('lz4bomb.tar', await packTar([
    { name: 'backend/snapshot-1-1024-1779000000', body: lz4Bomb(256, 1900 * 1024 * 1024) },
  ]))]);
  add('LZ4 frame claiming 64 GiB', [file('snapshot-2-2048-1779000000', lz4Bomb(2, 64 * 1024 ** 3))]);

  const tgz = gzipSync(await packTar([{ name: 'bundle/journal.log', body: SMALL_JOURNAL.repeat(200) }, { name: 'bundle/other.log', body: SMALL_JOURNAL.repeat(200) }]));
  add('truncated gzip', [file('truncated.tgz', tgz.subarray(0, Math.floor(tgz.length / 2)))]);
  const plainTar = await packTar([{ name: 'bundle/journal.log', body: SMALL_JOURNAL.repeat(50) }, { name: 'bundle/other.log', body: SMALL_JOURNAL.repeat(50) }]);
  add('truncated tar', [file('truncated.tar', plainTar.subarray(0, 700))]);
  const lz4 = lz4Bomb(3, 12 * 1024 * 1024);
  add('truncated LZ4 snapshot', [file('snapshot-3-3072-1779000000', lz4.subarray(0, Math.floor(lz4.length / 2)))]);

  mkdirSync(join(dir, 'random'), { recursive: true });
  for (const [name, n] of [['system.journal', 1 << 20], ['journal.export', 1 << 20], ['kubelite_goroutines.log', 1 << 20], ['pods.json', 1 << 20], ['ipamblocks.json', 65536], ['ip-route.txt', 4096], ['snapshot-4-4096-1779000000', 1 << 20]]) {
    writeFileSync(join(dir, 'random', name), randomBytes(n, name));
  }
  add('random bytes named like journals, dumps, JSON and snapshots', ['random']);

  // The export sniff wants `__CURSOR=`/`__REALTIME_TIMESTAMP=` up front: random after a valid start.
  add('export header then random bytes', [file('torn.export', Buffer.concat([Buffer.from('__CURSOR=s=1;i=1\n__REALTIME_TIMESTAMP=1779027302123456\n_HOSTNAME=k8s03\nMESSAGE\n'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), randomBytes(1 << 20, 'torn')]))]);

  add('64 MiB line without a newline', [file('kubelite.log', Buffer.concat([Buffer.from(SMALL_JOURNAL), Buffer.alloc(64 * 1024 * 1024, 0x41)]))]);

  const bad = Buffer.concat([
    Buffer.from(JOURNAL_LINE(1, 'E0518 00:15:01.000000    4242 kubelet.go:2370] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m5s ago; threshold is 3m0s" bad=')),
    Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0x00, 0x00, 0x0a]),
    Buffer.from(JOURNAL_LINE(2, 'nul\u0000in\u0000the\u0000middle')),
    Buffer.from([0xed, 0xa0, 0x80, 0x0a]), // a lone surrogate, UTF-8 encoded
  ]);
  add('invalid UTF-8 and NUL bytes', [file('badutf8.log', bad)]);

  add('JSON nested 100,000 deep (array)', [file('pods.json', '['.repeat(100_000) + ']'.repeat(100_000))]);
  add('JSON nested 100,000 deep (object in an items list)', [file('ipamblocks.json', `{"apiVersion":"v1","kind":"List","items":[${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]}`)]);

  const many = Array.from({ length: 100_000 }, (_, i) => ({ name: `bundle/n${i % 100}/f${i}.log`, body: i % 1000 === 0 ? SMALL_JOURNAL : `x${i}\n` }));
  add('tar with 100,000 tiny members', [file('many.tgz', gzipSync(await packTar(many), { level: 1 }))]);

  const payload = [
    'E0518 00:15:01.000000    4242 kubelet.go:2370] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m5s ago; threshold is 3m0s" pod="<script>alert(document.cookie)</script>"',
    `E0518 00:15:02.000000    4242 kubelet.go:2370] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m6s ago; threshold is 3m0s" ${ESC}]0;pwned${ESC}\\${ESC}[2J${ESC}[31mRED${ESC}[0m`,
    `E0518 00:15:03.000000    4242 kubelet.go:2370] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m7s ago; threshold is 3m0s" ${ESC}]8;;http://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\ \u009b31m C1-CSI \u0007 bell \r carriage <img src=x onerror=alert(1)>`,
  ];
  add('HTML/script payloads and terminal escape sequences in log lines', [file('escapes.log', payload.map((m, i) => JOURNAL_LINE(i, m)).join('').repeat(3))], { text: true });
  return cases;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node scripts/make-hostile-corpus.mjs <dir>\n');
    process.exit(2);
  }
  makeHostileCorpus(dir).then((cases) => process.stdout.write(`${JSON.stringify(cases, null, 2)}\n`));
}
