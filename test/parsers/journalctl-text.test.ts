import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { JournalMarker, LogRecord, Unparsed } from '../../src/model/records.js';
import type { LogParseOptions } from '../../src/parsers/types.js';
import { parseCalicoLog } from '../../src/parsers/calico-log.js';
import { MAX_REVERSED_RECORDS, parseJournalctlCat, parseJournalctlText, zoneFromLogrus } from '../../src/parsers/journalctl-text.js';
import { chunksOf } from '../../src/parsers/line-splitter.js';
import { INSPECT_CORPUS, SHARED_SAMPLES } from '../support/shared.js';

const DATA = 'test/data/journald/';
const SAMPLES = `${SHARED_SAMPLES}/`;
const INSPECT = INSPECT_CORPUS;
const BOOT2 = 'a81c44d2f9e04b7d9c2e6f1a3b5d7e90';
/** 2026-06-01T00:00:00Z: capture time for the generated node journal. */
const JUNE_2026 = Date.UTC(2026, 5, 1) * 1000;

async function parse(input: Buffer | string, options: Partial<LogParseOptions> = {}, cat = false) {
  const records: LogRecord[] = [];
  const markers: JournalMarker[] = [];
  const unparsed: Unparsed[] = [];
  const parser = cat ? parseJournalctlCat : parseJournalctlText;
  const stats = await parser(chunksOf(input, 1000), {
    path: 'journal.log',
    onRecord: (r) => records.push(r),
    onMarker: (m) => markers.push(m),
    onUnparsed: (u) => unparsed.push(u),
    ...options,
  });
  return { records, markers, unparsed, stats };
}

/** A shared sample without its 4-line `# source/# what/# format/# ---` header. */
function sample(name: string): string {
  const text = readFileSync(SAMPLES + name, 'utf8');
  return text.slice(text.indexOf('# ---\n') + '# ---\n'.length);
}

const iso = (micros: number | undefined) => (micros === undefined ? undefined : new Date(micros / 1000).toISOString());

describe('parseJournalctlText: header-comment sample (k3s-io/k3s#11901)', () => {
  it('parses records, the boot marker and the year from the reference time', async () => {
    const { records, markers, stats } = await parse(sample('kine-locked__k3s-11901.txt'), { referenceTime: Date.UTC(2025, 2, 25) * 1000 });
    expect(stats).toEqual({ records: 4, unparsed: 0, yearInferred: 2025 });
    expect(records.map((r) => [iso(r.ts), r.node, r.identifier, r.pid, r.bootId])).toEqual([
      ['2025-03-04T08:32:31.000Z', 'hetzner1', 'k3s', 733030, undefined],
      ['2025-03-04T08:37:29.000Z', 'hetzner1', 'k3s', 733030, undefined],
      ['2025-03-17T01:03:23.000Z', 'hetzner1', 'k3s', 156688, undefined],
      ['2025-03-24T20:25:04.000Z', 'hetzner1', 'k3s', 4050, '61690fd34a5c45f78436eb2eba82f5d9'],
    ]);
    expect(records[3]?.message).toBe(
      'time="2025-03-24T19:25:04Z" level=error msg="Compact failed: failed to record compact revision: sql: transaction has already been committed or rolled back"',
    );
    expect(records[3]?.unit).toBe('k3s');
    expect(markers).toEqual([
      {
        kind: 'boot',
        bootId: '61690fd34a5c45f78436eb2eba82f5d9',
        ts: Date.UTC(2025, 2, 24, 20, 25, 4) * 1000,
        node: 'hetzner1',
        source: { path: 'journal.log', line: 4 },
        text: '-- Boot 61690fd34a5c45f78436eb2eba82f5d9 --',
      },
    ]);
  });
});

describe('parseJournalctlText: journalctl 252 renderings of the MicroK8s node', () => {
  const forms: Array<[string, Partial<LogParseOptions>, number | undefined]> = [
    ['short.txt', { referenceTime: JUNE_2026 }, 2026],
    ['short-precise.txt', { referenceTime: JUNE_2026 }, 2026],
    ['short-iso.txt', {}, undefined],
    ['short-iso-precise.txt', {}, undefined],
    ['short-full.txt', {}, undefined],
    ['short-unix.txt', {}, undefined],
    ['short-brisbane.txt', { referenceTime: JUNE_2026, inputZone: 'Australia/Brisbane' }, 2026],
    ['short-full-brisbane.txt', {}, undefined],
    ['short-iso-brisbane.txt', {}, undefined],
  ];
  for (const [file, options, year] of forms) {
    it(`${file}: 147 records, one boot separator, multi-line messages re-joined`, async () => {
      const { records, markers, unparsed, stats } = await parse(readFileSync(DATA + file), options);
      expect(unparsed).toEqual([]);
      expect(stats).toEqual(year === undefined ? { records: 147, unparsed: 0 } : { records: 147, unparsed: 0, yearInferred: year });
      expect(markers).toEqual([expect.objectContaining({ kind: 'boot', bootId: BOOT2, node: 'k8s03', source: { path: 'journal.log', line: 91 } })]);
      expect(markers[0]?.ts).toBe(records[82]?.ts);
      expect(records.slice(82).every((r) => r.bootId === BOOT2)).toBe(true);
      expect(records[0]).toMatchObject({
        node: 'k8s03', identifier: 'systemd', pid: 1, unit: 'snap.microk8s.daemon-containerd',
        message: 'Started Service for snap application microk8s.daemon-containerd.',
      });
      // PID 1's line shows its _SOURCE_REALTIME_TIMESTAMP (1779027295098766), truncated per form.
      expect(Math.floor((records[0]?.ts ?? 0) / 1e6)).toBe(1779027295);
      const dump = records.find((r) => r.message.startsWith('goroutine 412'));
      expect(dump?.message).toBe(
        'goroutine 412 [semacquire, 4 minutes]:\nsync.runtime_SemacquireMutex(0xc000a1b2c4?, 0x0?, 0x1?)\n        /usr/local/go/src/runtime/sema.go:77 +0x25\n' +
          'k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist(0xc0004e8a80)\n        /build/kubernetes/pkg/kubelet/pleg/generic.go:239 +0x6c',
      );
      expect(records.find((r) => r.message.startsWith('panic:'))?.message).toBe(
        'panic: send on closed channel\n\ngoroutine 1 [running]:\nmain.main()\n        /build/cmd/kubelite/main.go:42 +0x1d',
      );
      expect(records.find((r) => r.message.includes('IPv6'))?.message).toBe('WARNING: IPv6 forwarding is disabled');
      expect(records.some((r) => r.message === '[36B blob data]')).toBe(true);
      expect(records[146]).toMatchObject({ pid: 4050, unit: 'snap.microk8s.daemon-kubelite', identifier: 'microk8s.daemon-kubelite' });
      expect(iso(records[146]?.ts)?.slice(0, 19)).toBe('2026-05-17T15:08:20');
    });
  }

  it('short without inputZone reads Brisbane wall-clock as UTC (10 h off): the zone matters', async () => {
    const utc = await parse(readFileSync(DATA + 'short.txt'), { referenceTime: JUNE_2026 });
    const naive = await parse(readFileSync(DATA + 'short-brisbane.txt'), { referenceTime: JUNE_2026 });
    expect((naive.records[5]?.ts ?? 0) - (utc.records[5]?.ts ?? 0)).toBe(10 * 3600 * 1e6);
  });

  it('learns the printing zone from containerd/k8s-dqlite logrus stamps when asked to infer it (records wait for it)', async () => {
    // fixtures/003 k8s02: journalctl in AEST; containerd's time= is UTC, k8s-dqlite's +10:00.
    const text = [
      'Jun 05 06:02:18 k8s02 microk8s.daemon-kubelite[7180]: I0605 06:02:18.301122    7180 server.go:487] "Kubelet version" kubeletVersion="v1.35.0"',
      'Jun 05 06:03:25 k8s02 microk8s.daemon-containerd[4481]: time="2026-06-04T20:03:25.109120958Z" level=error msg="RunPodSandbox failed"',
      'Jun 05 06:05:06 k8s02 microk8s.daemon-k8s-dqlite[4468]: time="2026-06-05T06:05:06+10:00" level=error msg="context canceled"',
      '',
    ].join('\n');
    const CAPTURE_END = Date.UTC(2026, 5, 4, 20, 45) * 1000;
    const { records, stats } = await parse(text, { referenceTime: CAPTURE_END, inputZone: 'UTC', inferZone: true });
    expect(records.map((r) => iso(r.ts))).toEqual(['2026-06-04T20:02:18.000Z', '2026-06-04T20:03:25.000Z', '2026-06-04T20:05:06.000Z']);
    expect(stats.zoneInferred).toEqual({ zone: 'Etc/GMT-10', line: 2 });
    // Without inference the fallback zone is used as given.
    const given = await parse(text, { referenceTime: CAPTURE_END, inputZone: 'UTC' });
    expect(iso(given.records[0]?.ts)).toBe('2026-06-05T06:02:18.000Z');
    expect(given.stats.zoneInferred).toBeUndefined();
    // Nothing to learn from: the fallback.
    const klogOnly = await parse(text.split('\n')[0] + '\n', { referenceTime: CAPTURE_END, inputZone: 'Europe/Berlin', inferZone: true });
    expect(iso(klogOnly.records[0]?.ts)).toBe('2026-06-05T04:02:18.000Z');
  });

  it('zoneFromLogrus: whole-hour offsets from Z or ±hh:mm stamps, across New Year, nothing for half hours or disagreement', () => {
    const at = (month: number, day: number, hour: number, minute: number, second: number) => ({ month, day, hour, minute, second, micros: 0 });
    expect(zoneFromLogrus(at(6, 5, 6, 3, 25), 'time="2026-06-04T20:03:25.109120958Z" level=info')).toBe('Etc/GMT-10');
    expect(zoneFromLogrus(at(6, 5, 6, 5, 6), 'time="2026-06-05T06:05:06+10:00" level=info')).toBe('Etc/GMT-10');
    expect(zoneFromLogrus(at(1, 1, 8, 0, 0), 'time="2026-12-31T23:00:00Z" level=info')).toBe('Etc/GMT-9');
    expect(zoneFromLogrus(at(3, 10, 9, 0, 0), 'time="2026-03-10T14:00:00Z"')).toBe('Etc/GMT+5');
    expect(zoneFromLogrus(at(6, 5, 11, 33, 25), 'time="2026-06-05T06:03:25Z"')).toBeUndefined(); // +05:30
    expect(zoneFromLogrus(at(6, 5, 6, 13, 25), 'time="2026-06-04T20:03:25Z"')).toBeUndefined(); // 10h10m: not one moment
    expect(zoneFromLogrus(at(6, 5, 6, 3, 25), 'level=info msg="no stamp"')).toBeUndefined();
  });

  it('cat: one record per printed line, no time, options.node/unit', async () => {
    const { records, stats } = await parse(readFileSync(DATA + 'cat.txt'), { node: 'k8s03', unit: 'snap.microk8s.daemon-kubelite' });
    // 147 entries; the two multi-line messages add 4 + 4 lines.
    expect(stats).toEqual({ records: 155, unparsed: 0 });
    expect(records.every((r) => r.ts === undefined && r.node === 'k8s03')).toBe(true);
    expect(records[0]?.message).toBe('Started Service for snap application microk8s.daemon-containerd.');
    expect(records.find((r) => r.message.includes('IPv6'))?.message).toBe('\x1b[0;33mWARNING:\x1b[0m IPv6 forwarding is disabled');
    // parseJournalctlCat forces cat even for timestamped-looking lines
    const forced = await parse('May 22 02:34:21 host ident[1]: msg\n', {}, true);
    expect(forced.records[0]).toMatchObject({ ts: undefined, message: 'May 22 02:34:21 host ident[1]: msg' });
  });
});

describe('parseJournalctlText: line grammar', () => {
  it('reads short-iso with +HH:MM (systemd ≥ 255), short-unix, short-full zone names and numeric zones', async () => {
    const input = [
      '2026-05-18T00:15:00+10:00 k8s03 microk8s.daemon-kubelite[4242]: a',
      '2026-05-18T00:15:00.250000+1000 k8s03 microk8s.daemon-kubelite[4242]: b',
      '1779027300.500000 k8s03 microk8s.daemon-kubelite[4242]: c',
      'Mon 2026-05-18 00:15:00 AEST k8s03 microk8s.daemon-kubelite[4242]: d',
      'Sun 2026-05-17 16:15:00 CEST k8s03 microk8s.daemon-kubelite[4242]: e',
      'Mon 2026-05-18 00:15:00 +10 k8s03 microk8s.daemon-kubelite[4242]: f',
      'Mon 2026-05-18 00:15:00 XYZT k8s03 microk8s.daemon-kubelite[4242]: g',
    ].join('\n');
    const { records, unparsed } = await parse(input, { inputZone: 'Australia/Brisbane' });
    expect(unparsed).toEqual([]);
    expect(records.map((r) => [r.message, iso(r.ts)])).toEqual([
      ['a', '2026-05-17T14:15:00.000Z'],
      ['b', '2026-05-17T14:15:00.250Z'],
      ['c', '2026-05-17T14:15:00.500Z'],
      ['d', '2026-05-17T14:15:00.000Z'],
      ['e', '2026-05-17T14:15:00.000Z'],
      ['f', '2026-05-17T14:15:00.000Z'],
      ['g', '2026-05-17T14:15:00.000Z'], // unknown abbreviation → inputZone
    ]);
  });

  it('reads rsyslog single-digit days, lines without [pid], without hostname, kernel lines and empty messages', async () => {
    const input = [
      'Oct  8 16:29:51 worker9 k3s[1636]: E1008 16:23:14.139967    1636 kubelet.go:1846] skipping pod synchronization',
      'Oct 08 16:29:52 worker9 kubelet: I1008 16:29:52.000000    1636 server.go:1] x',
      'Oct 08 16:29:53 worker9 kernel: eth0: link up',
      'Oct 08 16:29:54 k3s[1636]: no hostname column',
      'Oct 08 16:29:55 worker9 gdm-password][77]: odd identifier',
      'Oct 08 16:29:56 worker9 k3s[1636]: ',
      'Oct 08 16:29:57 worker9 k3s[1636]:',
    ].join('\n');
    const { records, unparsed } = await parse(input, { referenceTime: Date.UTC(2020, 9, 9) * 1000 });
    expect(unparsed).toEqual([]);
    expect(records.map((r) => [r.node, r.identifier, r.pid, r.unit, r.message])).toEqual([
      ['worker9', 'k3s', 1636, 'k3s', 'E1008 16:23:14.139967    1636 kubelet.go:1846] skipping pod synchronization'],
      ['worker9', 'kubelet', undefined, 'kubelet', 'I1008 16:29:52.000000    1636 server.go:1] x'],
      ['worker9', 'kernel', undefined, undefined, 'eth0: link up'],
      [undefined, 'k3s', 1636, 'k3s', 'no hostname column'],
      ['worker9', 'gdm-password]', 77, undefined, 'odd identifier'],
      ['worker9', 'k3s', 1636, 'k3s', ''],
      ['worker9', 'k3s', 1636, 'k3s', ''],
    ]);
    expect(iso(records[0]?.ts)).toBe('2020-10-08T16:29:51.000Z');
  });

  it('attributes systemd[1] lines to the unit they are about', async () => {
    const input = [
      'Oct 29 17:39:47 microk8s-vm systemd[1]: Stopping Service for snap application microk8s.daemon-k8s-dqlite...',
      'Oct 29 17:39:48 microk8s-vm systemd[1]: snap.microk8s.daemon-kubelite.service: Main process exited, code=exited, status=255/EXCEPTION',
    ].join('\n');
    const withUnit = await parse(input, { unit: 'snap.microk8s.daemon-k8s-dqlite' });
    expect(withUnit.records.map((r) => r.unit)).toEqual(['snap.microk8s.daemon-k8s-dqlite', 'snap.microk8s.daemon-kubelite']);
    const withoutUnit = await parse(input);
    expect(withoutUnit.records.map((r) => r.unit)).toEqual(['snap.microk8s.daemon-k8s-dqlite', 'snap.microk8s.daemon-kubelite']);
  });

  it('rolls the year over December → January and reports the first inferred year', async () => {
    const input = ['Dec 31 23:59:58 n k[1]: a', 'Jan 01 00:00:01 n k[1]: b', 'Jan 02 10:00:00 n k[1]: c'].join('\n');
    const { records, stats } = await parse(input, { referenceTime: Date.UTC(2026, 0, 3) * 1000 });
    expect(records.map((r) => iso(r.ts))).toEqual(['2025-12-31T23:59:58.000Z', '2026-01-01T00:00:01.000Z', '2026-01-02T10:00:00.000Z']);
    expect(stats.yearInferred).toBe(2025);
  });

  it('takes the year from a "-- Logs begin … end at …" header (canonical/microk8s#2304)', async () => {
    const input = [
      '-- Logs begin at Sun 2021-05-30 17:08:18 UTC, end at Sun 2021-05-30 20:13:39 UTC. --',
      'May 30 17:09:19 purek8 systemd[1]: Started Service for snap application microk8s.daemon-kubelet.',
      'May 30 17:09:19 purek8 microk8s.daemon-kubelet[2214]: + export PATH=/snap/microk8s/2210/usr/sbin:/snap/microk8s/2210/usr/bin',
    ].join('\n');
    const { records, markers, stats } = await parse(input);
    expect(stats).toEqual({ records: 2, unparsed: 0, yearInferred: 2021 });
    expect(iso(records[1]?.ts)).toBe('2021-05-30T17:09:19.000Z');
    expect(records[0]?.unit).toBe('snap.microk8s.daemon-kubelet');
    expect(markers).toEqual([expect.objectContaining({ kind: 'logs-begin', ts: Date.UTC(2021, 4, 30, 17, 8, 18) * 1000 })]);
  });

  it('takes the year from a "-- Journal begins at …" header with an ambiguous zone (systemd#21491)', async () => {
    const input = [
      '-- Journal begins at Fri 2021-09-03 05:27:23 CST, ends at Tue 2021-11-23 21:58:15 CST. --',
      'Nov 23 21:58:15 host app[1]: last',
    ].join('\n');
    const { records, markers } = await parse(input, { inputZone: 'Asia/Shanghai' });
    expect(iso(records[0]?.ts)).toBe('2021-11-23T13:58:15.000Z');
    expect(iso(markers[0]?.ts)).toBe('2021-09-02T21:27:23.000Z');
  });

  it('uses a later full date for earlier year-less lines, else leaves ts undefined (never the wall clock)', async () => {
    const mixed = await parse(['Dec 31 23:00:00 n k[1]: a', '2026-01-01T01:00:00+0000 n k[1]: b', 'Jan 01 02:00:00 n k[1]: c'].join('\n'));
    expect(mixed.records.map((r) => iso(r.ts))).toEqual(['2025-12-31T23:00:00.000Z', '2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z']);
    expect(mixed.stats.yearInferred).toBe(2025);
    const none = await parse('May 22 02:34:21 n k[1]: a\n');
    expect(none.records[0]?.ts).toBeUndefined();
    expect(none.stats).toEqual({ records: 1, unparsed: 0, undated: 1 });
  });

  it('takes the year from a logrus message\'s own time="…" (containerd, k8s-dqlite) when nothing else dates the file', async () => {
    const input = [
      'Jun 05 06:00:02 k8s01 systemd[1]: Stopped Service for snap application microk8s.daemon-k8s-dqlite.',
      '-- Boot 7dd040ed0eef169ce4b21d3d25b0b820 --',
      'Jun 05 06:01:12 k8s01 kernel: Linux version 5.4.0-231-generic (buildd@lcy02-amd64-071)',
      'Jun 05 06:01:33 k8s01 microk8s.daemon-containerd[4401]: time="2026-06-04T20:01:33.004113938Z" level=info msg="starting containerd" version=v2.1.3',
      'Jun 05 06:01:40 k8s01 microk8s.daemon-kubelite[4502]: I0605 06:01:40.000000 4502 server.go:1] "Kubelet started"',
    ].join('\n');
    const { records, markers, stats } = await parse(input, { inputZone: 'Australia/Brisbane' });
    expect(records.map((r) => iso(r.ts))).toEqual([
      '2026-06-04T20:00:02.000Z', '2026-06-04T20:01:12.000Z', '2026-06-04T20:01:33.000Z', '2026-06-04T20:01:40.000Z',
    ]);
    expect(markers.map((m) => iso(m.ts))).toEqual(['2026-06-04T20:01:12.000Z']);
    expect(stats.yearInferred).toBe(2026);
    // A time="…" that is not at the start of the message (someone quoting one) dates nothing.
    const quoted = await parse('Jun 05 06:01:33 n k[1]: saw time="2026-06-04T20:01:33Z" in a paste\n');
    expect(quoted.records[0]?.ts).toBeUndefined();
  });

  it('reads -- Reboot -- and -- No entries -- separators, journalctl diagnostics and ANSI-highlighted separators', async () => {
    const input = [
      'Hint: You are currently not seeing messages from other users and the system.',
      'May 22 02:34:21 n k[1]: a',
      '\x1b[0;1;39m-- Reboot --\x1b[0m',
      'May 22 02:40:00 n k[2]: b',
      '-- No entries --',
    ].join('\n');
    const { records, markers, unparsed } = await parse(input, { referenceTime: Date.UTC(2026, 5, 1) * 1000, node: 'n0' });
    expect(records.map((r) => r.message)).toEqual(['a', 'b']);
    expect(markers.map((m) => [m.kind, m.source.line, iso(m.ts), m.node])).toEqual([
      ['reboot', 3, '2026-05-22T02:40:00.000Z', 'n'],
      ['no-entries', 5, undefined, 'n0'],
    ]);
    expect(unparsed).toEqual([{ path: 'journal.log', line: 1, reason: 'journalctl diagnostic' }]);
  });

  it('appends wrapped (unindented) lines to the previous record and reports lines before any record', async () => {
    const input = ['stray text', 'May 22 02:34:21 n k[1]: first part', 'second part pasted at column 0', '   short indent'].join('\n');
    const { records, unparsed } = await parse(input);
    expect(records.map((r) => [r.message, r.source.line])).toEqual([['first part\nsecond part pasted at column 0\n   short indent', 2]]);
    expect(unparsed).toEqual([{ path: 'journal.log', line: 1, reason: 'line does not start with a journalctl timestamp' }]);
  });

  it('never throws on arbitrary text in arbitrary chunks', async () => {
    const tokens = ['May 22 02:34:21 ', 'Oct  8 ', '2026-05-18T00:15:00+10:00 ', 'host ', 'k[1]: ', ': ', '\n', '   ', '-- Boot 61690fd34a5c45f78436eb2eba82f5d9 --\n', '-- Logs begin at ', 'x'];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), fc.array(fc.constantFrom(...tokens), { maxLength: 30 }).map((a) => Buffer.from(a.join('')))),
        async (input) => {
          const { stats, records } = await parse(input);
          expect(stats.records).toBe(records.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseJournalctlText: bare syslog tags, cut-off months, newest-first journals, pager cuts', () => {
  const REF = { referenceTime: Date.UTC(2026, 5, 1) * 1000 };

  it('takes a bare alphanumeric TAG only where `ident[pid]: ` cannot be read', async () => {
    const input = [
      'May 22 02:34:21 n syslog hello: world',
      'May 22 02:34:22 n kubelet[12]: E0522 02:34:22.000001      12 x.go:1] a: b',
      'May 22 02:34:23 n my app[13]: spaced identifier with its pid',
      'May 22 02:34:24 n kernel: k: v',
      'May 22 02:34:25 n CRON no colon at all',
      'May 22 02:34:26 n -- MARK --',
      'May 22 02:34:27 n systemd-logind no colon',
    ].join('\n');
    const { records, unparsed } = await parse(input, REF);
    expect(records.map((r) => [r.identifier, r.pid, r.message])).toEqual([
      ['syslog', undefined, 'hello: world'],
      ['kubelet', 12, 'E0522 02:34:22.000001      12 x.go:1] a: b'],
      ['my app', 13, 'spaced identifier with its pid'],
      ['kernel', undefined, 'k: v'],
      ['CRON', undefined, 'no colon at all'],
    ]);
    expect(unparsed.map((u) => [u.line, u.reason])).toEqual([
      [6, 'no "identifier[pid]: " after the timestamp'],
      [7, 'no "identifier[pid]: " after the timestamp'],
    ]);
  });

  it('restores a cut-off month only from a klog header that agrees', async () => {
    const input = [
      '9 09:58:07 node kubelet[1]: E1029 09:58:07.000001       1 a.go:1] same second',
      '9 09:58:08 node kubelet[1]: E1029 09:58:07.999999       1 a.go:1] one second later in the journal',
      '29 09:58:09 node kubelet[1]: I1029 09:58:09.000001       1 a.go:1] the whole day left',
      '9 09:58:10 node kubelet[1]: E1028 09:58:10.000001       1 a.go:1] day 28 does not end in 9',
      '9 09:58:13 node kubelet[1]: E1029 09:58:11.000001       1 a.go:1] two seconds apart',
      '9 09:58:14 node containerd[2]: time="2025-10-29T09:58:14Z" level=info msg="no klog header"',
      '    indented continuation of an unparsed line',
    ].join('\n');
    const { records, unparsed } = await parse(input, { referenceTime: Date.UTC(2025, 10, 1) * 1000 });
    expect(records.map((r) => [r.source.line, iso(r.ts)])).toEqual([
      [1, '2025-10-29T09:58:07.000Z'],
      [2, '2025-10-29T09:58:08.000Z'],
      [3, '2025-10-29T09:58:09.000Z'],
    ]);
    const cut = 'journalctl timestamp without its month (cut off) and no klog time in the message that agrees';
    expect(unparsed.map((u) => [u.line, u.reason])).toEqual([[4, cut], [5, cut], [6, cut], [7, 'line does not start with a journalctl timestamp']]);
  });

  it('hands a newest-first journal (journalctl -r) out oldest first, boots and years included', async () => {
    const input = [
      'Jan 01 00:00:03 n k[3]: newest',
      'Jan 01 00:00:02 n k[3]: newer',
      '-- Boot 61690fd34a5c45f78436eb2eba82f5d9 --',
      'Dec 31 23:59:59 n k[2]: old, previous boot',
      'Dec 31 23:59:58 n k[2]: oldest',
      `${' '.repeat('Dec 31 23:59:58 n k[2]: '.length)}its continuation`,
    ].join('\n');
    const { records, markers, stats } = await parse(input, { referenceTime: Date.UTC(2026, 0, 2) * 1000 });
    expect(stats).toEqual({ records: 4, unparsed: 0, yearInferred: 2026 });
    expect(records.map((r) => [r.message, iso(r.ts), r.bootId])).toEqual([
      ['oldest\nits continuation', '2025-12-31T23:59:58.000Z', '61690fd34a5c45f78436eb2eba82f5d9'],
      ['old, previous boot', '2025-12-31T23:59:59.000Z', '61690fd34a5c45f78436eb2eba82f5d9'],
      ['newer', '2026-01-01T00:00:02.000Z', undefined],
      ['newest', '2026-01-01T00:00:03.000Z', undefined],
    ]);
    // Printed above the older boot's entries, the separator marks where the newer boot starts (its id is not shown).
    expect(markers).toEqual([{ kind: 'boot', ts: Date.UTC(2026, 0, 1, 0, 0, 2) * 1000, node: 'n', source: { path: 'journal.log', line: 3 }, text: '-- Boot 61690fd34a5c45f78436eb2eba82f5d9 --' }]);
  });

  it('hands a newest-first journal longer than MAX_REVERSED_RECORDS out in blocks, each oldest first', async () => {
    const total = MAX_REVERSED_RECORDS + 5;
    const start = Date.UTC(2026, 4, 20, 0, 0, 0) / 1000;
    const lines: string[] = [];
    for (let i = total - 1; i >= 0; i--) {
      const d = new Date((start + i) * 1000);
      const hh = String(d.getUTCHours()).padStart(2, '0');
      const mm = String(d.getUTCMinutes()).padStart(2, '0');
      const ss = String(d.getUTCSeconds()).padStart(2, '0');
      lines.push(`May ${d.getUTCDate()} ${hh}:${mm}:${ss} n k[1]: line ${i}`);
    }
    const { records } = await parse(lines.join('\n'), REF);
    expect(records).toHaveLength(total);
    const seconds = records.map((r) => Number(r.message.slice('line '.length)));
    const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
    // The newest MAX_REVERSED_RECORDS come first (held memory is bounded), then the 5 oldest.
    expect(ascending(seconds.slice(0, MAX_REVERSED_RECORDS))).toBe(true);
    expect(seconds.slice(MAX_REVERSED_RECORDS)).toEqual([0, 1, 2, 3, 4]);
    expect(seconds[0]).toBe(5);
  });

  it('keeps a journal oldest first when its times mostly go up (a few inversions within a second)', async () => {
    const lines = ['100001', '300001', '200001', '400001', '500001'].map((us, i) => `May 22 02:34:21 n kubelite[1]: I0522 02:34:21.${us}       1 a.go:1] line ${i}`);
    const { records } = await parse(lines.join('\n'), REF);
    expect(records.map((r) => r.source.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('marks lines the pager cut (`>` at the widest width, twice at least) and nothing else', async () => {
    const width = 100;
    const cutLine = (n: number) => {
      const head = `May 22 02:34:2${n} n k[1]: cut message ${n} `;
      return head + 'x'.repeat(width - head.length - 1) + '>';
    };
    const paged = await parse([cutLine(1), 'May 22 02:34:22 n k[1]: short <nil>', cutLine(3)].join('\n'), REF);
    expect(paged.records.map((r) => [r.message.endsWith('x'), r.truncatedFields])).toEqual([[true, ['MESSAGE']], [false, undefined], [true, ['MESSAGE']]]);
    // One long line ending in `>`, or a wider line later: not a pager paste.
    const single = await parse([cutLine(1), 'May 22 02:34:22 n k[1]: short'].join('\n'), REF);
    expect(single.records.some((r) => r.truncatedFields)).toBe(false);
    const wider = await parse([cutLine(1), cutLine(2), `May 22 02:34:23 n k[1]: ${'y'.repeat(width)}`].join('\n'), REF);
    expect(wider.records.some((r) => r.truncatedFields)).toBe(false);
    // The wider line past the records handed out early: they keep their `>` unmarked.
    const short = Array.from({ length: 68 }, (_, i) => `May 22 02:35:${String(i % 60).padStart(2, '0')} n k[1]: short ${i}`);
    const late = await parse([cutLine(1), cutLine(2), ...short, `May 22 02:36:59 n k[1]: ${'y'.repeat(2 * width)}`].join('\n'), REF);
    expect(late.records.slice(0, 2).map((r) => [r.message.endsWith('>'), r.truncatedFields])).toEqual([[true, undefined], [true, undefined]]);
  });
});

describe('parseJournalctlText: real samples (shared samples)', () => {
  it('pleg-unhealthy__k3s-2370-b: rsyslog-style days, 6 records', async () => {
    const { records, stats } = await parse(sample('pleg-unhealthy__k3s-2370-b.txt'), { referenceTime: Date.UTC(2020, 9, 9) * 1000 });
    expect(stats).toEqual({ records: 6, unparsed: 0, yearInferred: 2020 });
    expect(records.every((r) => r.node === 'worker9' && r.identifier === 'k3s' && r.pid === 1636)).toBe(true);
    expect(iso(records[0]?.ts)).toBe('2020-10-08T16:29:51.000Z');
    expect(records[0]?.message).toMatch(/^E1008 16:23:14\.139967 +1636 kubelet\.go:1846\] skipping pod synchronization - PLEG is not healthy/);
  });

  it('name-reserved__containerd-12438: a journalctl -r pager paste with the month cut off', async () => {
    const text = sample('name-reserved__containerd-12438.txt');
    const { records, unparsed, stats } = await parse(text, { referenceTime: Date.UTC(2025, 10, 1) * 1000 });
    expect(stats).toEqual({ records: 4, unparsed: 3, yearInferred: 2025 });
    expect(unparsed).toEqual([1, 2, 3].map((line) => ({ path: 'journal.log', line, reason: 'comment (#), not journal output' })));
    // Newest first in the paste, oldest first out: the klog headers show the order within the second.
    expect(records.map((r) => r.source.line)).toEqual([7, 6, 5, 4]);
    expect(records.map((r) => /^E1029 09:58:07\.(\d{6}) /.exec(r.message)?.[1])).toEqual(['693205', '693267', '693288', '693335']);
    // Oct 29 from the klog header (E1029, the `9` left of the day, the same clock); the journal's second.
    expect(records.every((r) => iso(r.ts) === '2025-10-29T09:58:07.000Z')).toBe(true);
    expect(records.every((r) => r.node === 'node' && r.identifier === 'kubelet' && r.pid === 5738 && r.unit === 'kubelet')).toBe(true);
    // Every line was cut by the pager at 287 columns: the `>` is gone and the message is marked.
    expect(records.every((r) => r.truncatedFields?.join() === 'MESSAGE' && !r.message.endsWith('>'))).toBe(true);
    expect(records[3]?.message).toMatch(/with CreatePodSandboxError: \\"Failed to create $/);
    const undated = await parse(text);
    expect(undated.stats).toEqual({ records: 4, unparsed: 3, undated: 4 });
    expect(undated.records.map((r) => r.source.line)).toEqual([7, 6, 5, 4]);
  });

  it('calico-ipam__ibm-armada-runbook: a syslog tag ended by a space, the Calico line as message', async () => {
    const { records, stats } = await parse(sample('calico-ipam__ibm-armada-runbook.txt'), { referenceTime: Date.UTC(2020, 8, 1) * 1000 });
    expect(stats).toEqual({ records: 1, unparsed: 0, yearInferred: 2020 });
    const [record] = records;
    expect(record).toMatchObject({ node: 'prod-fra02-carrier2-worker-1035', identifier: 'syslog', ts: Date.UTC(2020, 7, 21, 8, 14, 29) * 1000 });
    expect(record?.pid).toBeUndefined();
    expect(record?.message).toMatch(/^2020-08-21 13:14:29\.039 \[INFO\]\[23948\] ipam\.go 547: Attempting to assign IPs from non-affine block 172\.16\.4\.0\/26 /);
    // The message-level Calico reader sees it as the CNI plugin wrote it.
    expect(parseCalicoLog(record?.message ?? '')).toMatchObject({
      level: 'INFO', pid: 23948, file: 'ipam.go', line: 547,
      fields: { handle: 'k8s-pod-network.f97b8bcee33bc736ce66918824452e6856c962087c857f36e1291cabaa8ea7d5', host: 'prod-fra02-carrier2-worker-1035.alchemy.ibm.com' },
    });
  });

  it('container-event-discarded__containerd-11108: lines pasted without date/host are cat-like', async () => {
    const { records, stats } = await parse(sample('container-event-discarded__containerd-11108.txt'));
    expect(stats).toEqual({ records: 6, unparsed: 0 });
    expect(records[0]?.message).toMatch(/^containerd\[2213\]: time="2024-12-05T17:50:26\.403267427Z" level=warning msg="container event discarded"/);
  });

  it('every journalctl-short sample with timestamps parses completely', async () => {
    const names = execFileSync('grep', ['-l', '^# format: journalctl-short', '-r', SAMPLES], { encoding: 'utf8' }).trim().split('\n');
    let checked = 0;
    for (const path of names) {
      const name = path.slice(SAMPLES.length);
      const text = sample(name);
      const stamped = text.split('\n').filter((l) => /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /.test(l)).length;
      if (stamped === 0) continue;
      const { stats, unparsed } = await parse(text, { referenceTime: Date.UTC(2026, 0, 1) * 1000 });
      expect(unparsed, name).toEqual([]);
      expect(stats.records, name).toBe(stamped);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(18);
  });
});

describe('parseJournalctlText: microk8s inspect corpus journal.log files', () => {
  const services = ['apiserver-kicker', 'cluster-agent', 'containerd', 'k8s-dqlite', 'kubelite'];
  for (const service of services) {
    it(`snap.microk8s.daemon-${service}/journal.log parses completely`, async () => {
      const member = `inspection-report/snap.microk8s.daemon-${service}/journal.log`;
      const bytes = execFileSync('tar', ['-xzOf', INSPECT, member], { maxBuffer: 64 * 1024 * 1024 });
      const lines = bytes.toString('utf8').split('\n');
      const stamped = lines.filter((l) => /^Oct \d\d \d\d:\d\d:\d\d /.test(l)).length;
      const { records, markers, unparsed, stats } = await parse(bytes, {
        path: member,
        unit: `snap.microk8s.daemon-${service}`,
        referenceTime: Date.UTC(2024, 9, 29, 13, 13) * 1000,
        inputZone: 'Asia/Kolkata',
      });
      expect(unparsed).toEqual([]);
      expect(stats).toEqual({ records: stamped, unparsed: 0, yearInferred: 2024 });
      expect(markers.map((m) => [m.kind, m.bootId])).toEqual([['boot', '63561e025c4e4114aa3ea87c8229cd06']]);
      expect(records.every((r) => r.node === 'microk8s-vm' && r.ts !== undefined)).toBe(true);
      expect(records.every((r) => r.unit === `snap.microk8s.daemon-${service}`)).toBe(true);
    });
  }
});

describe('parseJournalctlText with recycled chunks', () => {
  it('gives the same records when each chunk is scribbled over as it is handed back', async () => {
    const input = readFileSync(DATA + 'short-iso.txt');
    const expected = await parse(input);
    for (const size of [1, 13, 1000, 4096]) {
      async function* copies(): AsyncGenerator<Buffer> {
        for await (const chunk of chunksOf(input, size)) yield Buffer.from(chunk);
      }
      const records: LogRecord[] = [];
      await parseJournalctlText(copies(), { path: 'journal.log', onRecord: (r) => records.push(r), recycle: (chunk) => void chunk.fill(0) });
      expect(records).toEqual(expected.records);
    }
  });
});

