import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync, readFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { openBundle } from '../../src/bundle/open.js';
import { IP_ROUTE, JOURNAL_K8S03, makeTempDir, readAll } from './helpers.js';
import { SHARED_SAMPLES } from '../support/shared.js';

const MTIME_S = 1_779_000_000; // 2026-05-17T06:40:00Z
let tmp: { dir: string; cleanup: () => void };
let tree: string;

beforeAll(() => {
  tmp = makeTempDir();
  tree = join(tmp.dir, 'tree');
  mkdirSync(join(tree, 'k8s03'), { recursive: true });
  writeFileSync(join(tree, 'k8s03', 'kubelite.log'), JOURNAL_K8S03);
  writeFileSync(join(tree, 'k8s03', 'ip-route.txt'), IP_ROUTE);
  writeFileSync(join(tree, 'k8s03', 'routes.gz'), gzipSync(IP_ROUTE));
  writeFileSync(join(tree, 'k8s03', '.hidden-date'), 'Mon May 18 00:15:00 AEST 2026\n');
  writeFileSync(join(tree, 'k8s03', 'empty.txt'), '');
  for (const f of ['kubelite.log', 'ip-route.txt', 'routes.gz', '.hidden-date', 'empty.txt']) {
    utimesSync(join(tree, 'k8s03', f), MTIME_S, MTIME_S);
  }
  execFileSync('tar', ['-czf', join(tmp.dir, 'bundle.tgz'), '-C', tree, 'k8s03']);
  execFileSync('tar', ['-cf', join(tmp.dir, 'bundle.tar'), '-C', tree, 'k8s03']);
  // An archive whose extension lies: gzip-compressed tar named .log
  execFileSync('tar', ['-czf', join(tmp.dir, 'misnamed.log'), '-C', tree, 'k8s03/ip-route.txt']);
});

afterAll(() => tmp.cleanup());

describe('openBundle: archives', () => {
  it('streams a .tgz: member paths prefixed with the input as typed, kinds, node, mtime', async () => {
    const input = join(tmp.dir, 'bundle.tgz');
    const { members, skipped, warnings } = await readAll([input]);
    expect(warnings).toEqual([]);
    const byInner = new Map(members.map((m) => [m.innerPath, m]));
    expect([...byInner.keys()].sort()).toEqual(['k8s03/.hidden-date', 'k8s03/ip-route.txt', 'k8s03/kubelite.log', 'k8s03/routes']);
    const journal = byInner.get('k8s03/kubelite.log')!;
    expect(journal.path).toBe(`${input}/k8s03/kubelite.log`);
    expect(journal.kind).toBe('journalctl-text');
    expect(journal.node).toBe('k8s03');
    expect(journal.mtime).toBe(MTIME_S * 1_000_000);
    expect(journal.size).toBe(Buffer.byteLength(JOURNAL_K8S03));
    expect(journal.content.toString()).toBe(JOURNAL_K8S03);
    // gzip member decompressed in-stream; the report names the file as found, sniffing sees the inner name
    const routes = byInner.get('k8s03/routes')!;
    expect(routes.path).toBe(`${input}/k8s03/routes.gz`);
    expect(routes.kind).toBe('ip-route');
    expect(routes.content.toString()).toBe(IP_ROUTE);
    expect(byInner.get('k8s03/.hidden-date')!.kind).toBe('date');
    expect(skipped).toEqual([{ path: `${input}/k8s03/empty.txt`, reason: 'empty file' }]);
  });

  it('reads a plain .tar the same way', async () => {
    const input = join(tmp.dir, 'bundle.tar');
    const { members, skipped } = await readAll([input]);
    expect(members.map((m) => m.path).sort()).toEqual(
      ['.hidden-date', 'ip-route.txt', 'kubelite.log', 'routes.gz'].map((n) => `${input}/k8s03/${n}`),
    );
    expect(members.find((m) => m.innerPath === 'k8s03/ip-route.txt')!.content.toString()).toBe(IP_ROUTE);
    expect(skipped.map((s) => s.reason)).toEqual(['empty file']);
  });

  it('decides by magic bytes, not by extension', async () => {
    const input = join(tmp.dir, 'misnamed.log');
    const { members } = await readAll([input]);
    expect(members.map((m) => [m.path, m.kind])).toEqual([[`${input}/k8s03/ip-route.txt`, 'ip-route']]);
  });

  it('drains members whose chunks() the consumer never reads', async () => {
    const input = join(tmp.dir, 'bundle.tgz');
    const { members } = await readAll([input], undefined, false);
    expect(members).toHaveLength(4);
    expect(members.find((m) => m.innerPath === 'k8s03/kubelite.log')!.head.toString()).toBe(JOURNAL_K8S03);
  });

  it('survives a consumer that abandons chunks() half way', async () => {
    const big = join(tmp.dir, 'big-src');
    mkdirSync(big, { recursive: true });
    writeFileSync(join(big, 'a.log'), JOURNAL_K8S03.repeat(20_000));
    writeFileSync(join(big, 'b.txt'), IP_ROUTE);
    const input = join(tmp.dir, 'big.tgz');
    execFileSync('tar', ['-czf', input, '-C', big, 'a.log', 'b.txt']);
    const seen: string[] = [];
    for await (const m of openBundle([input], { skipped: () => {}, warning: () => {} })) {
      seen.push(m.innerPath);
      for await (const chunk of m.chunks()) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
    }
    expect(seen).toEqual(['a.log', 'b.txt']);
  });
});

describe('openBundle: directories, files, stdin', () => {
  it('walks a directory in path order, dot files included, paths prefixed with the directory', async () => {
    const { members, skipped } = await readAll([tree + '/']);
    expect(members.map((m) => m.path)).toEqual([
      `${tree}/k8s03/.hidden-date`,
      `${tree}/k8s03/ip-route.txt`,
      `${tree}/k8s03/kubelite.log`,
      `${tree}/k8s03/routes.gz`,
    ]);
    expect(members.every((m) => m.node === 'k8s03')).toBe(true);
    expect(members.find((m) => m.innerPath === 'k8s03/ip-route.txt')!.mtime).toBe(MTIME_S * 1_000_000);
    expect(members.find((m) => m.innerPath === 'k8s03/routes')!.content.toString()).toBe(IP_ROUTE);
    expect(skipped).toEqual([{ path: `${tree}/k8s03/empty.txt`, reason: 'empty file' }]);
  });

  it('does not follow a symlink to /etc/passwd in a directory', async () => {
    const dir = join(tmp.dir, 'with-link');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ip-route'), IP_ROUTE);
    symlinkSync('/etc/passwd', join(dir, 'passwd'));
    const { members, skipped } = await readAll([dir]);
    expect(members.map((m) => m.innerPath)).toEqual(['ip-route']);
    expect(skipped).toEqual([{ path: `${dir}/passwd`, reason: 'symbolic link not followed' }]);
  });

  it('reads a single plain file under its own path', async () => {
    const input = join(tree, 'k8s03', 'kubelite.log');
    const { members } = await readAll([input]);
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ path: input, innerPath: 'kubelite.log', kind: 'journalctl-text', node: 'k8s03' });
    expect(members[0]!.mtime).toBe(MTIME_S * 1_000_000);
    expect(members[0]!.content.toString()).toBe(JOURNAL_K8S03);
  });

  it('decompresses a single .gz file, named as found', async () => {
    const input = join(tmp.dir, 'kubelite.log.gz');
    writeFileSync(input, gzipSync(JOURNAL_K8S03));
    const { members, warnings } = await readAll([input]);
    expect(warnings).toEqual([]);
    expect(members.map((m) => [m.path, m.innerPath, m.kind])).toEqual([[input, 'kubelite.log', 'journalctl-text']]);
    expect(members[0]!.content.toString()).toBe(JOURNAL_K8S03);
  });

  it('reads stdin: plain, gzip and tar', async () => {
    const plain = await readAll(['-'], { stdin: Readable.from([Buffer.from(IP_ROUTE)]) });
    expect(plain.members.map((m) => [m.path, m.kind])).toEqual([['stdin', 'ip-route']]);
    const gz = await readAll(['-'], { stdin: Readable.from([gzipSync(JOURNAL_K8S03)]) });
    expect(gz.members.map((m) => [m.path, m.kind, m.content.toString()])).toEqual([['stdin', 'journalctl-text', JOURNAL_K8S03]]);
    const tgz = await readAll(['-'], { stdin: Readable.from([readFileSync(join(tmp.dir, 'bundle.tgz'))]) });
    expect(tgz.members.map((m) => m.path).sort()).toEqual(
      ['.hidden-date', 'ip-route.txt', 'kubelite.log', 'routes.gz'].map((n) => `stdin/k8s03/${n}`),
    );
  });

  it('yields several inputs in order', async () => {
    const first = join(tree, 'k8s03', 'ip-route.txt');
    const second = join(tmp.dir, 'bundle.tar');
    const { members } = await readAll([first, second]);
    expect(members[0]!.path).toBe(first);
    expect(members.slice(1).every((m) => m.path.startsWith(`${second}/`))).toBe(true);
    expect(members).toHaveLength(5);
  });

  it('throws InputError naming a missing input, before yielding its members', async () => {
    const missing = join(tmp.dir, 'nope.tgz');
    const err = await readAll([missing]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(missing);
    expect((err as InputError).reason).toBe('no such file or directory');
    expect((err as Error).message).toContain(missing);
  });

  it('throws InputError for "-" without a stdin stream', async () => {
    await expect(readAll(['-'])).rejects.toBeInstanceOf(InputError);
  });

  it('an empty single file is a skipped member, not an error', async () => {
    const input = join(tmp.dir, 'empty.journal');
    writeFileSync(input, '');
    const { members, skipped, warnings } = await readAll([input]);
    expect(members).toEqual([]);
    expect(skipped).toEqual([{ path: input, reason: 'empty file' }]);
    expect(warnings).toEqual([]);
  });

  it('hard links inside a directory are plain files (only tar link members are skipped)', async () => {
    const dir = join(tmp.dir, 'hardlinked');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a'), IP_ROUTE);
    linkSync(join(dir, 'a'), join(dir, 'b'));
    const { members } = await readAll([dir]);
    expect(members.map((m) => [m.innerPath, m.kind])).toEqual([
      ['a', 'ip-route'],
      ['b', 'ip-route'],
    ]);
    expect(readdirSync(dir)).toEqual(['a', 'b']);
  });
});

describe('openBundle: samples header', () => {
  it('blanks the header but keeps its newlines in head and chunks()', async () => {
    const input = `${SHARED_SAMPLES}/vxlan-route__felix-2953-ip-route.txt`;
    const original = readFileSync(input);
    const { members } = await readAll([input]);
    expect(members).toHaveLength(1);
    const m = members[0]!;
    expect(m.kind).toBe('ip-route');
    const text = m.content.toString();
    expect(text.startsWith('\n\n\n\nubuntu@ip-10-37-9-248:~$ ip route\n')).toBe(true);
    // same line count, same lines after the header
    expect(text.split('\n').length).toBe(original.toString().split('\n').length);
    expect(text.split('\n').slice(4)).toEqual(original.toString().split('\n').slice(4));
    expect(m.head.toString()).toBe(text);
  });
});

describe('openBundle: archives inside a directory', () => {
  it('opens a per-node inspect tarball in place, attributing members by the folder it sits in', async () => {
    const capture = join(tmp.dir, 'capture');
    const report = join(tmp.dir, 'report-src');
    mkdirSync(join(report, 'inspection-report', 'network'), { recursive: true });
    writeFileSync(join(report, 'inspection-report', 'network', 'ip-addr'), IP_ROUTE);
    mkdirSync(join(capture, 'k8s01'), { recursive: true });
    mkdirSync(join(capture, 'k8s02'), { recursive: true });
    execFileSync('tar', ['-czf', join(capture, 'k8s01', 'inspection-report-20260401_162012.tar.gz'), '-C', report, 'inspection-report']);
    execFileSync('tar', ['-cf', join(capture, 'k8s02', 'inspection-report-20260401_162013.tar'), '-C', report, 'inspection-report']);
    writeFileSync(join(capture, 'k8s02', 'ip-route.txt'), IP_ROUTE);

    const { members, skipped, warnings } = await readAll([capture]);
    expect(warnings).toEqual([]);
    expect(skipped).toEqual([]);
    expect(members.map((m) => [m.path.slice(capture.length + 1), m.kind, m.node, m.archived])).toEqual([
      ['k8s01/inspection-report-20260401_162012.tar.gz/inspection-report/network/ip-addr', 'ip-route', 'k8s01', true],
      ['k8s02/inspection-report-20260401_162013.tar/inspection-report/network/ip-addr', 'ip-route', 'k8s02', true],
      ['k8s02/ip-route.txt', 'ip-route', 'k8s02', false],
    ]);
  });

  it('leaves a gzip file that is not an archive to the member reader', async () => {
    const dir = join(tmp.dir, 'plain-gz');
    mkdirSync(dir);
    writeFileSync(join(dir, 'routes.gz'), gzipSync(IP_ROUTE));
    const { members } = await readAll([dir]);
    expect(members.map((m) => [m.innerPath, m.kind])).toEqual([['routes', 'ip-route']]);
  });
});
