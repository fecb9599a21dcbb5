import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import type { JournalMarker, LogRecord, Unparsed } from '../../src/model/records.js';
import type { LogParser } from '../../src/parsers/types.js';
import { parseJournaldExport } from '../../src/parsers/journald-export.js';
import { chunksOf } from '../../src/parsers/line-splitter.js';
import { pieces } from '../support/chunks.js';

const DATA = 'test/data/journald/';
const BOOT1 = '5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10';
const BOOT2 = 'a81c44d2f9e04b7d9c2e6f1a3b5d7e90';

async function parse(parser: LogParser, input: Buffer | string, chunks?: AsyncIterable<Buffer>) {
  const records: LogRecord[] = [];
  const markers: JournalMarker[] = [];
  const unparsed: Unparsed[] = [];
  const stats = await parser(chunks ?? chunksOf(input), {
    path: 'journal.export',
    onRecord: (r) => records.push(r),
    onMarker: (m) => markers.push(m),
    onUnparsed: (u) => unparsed.push(u),
  });
  return { records, markers, unparsed, stats };
}

function le64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function binaryField(name: string, value: Buffer | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from(`${name}\n`), le64(v.length), v, Buffer.from('\n')]);
}

const HEADER_SAMPLE = [
  '__CURSOR=s=4abe5cacdca040f4aae69f18e0cd6c41;i=4;b=5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10;m=9a78c0;t=65204126387c0;x=940562823f521613',
  '__REALTIME_TIMESTAMP=1779027302123456',
  '_BOOT_ID=5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10',
  '_HOSTNAME=k8s03',
  'SYSLOG_IDENTIFIER=microk8s.daemon-kubelite',
  '_PID=1234567',
  '_SYSTEMD_UNIT=snap.microk8s.daemon-kubelite.service',
  'MESSAGE=I0518 00:15:02.123456 1234567 kubelet_node_status.go:77] "Successfully registered node" node="k8s03"',
  '',
  '',
].join('\n');

describe('parseJournaldExport', () => {
  it('parses the header-comment sample', async () => {
    const { records, markers, stats } = await parse(parseJournaldExport, HEADER_SAMPLE);
    expect(stats).toEqual({ records: 1, unparsed: 0 });
    expect(records[0]).toEqual({
      ts: 1779027302123456,
      node: 'k8s03',
      unit: 'snap.microk8s.daemon-kubelite',
      identifier: 'microk8s.daemon-kubelite',
      pid: 1234567,
      bootId: BOOT1,
      message: 'I0518 00:15:02.123456 1234567 kubelet_node_status.go:77] "Successfully registered node" node="k8s03"',
      source: {
        path: 'journal.export',
        entry: 1,
        cursor: 's=4abe5cacdca040f4aae69f18e0cd6c41;i=4;b=5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10;m=9a78c0;t=65204126387c0;x=940562823f521613',
      },
    });
    // One entry of one boot: the start of a journal is not a boot (journalctl prints no marker).
    expect(markers).toEqual([]);
  });

  it('parses journalctl 252 export output of the MicroK8s node (two boots, binary fields)', async () => {
    const { records, markers, stats, unparsed } = await parse(parseJournaldExport, readFileSync(DATA + 'export.txt'));
    expect(unparsed).toEqual([]);
    expect(stats).toEqual({ records: 147, unparsed: 0 });
    // Where the boot changes, as journalctl's own short rendering of the same journal shows it.
    expect(markers.map((m) => [m.kind, m.bootId, m.source.entry])).toEqual([['boot', BOOT2, 83]]);
    expect(records.filter((r) => r.bootId === BOOT1)).toHaveLength(82);
    expect(records.filter((r) => r.identifier === 'systemd')).toHaveLength(8);
    expect(records.map((r) => r.source.entry)).toEqual(records.map((_, i) => i + 1));

    const started = records[2] as LogRecord;
    expect(started.message).toBe('Started Service for snap application microk8s.daemon-kubelite.');
    // PID 1 runs in init.scope; UNIT= names the service the message is about.
    expect(started).toMatchObject({ unit: 'snap.microk8s.daemon-kubelite', pid: 1, priority: 6, ts: 1779027297100000 });

    const dump = records.find((r) => r.message.startsWith('goroutine 412'));
    expect(dump?.message).toBe(
      'goroutine 412 [semacquire, 4 minutes]:\nsync.runtime_SemacquireMutex(0xc000a1b2c4?, 0x0?, 0x1?)\n\t/usr/local/go/src/runtime/sema.go:77 +0x25\n' +
        'k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist(0xc0004e8a80)\n\t/build/kubernetes/pkg/kubelet/pleg/generic.go:239 +0x6c',
    );
    const panic = records[(dump?.source.entry ?? 0)] as LogRecord;
    expect(panic.message).toBe('panic: send on closed channel\n\ngoroutine 1 [running]:\nmain.main()\n\t/build/cmd/kubelite/main.go:42 +0x1d');
    expect(records.find((r) => r.message.includes('IPv6 forwarding'))?.message).toBe('\x1b[0;33mWARNING:\x1b[0m IPv6 forwarding is disabled');
    expect(records.find((r) => r.message.startsWith('cni config'))?.message).toBe('cni config load failed: \ufffd\ufffd bad bytes');
    const last = records[146] as LogRecord;
    expect(last).toMatchObject({ bootId: BOOT2, pid: 4050, unit: 'snap.microk8s.daemon-kubelite', node: 'k8s03' });
    expect(last.message).toMatch(/^E0518 01:08:20\.904321 +4050 kubelet\.go:2345\] "Skipping pod synchronization"/);
  });

  it('reads the hand-written source stream (binary _SELINUX_CONTEXT, __SEQNUM lines) like the journal rendering', async () => {
    const source = await parse(parseJournaldExport, readFileSync(DATA + 'source.export'));
    const rendered = await parse(parseJournaldExport, readFileSync(DATA + 'export.txt'));
    expect(source.stats).toEqual({ records: 147, unparsed: 0 });
    const strip = (r: LogRecord) => ({ ...r, source: undefined });
    expect(source.records.map(strip)).toEqual(rendered.records.map(strip));
  });

  it('reads the systemd spec example of a binary field and keeps duplicate fields first-wins', async () => {
    const input = Buffer.concat([
      Buffer.from('__REALTIME_TIMESTAMP=1342540861416409\n_SYSTEMD_UNIT=session-35898.scope\n'),
      binaryField('MESSAGE', 'foo\nbar'),
      Buffer.from('CODE_FILE=<string>\n_PID=10\n_PID=11\nFOO=a=b\n\n'),
    ]);
    const { records } = await parse(parseJournaldExport, input);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ ts: 1342540861416409, message: 'foo\nbar', unit: 'session-35898.scope', pid: 10 });
  });

  it('never splits an entry on a blank line inside a binary value', async () => {
    const input = Buffer.concat([
      Buffer.from('__CURSOR=c1\n__REALTIME_TIMESTAMP=1000000\n'),
      binaryField('_SELINUX_CONTEXT', 'unconfined\n'),
      binaryField('COREDUMP_PROC_CGROUP', '\n\n\n__CURSOR=fake\nMESSAGE=fake\n\n'),
      Buffer.from('MESSAGE=real\n\n__CURSOR=c2\n__REALTIME_TIMESTAMP=2000000\nMESSAGE=second\n\n'),
      Buffer.from('not a field!\n'),
    ]);
    const { records, unparsed } = await parse(parseJournaldExport, input);
    expect(records.map((r) => [r.message, r.source.cursor, r.source.entry, r.source.line])).toEqual([
      ['real', 'c1', 1, undefined],
      ['second', 'c2', 2, undefined],
    ]);
    // Line numbers still count the newlines inside binary values: the stray line is line 20.
    expect(unparsed).toEqual([{ path: 'journal.export', line: 20, reason: 'line is neither NAME=value nor a binary field name' }]);
  });

  it('keeps a truncated final entry that has MESSAGE, reports one without', async () => {
    const withMessage = await parse(parseJournaldExport, '__CURSOR=a\nMESSAGE=one\n\n__CURSOR=b\nMESSAGE=cut off\n_PID=7');
    expect(withMessage.records.map((r) => [r.message, r.pid])).toEqual([['one', undefined], ['cut off', 7]]);
    const without = await parse(parseJournaldExport, '__CURSOR=a\nMESSAGE=one\n\n__CURSOR=b\n_PID=7\n');
    expect(without.records).toHaveLength(1);
    expect(without.unparsed).toEqual([{ path: 'journal.export', line: 4, reason: 'input ends inside an entry that has no MESSAGE' }]);
    const cutInBinary = await parse(parseJournaldExport, Buffer.concat([Buffer.from('MESSAGE=x\nBIN\n'), le64(100), Buffer.from('abc')]));
    expect(cutInBinary.records).toEqual([expect.objectContaining({ message: 'x', truncatedFields: ['BIN'] })]);
  });

  it('skips complete entries without MESSAGE, as journalctl text output does', async () => {
    const { records, stats } = await parse(parseJournaldExport, '__CURSOR=a\n_PID=1\n\n__CURSOR=b\nMESSAGE=m\n\n');
    expect(stats).toEqual({ records: 1, unparsed: 0 });
    expect(records[0]?.source.entry).toBe(2);
  });

  it('reports an oversized binary length and resynchronises at the next __CURSOR= line', async () => {
    const input = Buffer.concat([
      Buffer.from('__CURSOR=a\nMESSAGE=first\n\n__CURSOR=b\nMESSAGE\n'),
      le64(2 ** 40),
      Buffer.from('junk\n\nmore junk=1\n__CURSOR=c\nMESSAGE=third\n\n'),
    ]);
    const { records, unparsed } = await parse(parseJournaldExport, input);
    expect(records.map((r) => r.message)).toEqual(['first', 'third']);
    expect(unparsed).toEqual([
      { path: 'journal.export', line: 5, reason: 'binary field MESSAGE declares 1099511627776 bytes (over the 768 MiB importer limit); entry 2 dropped' },
    ]);
  });

  it('reports a binary value not followed by a newline', async () => {
    const input = Buffer.concat([
      Buffer.from('__CURSOR=a\n'),
      binaryField('MESSAGE', 'abc').subarray(0, -1),
      Buffer.from('X\n__CURSOR=b\nMESSAGE=ok\n\n'),
    ]);
    const { records, unparsed } = await parse(parseJournaldExport, input);
    expect(unparsed.map((u) => u.reason)).toEqual(['expected a newline after the MESSAGE binary value; entry 1 dropped']);
    expect(records.map((r) => r.message)).toEqual(['ok']);
  });

  it('reports text that is not export format (a journalctl short line)', async () => {
    const { records, unparsed } = await parse(
      parseJournaldExport,
      'Oct 29 17:23:04 microk8s-vm microk8s.daemon-k8s-dqlite[3754]: ++ cat /var/snap/microk8s/7231/args/k8s-dqlite\n',
    );
    expect(records).toEqual([]);
    expect(unparsed).toEqual([{ path: 'journal.export', line: 1, reason: 'line is neither NAME=value nor a binary field name' }]);
  });

  it('gives identical records and markers for any chunking (1 byte, random sizes)', async () => {
    const input = readFileSync(DATA + 'export.txt');
    const whole = await parse(parseJournaldExport, input, pieces(input, [input.length]));
    const bytewise = await parse(parseJournaldExport, input, pieces(input, [1]));
    expect(bytewise.records).toEqual(whole.records);
    expect(bytewise.markers).toEqual(whole.markers);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
        const chunked = await parse(parseJournaldExport, input, pieces(input, sizes));
        expect(chunked.records).toEqual(whole.records);
        expect(chunked.markers).toEqual(whole.markers);
      }),
      { numRuns: 15 },
    );
  });

  it('never throws on arbitrary bytes in arbitrary chunks', async () => {
    const fragments = ['MESSAGE=x\n', '\n', 'MESSAGE\n', '__CURSOR=c\n', '\x00\x00\x00\x00\x00\x00\x00\x00', '\x05\x00\x00\x00\x00\x00\x00\x00', '=', '_PID=1\n'];
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.array(fc.constantFrom(...fragments), { maxLength: 40 }).map((a) => Buffer.from(a.join(''), 'latin1')),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), async (input, sizes) => {
        const { stats, records, unparsed } = await parse(parseJournaldExport, input, pieces(input, sizes));
        expect(stats.records).toBe(records.length);
        expect(stats.unparsed).toBe(unparsed.length);
      }),
      { numRuns: 300 },
    );
  });
});
