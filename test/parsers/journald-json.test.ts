import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import type { JournalMarker, LogRecord, Unparsed } from '../../src/model/records.js';
import { parseJournaldJson } from '../../src/parsers/journald-json.js';
import { chunksOf } from '../../src/parsers/line-splitter.js';
import { pieces } from '../support/chunks.js';

const DATA = 'test/data/journald/';
const BOOT2 = 'a81c44d2f9e04b7d9c2e6f1a3b5d7e90';

async function parse(input: Buffer | string, chunks?: AsyncIterable<Buffer>) {
  const records: LogRecord[] = [];
  const markers: JournalMarker[] = [];
  const unparsed: Unparsed[] = [];
  const stats = await parseJournaldJson(chunks ?? chunksOf(input), {
    path: 'journal.json',
    node: 'from-layout',
    onRecord: (r) => records.push(r),
    onMarker: (m) => markers.push(m),
    onUnparsed: (u) => unparsed.push(u),
  });
  return { records, markers, unparsed, stats };
}

// Header-comment sample (one `-o json` line, fields as journalctl 252 printed them).
const HEADER_SAMPLE =
  '{"__CURSOR":"s=4abe5cacdca040f4aae69f18e0cd6c41;i=4;b=5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10;m=9a78c0;t=65204126387c0;x=940562823f521613","__REALTIME_TIMESTAMP":"1779027302123456","_BOOT_ID":"5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10","PRIORITY":"6","_HOSTNAME":"k8s03","SYSLOG_IDENTIFIER":"microk8s.daemon-kubelite","_PID":"1234567","_SYSTEMD_UNIT":"snap.microk8s.daemon-kubelite.service","MESSAGE":"I0518 00:15:02.123456 1234567 kubelet_node_status.go:77] \\"Successfully registered node\\" node=\\"k8s03\\""}\n';

describe('parseJournaldJson', () => {
  it('parses the header-comment sample', async () => {
    const { records, stats } = await parse(HEADER_SAMPLE);
    expect(stats).toEqual({ records: 1, unparsed: 0 });
    expect(records[0]).toMatchObject({
      ts: 1779027302123456,
      node: 'k8s03',
      unit: 'snap.microk8s.daemon-kubelite',
      identifier: 'microk8s.daemon-kubelite',
      pid: 1234567,
      priority: 6,
      bootId: '5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10',
      message: 'I0518 00:15:02.123456 1234567 kubelet_node_status.go:77] "Successfully registered node" node="k8s03"',
      source: { path: 'journal.json', line: 1, entry: 1 },
    });
  });

  for (const [file, firstLines] of [
    ['json.txt', [1, 2, 3, 4]],
    ['json-pretty.txt', [1, 34, 67, 100]],
    ['json-seq.txt', [1, 2, 3, 4]],
    ['json-sse.txt', [1, 3, 5, 7]],
  ] as const) {
    it(`parses journalctl 252 -o ${file.replace('.txt', '')} --all of the MicroK8s node`, async () => {
      const { records, markers, unparsed, stats } = await parse(readFileSync(DATA + file));
      expect(unparsed).toEqual([]);
      expect(stats).toEqual({ records: 147, unparsed: 0 });
      expect(records.slice(0, 4).map((r) => r.source.line)).toEqual(firstLines);
      expect(markers.map((m) => [m.kind, m.source.entry])).toEqual([['boot', 83]]); // the boot change only, not the journal's start
      expect(records[146]).toMatchObject({ bootId: BOOT2, pid: 4050, node: 'k8s03', identifier: 'microk8s.daemon-kubelite' });
      // Byte arrays (ANSI escapes, invalid UTF-8) decode like the export's binary values.
      expect(records.find((r) => r.message.includes('IPv6 forwarding'))?.message).toBe('\x1b[0;33mWARNING:\x1b[0m IPv6 forwarding is disabled');
      expect(records.find((r) => r.message.startsWith('cni config'))?.message).toBe('cni config load failed: \ufffd\ufffd bad bytes');
      expect(records.find((r) => r.message.startsWith('panic:'))?.message).toBe(
        'panic: send on closed channel\n\ngoroutine 1 [running]:\nmain.main()\n\t/build/cmd/kubelite/main.go:42 +0x1d',
      );
      expect(records.some((r) => r.truncatedFields)).toBe(false);
    });
  }

  it('keeps an entry whose MESSAGE is null (over 4096 bytes, captured without --all)', async () => {
    const { records, stats } = await parse(readFileSync(DATA + 'json-noall.txt'));
    expect(stats).toEqual({ records: 147, unparsed: 0 });
    const truncated = records.filter((r) => r.truncatedFields);
    expect(truncated).toHaveLength(1);
    expect(truncated[0]).toMatchObject({ message: '', truncatedFields: ['MESSAGE'], pid: 1234567, ts: 1779028202501000 });
  });

  it('takes the first value of a repeated field, decodes byte arrays, and accepts old-style spacing', async () => {
    const input = '{ "MESSAGE" : [ [104, 105], "second" ], "_PID" : [ "12", "13" ], "SYSLOG_IDENTIFIER" : null, "_COMM" : "kubelite", "_HOSTNAME" : "n1" }\n';
    const { records } = await parse(input);
    expect(records).toEqual([
      expect.objectContaining({ message: 'hi', pid: 12, identifier: 'kubelite', node: 'n1', truncatedFields: ['SYSLOG_IDENTIFIER'] }),
    ]);
  });

  it('falls back to options.node, and skips objects without MESSAGE', async () => {
    const { records, stats } = await parse('{"_PID":"1"}\n{"MESSAGE":"x"}\n');
    expect(stats).toEqual({ records: 1, unparsed: 0 });
    expect(records[0]).toMatchObject({ node: 'from-layout', message: 'x', source: { line: 2, entry: 2 } });
  });

  it('reports garbage and cut-off objects, then resynchronises', async () => {
    const input = [
      'Hint: You are currently not seeing messages from other users and the system.',
      '{"MESSAGE":"one","_PID":"1"}',
      '{"MESSAGE":"cut off in a str',
      '{"MESSAGE":"two"',
      '{"MESSAGE":"three"}',
      '{"MESSAGE": bad}',
      '{"MESSAGE":"tail"',
    ].join('\n');
    const { records, unparsed } = await parse(input);
    expect(records.map((r) => [r.message, r.source.line])).toEqual([['one', 2], ['three', 5]]);
    expect(unparsed.map((u) => [u.line, u.reason.replace(/:.*$/, '')])).toEqual([
      [1, 'not a JSON object'],
      [3, 'JSON object cut off inside a string'],
      [4, 'JSON object cut off (a new object starts inside it)'],
      [6, 'invalid JSON object'],
      [7, 'input ends inside a JSON object'],
    ]);
  });

  it('gives identical records for any chunking of json-pretty', async () => {
    const input = readFileSync(DATA + 'json-pretty.txt');
    const whole = await parse(input, pieces(input, [input.length]));
    const bytewise = await parse(input, pieces(input, [1]));
    expect(bytewise.records).toEqual(whole.records);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 10 }), async (sizes) => {
        expect((await parse(input, pieces(input, sizes))).records).toEqual(whole.records);
      }),
      { numRuns: 10 },
    );
  });

  it('never throws on arbitrary bytes in arbitrary chunks', async () => {
    const tokens = ['{', '}', '"', '\\', '\n', 'data: ', '\x1e', '"MESSAGE":', '"x"', '[1,2]', 'null', ','];
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.array(fc.constantFrom(...tokens), { maxLength: 40 }).map((a) => Buffer.from(a.join(''))),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), async (input, sizes) => {
        const { stats, records, unparsed } = await parse(input, pieces(input, sizes));
        expect(stats.records).toBe(records.length);
        expect(stats.unparsed).toBe(unparsed.length);
      }),
      { numRuns: 300 },
    );
  });
});
