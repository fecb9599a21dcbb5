import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import type { LogRecord } from '../../src/model/records.js';
import type { LogParseOptions, LogParser } from '../../src/parsers/types.js';
import { parseJournaldExport } from '../../src/parsers/journald-export.js';
import { parseJournaldJson } from '../../src/parsers/journald-json.js';
import { parseJournalctlText } from '../../src/parsers/journalctl-text.js';
import { chunksOf } from '../../src/parsers/line-splitter.js';

const DATA = 'test/data/journald/';
const JUNE_2026 = Date.UTC(2026, 5, 1) * 1000;

async function records(parser: LogParser, file: string, options: Partial<LogParseOptions> = {}): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  await parser(chunksOf(readFileSync(DATA + file), 8192), { path: file, onRecord: (r) => out.push(r), ...options });
  return out;
}

/** What journalctl's short output does to a message without --all (logs-show.c strip_tab_ansi / blob). */
function asShortPrints(message: string): string {
  const stripped = message.replace(/\x1b\[[0-9;]*m/g, '').replaceAll('\t', '        ');
  return stripped.includes('\ufffd') ? `[${Buffer.byteLength(message.replaceAll('\ufffd', '\xff'), 'latin1')}B blob data]` : stripped;
}

const key = (r: LogRecord) => ({ ts: r.ts, node: r.node, identifier: r.identifier, pid: r.pid, message: r.message });

describe('journald parity: one journal, every rendering, the same records', () => {
  it('export, json, json-pretty, json-seq and json-sse give identical records in the same order', async () => {
    const reference = await records(parseJournaldExport, 'export.txt');
    expect(reference).toHaveLength(147);
    for (const file of ['json.txt', 'json-pretty.txt', 'json-seq.txt', 'json-sse.txt']) {
      const other = await records(parseJournaldJson, file);
      expect(other.map(key), file).toEqual(reference.map(key));
      expect(other.map((r) => [r.unit, r.priority, r.bootId, r.source.entry, r.source.cursor]), file).toEqual(
        reference.map((r) => [r.unit, r.priority, r.bootId, r.source.entry, r.source.cursor]),
      );
    }
  });

  it('short-iso-precise and short-unix agree with export to the microsecond on stdout entries', async () => {
    const reference = await records(parseJournaldExport, 'export.txt');
    // PID 1 entries carry _SOURCE_REALTIME_TIMESTAMP, which the text forms show instead.
    const stdout = (rs: LogRecord[]) => rs.filter((r) => r.identifier !== 'systemd');
    const expected = stdout(reference).map((r) => ({ ...key(r), message: asShortPrints(r.message) }));
    expect(expected).toHaveLength(139);
    for (const file of ['short-iso-precise.txt', 'short-unix.txt']) {
      expect(stdout(await records(parseJournalctlText, file)).map(key), file).toEqual(expected);
    }
    const pid1 = (await records(parseJournalctlText, 'short-iso-precise.txt')).filter((r) => r.identifier === 'systemd');
    const pid1Export = reference.filter((r) => r.identifier === 'systemd');
    expect(pid1.map((r) => (pid1Export[pid1.indexOf(r)]?.ts ?? 0) - (r.ts ?? 0))).toEqual(Array(8).fill(1234));
  });

  it('short, short-iso, short-full and the Brisbane renderings agree at second precision', async () => {
    const reference = (await records(parseJournaldExport, 'export.txt')).map((r) => ({
      ...key(r), ts: Math.floor((r.ts ?? 0) / 1e6), message: asShortPrints(r.message),
    }));
    const cases: Array<[string, Partial<LogParseOptions>]> = [
      ['short.txt', { referenceTime: JUNE_2026 }],
      ['short-iso.txt', {}],
      ['short-full.txt', {}],
      ['short-brisbane.txt', { referenceTime: JUNE_2026, inputZone: 'Australia/Brisbane' }],
      ['short-full-brisbane.txt', {}],
      ['short-iso-brisbane.txt', {}],
    ];
    for (const [file, options] of cases) {
      const text = (await records(parseJournalctlText, file, options)).map((r) => ({ ...key(r), ts: Math.floor((r.ts ?? 0) / 1e6) }));
      // PID 1's displayed (source) time is 1.234 ms earlier: the same second except at a boundary.
      expect(text.filter((r) => r.identifier !== 'systemd'), file).toEqual(reference.filter((r) => r.identifier !== 'systemd'));
      expect(text.map((r) => r.message), file).toEqual(reference.map((r) => r.message));
    }
  });

  it('cat gives the same messages, one record per printed line', async () => {
    const reference = await records(parseJournaldExport, 'export.txt');
    const cat = await records(parseJournalctlText, 'cat.txt');
    expect(cat.map((r) => r.message)).toEqual(reference.flatMap((r) => r.message.split('\n')));
  });
});
