import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { EventStore } from '../../src/engine/store.js';
import { LiteralMatcher } from '../../src/engine/literal-matcher.js';
import { DeferredRecord } from '../../src/model/deferred-record.js';
import type { JournalMarker, LogRecord, Unparsed } from '../../src/model/records.js';
import { exportScanner } from '../../src/parsers/export-scan.js';
import { GOROUTINE_DUMP_LITERALS, isGoroutineDumpStart } from '../../src/parsers/goroutine-dump.js';
import { parseJournaldExport, parseJournaldExportWithoutScanner } from '../../src/parsers/journald-export.js';
import type { LogParser, QuietRecords } from '../../src/parsers/types.js';
import { pieces } from '../support/chunks.js';

/**
 * The WebAssembly scanner must change nothing but speed: every test here parses the same
 * bytes with and without it and compares everything the parser hands out.
 */

const LITERALS = [...new EventStore().prefilterLiterals, ...GOROUTINE_DUMP_LITERALS];

interface Parsed {
  records: LogRecord[];
  quiet: LogRecord[];
  markers: JournalMarker[];
  unparsed: Unparsed[];
  stats: unknown;
  settles: number;
}

async function parse(parser: LogParser, input: Buffer, sizes: number[] = [1 << 20], withQuiet = false): Promise<Parsed> {
  const out: Parsed = { records: [], quiet: [], markers: [], unparsed: [], stats: undefined, settles: 0 };
  const quiet: QuietRecords = { literals: LITERALS, onQuietRecord: (r) => { out.quiet.push(r); out.records.push(r); }, settle: () => out.settles++ };
  out.stats = await parser(pieces(input, sizes), {
    path: 'journal.export',
    node: 'k8s03',
    onRecord: (r) => out.records.push(r),
    onMarker: (m) => out.markers.push(m),
    onUnparsed: (u) => out.unparsed.push(u),
    ...(withQuiet ? { quiet } : {}),
  });
  return out;
}

/** Records as plain data: deferred ones settled first, so they compare like any other. */
function plain(records: LogRecord[]): unknown[] {
  return records.map((r) => {
    if (r instanceof DeferredRecord) r.settle();
    return JSON.parse(JSON.stringify(r));
  });
}

async function expectSameAsJavaScript(input: Buffer, sizes: number[], withQuiet = false): Promise<void> {
  const scanned = await parse(parseJournaldExport, input, sizes, withQuiet);
  const walked = await parse(parseJournaldExportWithoutScanner, input, sizes);
  expect(plain(scanned.records)).toEqual(plain(walked.records));
  expect(scanned.markers).toEqual(walked.markers);
  expect(scanned.unparsed).toEqual(walked.unparsed);
  expect(scanned.stats).toEqual(walked.stats);
}

function le64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

const REAL_EXPORTS = [
  readFileSync('test/data/journald/export.txt'),
  readFileSync('test/data/journald/source.export'),
  gunzipSync(readFileSync('fixtures/000-pleg-cni-deadlock/k8s03/kubelite.export.gz')),
  gunzipSync(readFileSync('fixtures/002-kine-watch-vxlan/k8s03/kubelite.export.gz')),
];

/** Realistic entries with the variations the scanner handles apart: see the arbitraries. */
const message = fc.oneof(
  fc.constantFrom(
    'I0518 00:15:02.123456 1234567 kubelet_node_status.go:77] "Successfully registered node" node="k8s03"',
    'E0518 00:16:10.000001 1234567 generic.go:216] "GenericPLEG: Unable to retrieve pods" err="rpc error: code = DeadlineExceeded"',
    'Started snap.microk8s.daemon-kubelite.service - Service for snap application microk8s.daemon-kubelite.',
    'goroutine 1 [running]:',
    '  \tgoroutine 7 [select, 5 minutes]:',
    'panic: runtime error: invalid memory address or nil pointer dereference',
    '=== BEGIN goroutine stack dump ===',
    'time="2026-05-18T00:15:02Z" level=info msg="ok"',
    '',
  ),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.tuple(fc.string({ maxLength: 40 }), fc.constantFrom(...LITERALS), fc.string({ maxLength: 40 })).map(([a, l, b]) => a + l + b),
);
const field = fc.oneof(
  fc.constantFrom('_HOSTNAME', '_SYSTEMD_UNIT', 'UNIT', 'SYSLOG_IDENTIFIER', '_COMM', '_PID', 'SYSLOG_PID', 'PRIORITY', '_BOOT_ID', '__CURSOR', '_TRANSPORT', '_UID', 'CODE_FILE')
    .chain((name) => fc.oneof(
      fc.constantFrom('k8s01', 'k8s02', 'snap.microk8s.daemon-kubelite.service', 'containerd.service', '1', '1234567', '6', 'x'.repeat(129)),
      fc.integer({ min: 0, max: 40 }).map((n) => `v${n}`),
      fc.string({ maxLength: 20 }),
    ).map((v) => `${name}=${v}\n`)),
  fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 60n }), fc.constantFrom('9007199254740991', '9007199254740992', '000001779027302123456', '', '17790273021x3456'))
    .map((t) => `__REALTIME_TIMESTAMP=${t}\n`),
);
const entry = fc.tuple(fc.array(field, { maxLength: 10 }), fc.option(message, { nil: undefined }), fc.array(field, { maxLength: 3 }))
  .map(([before, m, after]) => before.join('') + (m === undefined ? '' : `MESSAGE=${m.replace(/\n/g, ' ')}\n`) + after.join('') + '\n');
const binaryEntry = fc.tuple(fc.string({ maxLength: 30 }), fc.boolean()).map(([v, cut]) => {
  const value = Buffer.from(`${v}\n\nsecond line`);
  return Buffer.concat([Buffer.from('__REALTIME_TIMESTAMP=1779027302000000\n'), Buffer.from('MESSAGE\n'), le64(value.length), value, Buffer.from(cut ? 'X' : '\n'), Buffer.from('_PID=9\n\n')]);
});
const exportStream = fc.array(fc.oneof({ weight: 8, arbitrary: entry.map((e) => Buffer.from(e)) }, { weight: 1, arbitrary: binaryEntry }, { weight: 1, arbitrary: fc.constantFrom(Buffer.from('\n'), Buffer.from('not a field line\n'), Buffer.from('MESSAGE=cut off')) }), { maxLength: 30 })
  .map((parts) => Buffer.concat(parts));
const chunkSizes = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 });

describe('export scanner (WebAssembly)', () => {
  it('loads, so the tests below compare it and not JavaScript with itself', () => {
    expect(exportScanner()).toBeDefined();
  });

  it('reads the real exports exactly as the JavaScript reader, in one chunk and in odd chunks', async () => {
    for (const input of REAL_EXPORTS) {
      await expectSameAsJavaScript(input, [input.length]);
      await expectSameAsJavaScript(input, [1, 7, 4096, 333]);
      await expectSameAsJavaScript(input, [65536], true);
    }
  });

  it('reads generated streams exactly as the JavaScript reader (binary values, framing errors, long and repeating values, odd timestamps)', async () => {
    await fc.assert(fc.asyncProperty(exportStream, chunkSizes, fc.boolean(), async (input, sizes, withQuiet) => {
      await expectSameAsJavaScript(input, sizes, withQuiet);
    }), { numRuns: 300 });
  });

  it('fills and drains its entry table (more than 4,096 entries in one chunk)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      lines.push(`__CURSOR=s=1;i=${i}`, `__REALTIME_TIMESTAMP=${1779027302000000 + i}`, `_HOSTNAME=k8s0${i % 3}`, `_PID=${100 + (i % 40)}`, `MESSAGE=line ${i}`, '');
    }
    const input = Buffer.from(lines.join('\n') + '\n');
    await expectSameAsJavaScript(input, [input.length], true);
    const { records } = await parse(parseJournaldExport, input, [input.length], true);
    expect(records).toHaveLength(10_000);
    expect(records[9999]!.message).toBe('line 9999');
    (records[9999] as DeferredRecord).settle();
    expect(records[9999]!.source).toEqual({ path: 'journal.export', entry: 10_000, cursor: 's=1;i=9999' });
  });

  it('describes an entry anew when an interned id has just been given to another value', async () => {
    // All else alike, hosts node0 … node15 fill the 16 ids of the field; node0 again is
    // described from the cache; node16 then takes node0's id, so its ids equal that cached
    // entry's, whose description must not be reused.
    const hosts = [...Array.from({ length: 16 }, (_, i) => `node${i}`), 'node0', 'node16', 'node0', 'node16', 'node3'];
    const lines = hosts.flatMap((host, i) => [`_HOSTNAME=${host}`, '_SYSTEMD_UNIT=snap.microk8s.daemon-kubelite.service', '_PID=4242', `MESSAGE=tick ${i}`, '']);
    const input = Buffer.from(lines.join('\n') + '\n');
    await expectSameAsJavaScript(input, [input.length], true);
    const { records } = await parse(parseJournaldExport, input, [input.length], true);
    expect(records.map((r) => r.node)).toEqual(hosts);
  });

  it('keeps readers apart that take turns on the one scanner (interned ids, entry descriptions)', async () => {
    async function* turns(buf: Buffer, size: number): AsyncGenerator<Buffer> {
      for (let pos = 0; pos < buf.length; pos += size) {
        await new Promise((resolve) => setImmediate(resolve));
        yield buf.subarray(pos, pos + size);
      }
    }
    const streams = [0, 1].map((k) => {
      const lines: string[] = [];
      for (let i = 0; i < 3000; i++) lines.push(`_HOSTNAME=node${k}-${i % 23}`, `_SYSTEMD_UNIT=unit${(i * (k + 2)) % 19}.service`, `_PID=${(i * 7) % 29}`, `MESSAGE=m ${k} ${i}`, '');
      return Buffer.from(lines.join('\n') + '\n');
    });
    const collect = async (parser: LogParser, input: Buffer, chunks: AsyncIterable<Buffer>) => {
      const records: LogRecord[] = [];
      await parser(chunks, { path: 'j', onRecord: (r) => records.push(r), quiet: { literals: LITERALS, onQuietRecord: (r) => records.push(r), settle() {} } });
      return plain(records);
    };
    const together = await Promise.all(streams.map((input, k) => collect(parseJournaldExport, input, turns(input, 2000 + 777 * k))));
    for (const [k, input] of streams.entries()) expect(together[k]).toEqual(await collect(parseJournaldExportWithoutScanner, input, turns(input, 5000)));
  });

  it('copies a chunk in once however often the JavaScript reader hands it back (binary fields, framing errors)', async () => {
    const scanner = exportScanner()!;
    const binary = Buffer.concat([Buffer.from('_PID=1\nMESSAGE\n'), le64(3), Buffer.from('a\nb\n\n')]);
    for (const unit of [Buffer.from('x\n\n'), binary]) {
      const input = Buffer.concat(Array.from({ length: Math.ceil((256 * 1024) / unit.length) }, () => unit));
      const before = scanner.bytesCopied;
      await expectSameAsJavaScript(input, [input.length]);
      expect(scanner.bytesCopied - before).toBeLessThanOrEqual(input.length);
    }
  });

  it('forgets its interned values when a record callback throws mid-batch, so the next parse is not misled', async () => {
    const hosts = Array.from({ length: 16 }, (_, i) => `_HOSTNAME=host${i}\nMESSAGE=m${i}\n\n`).join('');
    const first = Buffer.from(`${hosts}_HOSTNAME=boom\nMESSAGE=boom\n\n_HOSTNAME=intruder\nMESSAGE=late\n\n`);
    const throwing = parseJournaldExport(pieces(first, [first.length]), {
      path: 'a',
      onRecord: (r) => {
        if (r.message === 'boom') throw new Error('consumer failed');
      },
    });
    await expect(throwing).rejects.toThrow('consumer failed');
    const second = Buffer.from('_HOSTNAME=intruder\nMESSAGE=hello\n\n');
    const { records } = await parse(parseJournaldExport, second);
    expect(records.map((r) => r.node)).toEqual(['intruder']);
  });

  it('calls a message quiet only when it holds no store literal and starts no goroutine dump', async () => {
    const matcher = new LiteralMatcher(LITERALS);
    await fc.assert(fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 20 }), async (entries) => {
      const input = Buffer.from(entries.join(''));
      const { quiet } = await parse(parseJournaldExport, input, [input.length], true);
      for (const record of quiet) {
        expect(matcher.find(record.message)).toBeUndefined();
        expect(isGoroutineDumpStart(record.message)).toBe(false);
      }
    }), { numRuns: 300 });
  });

  it('hands quiet records out undecoded, and settling gives them plain own text and cursor', async () => {
    const input = Buffer.from([
      '__CURSOR=s=9;i=1', '__REALTIME_TIMESTAMP=1779027302000000', '_HOSTNAME=k8s03', 'MESSAGE=I0518 00:15:02.000000 1 x.go:1] "nothing to see"', '',
      '__CURSOR=s=9;i=2', '__REALTIME_TIMESTAMP=1779027303000000', '_HOSTNAME=k8s03', 'MESSAGE=E0518 00:15:03.000000 1 x.go:1] "Failed to create watcher"', '', '',
    ].join('\n'));
    const parsed = await parse(parseJournaldExport, input, [input.length], true);
    expect(parsed.settles).toBe(1);
    const [quiet, loud] = parsed.records as [LogRecord, LogRecord];
    expect(parsed.quiet).toEqual([quiet]);
    expect(quiet).toBeInstanceOf(DeferredRecord);
    expect(loud).not.toBeInstanceOf(DeferredRecord);
    expect(Object.keys(quiet)).not.toContain('message');
    expect(quiet.source).toEqual({ path: 'journal.export', entry: 1 });
    expect(quiet.message).toBe('I0518 00:15:02.000000 1 x.go:1] "nothing to see"');
    (quiet as DeferredRecord).settle();
    expect(Object.keys(quiet)).toContain('message');
    expect({ ...quiet }).toMatchObject({ message: 'I0518 00:15:02.000000 1 x.go:1] "nothing to see"', source: { cursor: 's=9;i=1' }, node: 'k8s03' });
    expect(loud.source.cursor).toBe('s=9;i=2');
  });
});
