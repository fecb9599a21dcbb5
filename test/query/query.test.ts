import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../../src/errors.js';
import { microsToIso } from '../../src/model/time.js';
import { QUERY_HELP, runQuery, type QueryResult } from '../../src/query/query.js';
import { INSPECT_CORPUS } from '../support/shared.js';

const INSPECT = INSPECT_CORPUS;
const DEADLOCK = 'fixtures/000-pleg-cni-deadlock';
const HOSTILE = 'test/data/query/hostile-journal.txt';

let tempDir: string;
beforeAll(() => {
  tempDir = mkdtempSync(join(tmpdir(), 'pleg-query-test-'));
});
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe('runQuery: the microk8s inspect corpus', () => {
  const services = ['apiserver-kicker', 'cluster-agent', 'containerd', 'k8s-dqlite', 'kubelite'];

  it('counts one record per journal line, per unit', async () => {
    const expected: Array<[string, number]> = services.map((service) => {
      const text = execFileSync('tar', ['-xzOf', INSPECT, `inspection-report/snap.microk8s.daemon-${service}/journal.log`], {
        maxBuffer: 64 * 1024 * 1024,
      }).toString('utf8');
      return [`snap.microk8s.daemon-${service}`, text.split('\n').filter((l) => /^Oct \d\d \d\d:\d\d:\d\d /.test(l)).length];
    });
    const result = await runQuery([INSPECT], 'SELECT unit, count(*) FROM records WHERE unit IS NOT NULL GROUP BY unit ORDER BY unit', {
      inputZone: 'Asia/Kolkata',
      tempDir,
    });
    expect(result.columns).toEqual(['unit', 'count(*)']);
    expect(result.rows).toEqual(expected);
    expect(expected.every(([, n]) => n > 0)).toBe(true);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it("gives the report's node-less members (network/, args/) the node its journals name, as the rules see them", async () => {
    const result = await runQuery([INSPECT], `SELECT (SELECT group_concat(DISTINCT coalesce(node, '-')) FROM routes), (SELECT count(*) FROM routes)`, { inputZone: 'Asia/Kolkata', tempDir });
    expect(result.rows).toEqual([['microk8s-vm', 14]]);
  });

  it('keeps container logs (no unit) with their pod, and prints ts as microsToIso does', async () => {
    const result = await runQuery(
      [INSPECT],
      `SELECT (SELECT count(*) FROM records WHERE unit IS NULL AND pod IS NULL),
              (SELECT count(*) FROM records WHERE unit IS NULL),
              (SELECT count(*) FROM records),
              (SELECT json_group_array(json_array(ts_us, ts)) FROM (SELECT ts_us, ts FROM records WHERE ts_us IS NOT NULL ORDER BY random() LIMIT 200))`,
      { inputZone: 'Asia/Kolkata' },
    );
    const [orphans, containerLines, total, sampleJson] = result.rows[0]!;
    expect(orphans).toBe(0);
    expect(containerLines).toBeGreaterThan(0);
    expect(total).toBe(result.records);
    const sample = JSON.parse(String(sampleJson)) as Array<[number, string]>;
    expect(sample.length).toBe(200);
    for (const [micros, ts] of sample) expect(ts).toBe(microsToIso(micros));
  });
});

describe('runQuery: fixture 000-pleg-cni-deadlock', () => {
  let findings: QueryResult;
  beforeAll(async () => {
    findings = await runQuery([DEADLOCK], 'SELECT id, nodes, explained_by FROM findings ORDER BY id', { timezone: 'Australia/Brisbane' });
  });

  it('has the pleg-cni-deadlock finding for k8s03, explaining kubelet-silent', () => {
    expect(findings.rows).toContainEqual(['pleg-cni-deadlock', 'k8s03', null]);
    expect(findings.rows).toContainEqual(['kubelet-silent', 'k8s03', 'pleg-cni-deadlock']);
  });

  it('joins facts, evidence and records', async () => {
    const result = await runQuery(
      [DEADLOCK],
      `SELECT 'blocks', group_concat(used || '/' || size, ' ') FROM (SELECT used, size FROM ipam_blocks WHERE node = 'k8s03' ORDER BY used DESC)
       UNION ALL SELECT 'args', group_concat(line) FROM evidence WHERE finding_id = 'pleg-cni-deadlock' AND path LIKE '%/k8s03/args/kubelet'
       UNION ALL SELECT 'evidence in records', count(*) > 0 FROM evidence e
         JOIN records r ON r.path = e.path AND r.entry = e.line
         WHERE e.finding_id = 'pleg-cni-deadlock' AND e.path LIKE '%/k8s03/containerd.json.gz' AND r.node = 'k8s03'
       UNION ALL SELECT 'noise', count FROM noise WHERE id = 'container-event-discarded'
       UNION ALL SELECT 'noise lines', count(*) FROM records WHERE message LIKE '%container event discarded%' AND node = 'k8s03'
       UNION ALL SELECT 'vtep', vtep FROM nodes WHERE name = 'k8s03'
       UNION ALL SELECT 'brisbane', local_time(window_start) FROM findings WHERE id = 'pleg-cni-deadlock'`,
      { timezone: 'Australia/Brisbane' },
    );
    expect(result.rows).toEqual([
      ['blocks', '64/64 64/64 64/64 62/64 9/64'],
      ['args', '16'],
      ['evidence in records', 1],
      ['noise', 3193],
      ['noise lines', 3193],
      ['vtep', '10.1.237.64'],
      ['brisbane', '2026-05-18 00:12:31 AEST'],
    ]);
  });
});

describe('runQuery: read-only, one statement, SQLite errors', () => {
  // The statement is checked before any input is read: the missing input is never opened.
  const NOWHERE = ['/nonexistent/bundle.tgz'];

  it('refuses a write', async () => {
    const error = await usageError(runQuery(NOWHERE, 'DELETE FROM records'));
    expect(error.message).toMatch(/only reads.*read-only/);
  });

  it('refuses a write that returns rows, and a pragma that changes the database', async () => {
    expect((await usageError(runQuery(NOWHERE, 'DELETE FROM records RETURNING message'))).message).toMatch(/only reads/);
    expect((await usageError(runQuery(NOWHERE, 'PRAGMA journal_mode = WAL'))).message).toMatch(/only reads/);
    expect((await usageError(runQuery(NOWHERE, "ATTACH DATABASE '/tmp/x.db' AS x"))).message).toMatch(/only reads/);
  });

  it('refuses two statements and an empty query', async () => {
    const two = await usageError(runQuery(NOWHERE, 'SELECT 1; SELECT 2'));
    expect(two.message).toBe('the query must be a single SQL statement (found more than one)');
    expect((await usageError(runQuery(NOWHERE, '  -- nothing\n'))).message).toBe('the query is empty');
  });

  it("gives SQLite's message for a syntax error and an unknown column", async () => {
    expect((await usageError(runQuery(NOWHERE, 'SELEC unit FROM records'))).message).toBe('SQL error: near "SELEC": syntax error');
    expect((await usageError(runQuery(NOWHERE, 'SELECT nope FROM records'))).message).toBe('SQL error: no such column: nope');
  });

  it('turns an error while running into a UsageError too, and removes the database', async () => {
    const error = await usageError(runQuery([HOSTILE], 'SELECT abs(-9223372036854775807 - 1) FROM records', { tempDir }));
    expect(error.message).toBe('SQL error: integer overflow');
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('a trailing semicolon and comment are one statement', async () => {
    const result = await runQuery([HOSTILE], 'SELECT count(*) AS n FROM records; -- all of them');
    expect(result).toEqual({ columns: ['n'], rows: [[3]], truncated: false, records: 3 });
  });
});

describe('runQuery: values and limits', () => {
  it('returns BigInt-safe values: exact numbers, big integers as strings, blobs as hex', async () => {
    const result = await runQuery([HOSTILE], "SELECT 9007199254740993 AS big, 42 AS small, 1.5 AS real, x'00ff' AS blob, NULL AS none, max(ts_us) AS ts_us FROM records");
    expect(result.columns).toEqual(['big', 'small', 'real', 'blob', 'none', 'ts_us']);
    expect(result.rows).toEqual([['9007199254740993', 42, 1.5, "x'00ff'", null, Date.UTC(2026, 4, 17, 14, 15, 4) * 1000]]);
  });

  it('keeps duplicate column names apart', async () => {
    const result = await runQuery([HOSTILE], 'SELECT a.line, b.line FROM records a JOIN records b ON b.line = a.line + 1 ORDER BY a.line');
    expect(result.columns).toEqual(['line', 'line']);
    expect(result.rows).toEqual([[1, 2], [2, 3]]);
  });

  it('stops at maxRows and says so', async () => {
    const result = await runQuery([HOSTILE], 'SELECT line FROM records ORDER BY line', { maxRows: 2 });
    expect(result.rows).toEqual([[1], [2]]);
    expect(result.truncated).toBe(true);
  });

  it('local_time() prints µs or ISO times in the chosen zone', async () => {
    const result = await runQuery([HOSTILE], 'SELECT local_time(ts_us), local_time(ts), local_time(NULL) FROM records WHERE line = 1', {
      timezone: 'Australia/Brisbane',
    });
    expect(result.rows).toEqual([['2026-05-18 00:15:02 AEST', '2026-05-18 00:15:02 AEST', null]]);
  });

  it('removes the database when an input cannot be read', async () => {
    const error = await runQuery(['/nonexistent/bundle.tgz'], 'SELECT 1', { tempDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('rejects an unknown zone', async () => {
    expect((await usageError(runQuery([HOSTILE], 'SELECT 1', { timezone: 'Mars/Olympus' }))).message).toBe('unknown time zone "Mars/Olympus"');
  });
});

describe('QUERY_HELP', () => {
  it('names every table and column of the store, and its examples run', async () => {
    const schema = await runQuery([HOSTILE], "SELECT m.name, group_concat(p.name, ', ') FROM sqlite_schema m, pragma_table_xinfo(m.name) p WHERE m.type = 'table' GROUP BY m.name");
    expect(schema.rows.length).toBe(13);
    for (const [table, columns] of schema.rows) {
      const line = new RegExp(`^  ${String(table)} +${String(columns).replace(/, /g, ',\\s+')}`, 'm');
      expect(QUERY_HELP, String(table)).toMatch(line);
    }
    const examples = [...QUERY_HELP.matchAll(/pleg-analyze query bundle\.tgz "([^"]+)"/g)].map((m) => m[1]!);
    expect(examples).toHaveLength(3);
    for (const sql of examples) {
      const result = await runQuery([DEADLOCK], sql);
      expect(result.rows.length, sql).toBeGreaterThan(0);
    }
  });
});
