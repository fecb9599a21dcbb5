import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../src/bundle/open.js';
import { IP_ROUTE, JOURNAL_K8S03, makeTempDir, readAll } from './helpers.js';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = makeTempDir();
});
afterAll(() => tmp.cleanup());

type PackEntry = { name: string; type?: 'file' | 'symlink' | 'link' | 'directory' | 'fifo' | 'character-device'; linkname?: string; body?: string };

async function packTar(entries: PackEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? 'file', mtime: new Date(1_779_000_000_000), ...(e.linkname ? { linkname: e.linkname } : {}) };
    if (e.body !== undefined) pack.entry(header, e.body);
    else pack.entry(header);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Everything under the temp dir: nothing may appear besides what the test wrote. */
function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('hostile archives', () => {
  it('skips unsafe names, links and devices; reads the rest; writes nothing', async () => {
    const input = join(tmp.dir, 'evil.tar');
    writeFileSync(
      input,
      await packTar([
        { name: '../../escape.log', body: JOURNAL_K8S03 },
        { name: '/etc/cron.d/evil', body: IP_ROUTE },
        { name: 'bundle/a/../../../up', body: IP_ROUTE },
        { name: 'bundle/passwd', type: 'symlink', linkname: '/etc/passwd' },
        { name: 'bundle/hard', type: 'link', linkname: 'bundle/ip-route' },
        { name: 'bundle/pipe', type: 'fifo' },
        { name: 'bundle/', type: 'directory' },
        { name: 'bundle/ip-route', body: IP_ROUTE },
      ]),
    );
    const before = listTree(tmp.dir);
    const { members, skipped, warnings } = await readAll([input]);
    expect(members.map((m) => [m.path, m.kind])).toEqual([[`${input}/bundle/ip-route`, 'ip-route']]);
    expect(skipped).toEqual([
      { path: `${input}/../../escape.log`, reason: 'unsafe path: ../../escape.log' },
      { path: `${input}/etc/cron.d/evil`, reason: 'unsafe path: /etc/cron.d/evil' },
      { path: `${input}/bundle/a/../../../up`, reason: 'unsafe path: bundle/a/../../../up' },
      { path: `${input}/bundle/passwd`, reason: 'symbolic link not followed' },
      { path: `${input}/bundle/hard`, reason: 'hard link not followed' },
      { path: `${input}/bundle/pipe`, reason: 'not a regular file (fifo)' },
    ]);
    expect(warnings).toEqual([]);
    expect(listTree(tmp.dir)).toEqual(before);
  });

  it('takes absolute names from GNU tar -P as unsafe', async () => {
    const src = join(tmp.dir, 'abs-src');
    mkdirSync(src);
    writeFileSync(join(src, 'route'), IP_ROUTE);
    const input = join(tmp.dir, 'abs.tgz');
    execFileSync('tar', ['--absolute-names', '-czf', input, join(src, 'route')]);
    const { members, skipped } = await readAll([input]);
    expect(members).toEqual([]);
    expect(skipped).toEqual([{ path: `${input}/${join(src, 'route').slice(1)}`, reason: `unsafe path: ${join(src, 'route')}` }]);
  });

  it('keeps the members of a truncated .tgz and warns', async () => {
    const src = join(tmp.dir, 'trunc-src');
    mkdirSync(src);
    writeFileSync(join(src, 'a-route'), IP_ROUTE);
    writeFileSync(join(src, 'b-noise.log'), randomBytes(256 * 1024).toString('base64'));
    const whole = join(tmp.dir, 'whole.tgz');
    execFileSync('tar', ['-czf', whole, '-C', src, 'a-route', 'b-noise.log']);
    const bytes = readFileSync(whole);
    const input = join(tmp.dir, 'cut.tgz');
    writeFileSync(input, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { members, skipped, warnings } = await readAll([input]);
    expect(members.map((m) => m.innerPath)).toEqual(['a-route']);
    expect(members[0]!.content.toString()).toBe(IP_ROUTE);
    expect(skipped.map((s) => s.path)).toEqual([`${input}/b-noise.log`]);
    expect(warnings).toEqual([{ path: input, message: 'archive truncated or corrupt after 2 members: unexpected end of file' }]);
  });

  it('keeps the members of a truncated .tar and warns', async () => {
    const input = join(tmp.dir, 'cut.tar');
    const bytes = await packTar([
      { name: 'route', body: IP_ROUTE },
      { name: 'journal.log', body: JOURNAL_K8S03.repeat(50) },
    ]);
    writeFileSync(input, bytes.subarray(0, 512 + 512 + 512 + 300));
    const { members, warnings } = await readAll([input]);
    expect(members[0]!.content.toString()).toBe(IP_ROUTE);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.path).toBe(input);
    expect(warnings[0]!.message).toMatch(/^archive truncated or corrupt after 2 members: /);
  });

  it('warns on a tar header with a bad checksum', async () => {
    const input = join(tmp.dir, 'badsum.tar');
    const bytes = await packTar([
      { name: 'route', body: IP_ROUTE },
      { name: 'journal.log', body: JOURNAL_K8S03 },
    ]);
    bytes[1024 + 10] = 0x41; // inside the second header's name field
    writeFileSync(input, bytes);
    const { members, warnings } = await readAll([input]);
    expect(members.map((m) => m.innerPath)).toEqual(['route']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^archive truncated or corrupt after 1 members: .*header/i);
  });

  it('warns on an empty archive', async () => {
    const input = join(tmp.dir, 'empty.tar');
    const src = join(tmp.dir, 'empty-src');
    mkdirSync(src);
    execFileSync('tar', ['-cf', input, '-C', src, '-T', '/dev/null']);
    const { members, warnings } = await readAll([input]);
    expect(members).toEqual([]);
    expect(warnings).toEqual([{ path: input, message: 'archive has no members' }]);
  });

  it('skips random bytes named like a journal', async () => {
    const input = join(tmp.dir, 'kubelite.journal');
    writeFileSync(input, randomBytes(4096));
    const { members, skipped } = await readAll([input]);
    expect(members).toEqual([]);
    expect(skipped).toEqual([{ path: input, reason: 'binary content not recognized' }]);
  });

  it('stops at the member limit and the member-count limit with warnings', async () => {
    const input = join(tmp.dir, 'many.tar');
    writeFileSync(
      input,
      await packTar([
        { name: 'a.log', body: JOURNAL_K8S03.repeat(100) },
        { name: 'b-route', body: IP_ROUTE },
        { name: 'c-route', body: IP_ROUTE },
      ]),
    );
    const truncated = await readAll([input], { limits: { maxMemberBytes: 1000 } });
    expect(truncated.members.map((m) => m.content.length)).toEqual([1000, IP_ROUTE.length, IP_ROUTE.length]);
    expect(truncated.warnings).toEqual([{ path: `${input}/a.log`, message: 'member truncated at 1000 bytes' }]);
    const counted = await readAll([input], { limits: { maxMembers: 2 } });
    expect(counted.members.map((m) => m.innerPath)).toEqual(['a.log', 'b-route']);
    expect(counted.warnings).toEqual([{ path: input, message: 'more than 2 members; the rest of ' + input + ' was not read' }]);
  });

  it('stops an input at the total decompression limit and moves on', async () => {
    const src = join(tmp.dir, 'total-src');
    mkdirSync(src);
    writeFileSync(join(src, 'big.log'), Buffer.alloc(8 * 1024 * 1024, 'x'));
    writeFileSync(join(src, 'z-route'), IP_ROUTE);
    const input = join(tmp.dir, 'total.tgz');
    execFileSync('tar', ['-czf', input, '-C', src, 'big.log', 'z-route']);
    const next = join(tmp.dir, 'next-route');
    writeFileSync(next, IP_ROUTE);
    const { skipped, warnings, members } = await readAll([input, next], { limits: { maxTotalBytes: 1024 * 1024 } });
    expect(skipped.map((s) => s.path)).toEqual([`${input}/big.log`]);
    expect(members).toEqual([]);
    expect(warnings).toEqual([
      { path: input, message: `decompression limit of 1048576 bytes reached; the rest of ${input} was not read` },
      { path: next, message: `decompression limit of 1048576 bytes reached; the rest of ${next} was not read` },
    ]);
  });
});

async function writeZeroGzip(file: string, bytes: number): Promise<void> {
  const gz = createGzip({ level: 9 });
  const out = createWriteStream(file);
  gz.pipe(out);
  const zero = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < bytes; written += zero.length) {
    if (!gz.write(zero)) await once(gz, 'drain');
  }
  gz.end();
  await once(out, 'close');
}

describe('decompression bombs', () => {
  it('stops a gzip bomb by ratio (small threshold)', async () => {
    const input = join(tmp.dir, 'bomb-small.journal.gz');
    await writeZeroGzip(input, 64 * 1024 * 1024);
    const started = Date.now();
    const { members, skipped, warnings } = await readAll([input], { limits: { bombMinBytes: 8 * 1024 * 1024 } });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(members).toEqual([]);
    expect(skipped).toEqual([{ path: join(tmp.dir, 'bomb-small.journal.gz'), reason: 'binary content not recognized' }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.path).toBe(input);
    expect(warnings[0]!.message).toMatch(/^looks like a decompression bomb .*; the rest of .* was not read$/);
  });

  it('stops a 300 MiB gzip bomb with the default limits', async () => {
    const input = join(tmp.dir, 'bomb.gz');
    await writeZeroGzip(input, 300 * 1024 * 1024);
    const started = Date.now();
    const { warnings } = await readAll([input]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^looks like a decompression bomb/)]);
  }, 30_000);
});

describe('memory', () => {
  it('streams a 50 MB member with exact bytes and flat memory', async () => {
    const src = join(tmp.dir, 'big-member');
    mkdirSync(src);
    const file = join(src, 'kubelite.log');
    const out = createWriteStream(file);
    const expected = createHash('sha256');
    let size = 0;
    for (let i = 0; size < 50 * 1024 * 1024; i++) {
      const block = Buffer.from(
        Array.from({ length: 1000 }, (_, j) => `May 17 05:59:38 k8s03 kubelite[1]: line ${i * 1000 + j} ${(i * 7919 + j) % 104729}\n`).join(''),
      );
      expected.update(block);
      size += block.length;
      if (!out.write(block)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    const input = join(tmp.dir, 'big-member.tgz');
    execFileSync('tar', ['-czf', input, '-C', src, 'kubelite.log']);

    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    const actual = createHash('sha256');
    let read = 0;
    for await (const m of openBundle([input], { skipped: () => {}, warning: () => {} })) {
      for await (const chunk of m.chunks()) {
        actual.update(chunk);
        read += chunk.length;
        rssMax = Math.max(rssMax, process.memoryUsage().rss);
      }
    }
    expect(read).toBe(size);
    expect(actual.digest('hex')).toBe(expected.digest('hex'));
    expect(rssMax - rssBefore).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
