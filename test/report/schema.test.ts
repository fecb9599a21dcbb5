import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { renderJson } from '../../src/report/json.js';
import { REPORT_SCHEMA, validateAgainst, validateReport } from '../../src/report/schema.js';
import { sampleReport } from '../data/report/sample-report.js';
import { fixtureCases } from './fixture-cases.js';
import { INSPECT_CORPUS } from '../support/shared.js';

const SCHEMA_FILE = join(__dirname, '..', '..', 'schema', 'report.schema.json');
const CORPUS = INSPECT_CORPUS;

/** Through JSON, as a consumer sees it. */
const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('report JSON schema', () => {
  it('schema/report.schema.json is the published form of REPORT_SCHEMA', () => {
    expect(existsSync(SCHEMA_FILE), 'schema/report.schema.json missing: npm run build && node scripts/generate-rule-docs.mjs').toBe(true);
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), 'schema file stale: npm run build && node scripts/generate-rule-docs.mjs').toEqual(REPORT_SCHEMA);
  });

  it('accepts the hand-built sample report (through its JSON rendering)', () => {
    expect(validateReport(JSON.parse(renderJson(sampleReport())))).toEqual([]);
  });

  it('catches shape regressions with a path and a reason', () => {
    const r = roundTrip(sampleReport()) as Record<string, any>;
    r.findings[0].severity = 'severe';
    r.findings[1].confidence = 1.5;
    delete r.findings[2].summary;
    r.findings[0].evidence[0].ts = '2026-05-18 00:15:02+10:00';
    r.timeline[0].kind = 'milestone';
    r.noise[0].extra = true;
    r.notApplicable[0].missing = [];
    delete r.rulesEvaluated;
    r.schemaVersion = 2;
    const errors = validateReport(r);
    expect(errors).toEqual(expect.arrayContaining([
      'findings[0].severity: "severe" is not one of "critical", "high", "medium", "low", "info"',
      'findings[1].confidence: 1.5 > maximum 1',
      'findings[2]: missing required key "summary"',
      expect.stringMatching(/^findings\[0\]\.evidence\[0\]\.ts: "2026-05-18 00:15:02\+10:00" does not match/),
      expect.stringMatching(/^timeline\[0\]\.kind: "milestone" is not one of/),
      'noise[0]: unknown key "extra"',
      'notApplicable[0].missing: fewer than 1 item(s)',
      '(root): missing required key "rulesEvaluated"',
      'schemaVersion: expected 1, got 2',
    ]));
    expect(errors).toHaveLength(9);
  });

  it('rejects wrong types and duplicate rule ids', () => {
    const r = roundTrip(sampleReport()) as Record<string, any>;
    r.inputs[0].records = '12';
    r.rulesEvaluated.push(r.rulesEvaluated[0]);
    r.findings[0].facts.bad = { nested: true };
    expect(validateReport(r)).toEqual([
      'inputs[0].records: expected integer, got string',
      'findings[0].facts.bad: expected string or number or boolean, got object',
      'rulesEvaluated: duplicate item "calico-ipam-full-blocks"',
    ]);
    expect(validateReport(null)).toEqual(['(root): expected object, got null']);
  });

  it('the validator refuses keywords it does not implement rather than ignoring them', () => {
    expect(() => validateAgainst({ type: 'string', format: 'date-time' }, 'x')).toThrow(/format is not supported/);
  });

  it.skipIf(!existsSync(CORPUS))('validates the report analyze() produces on the real microk8s inspect corpus', async () => {
    const report = await analyze(CORPUS, { timezone: 'Australia/Brisbane' });
    expect(report.inputs.length).toBeGreaterThan(10);
    expect(validateReport(roundTrip(report))).toEqual([]);
  });

  const cases = fixtureCases();
  if (cases.length === 0) it.skip('validates every fixture report (no fixtures/*/expected.json yet)', () => {});
  for (const c of cases) {
    it(`validates the report of fixture ${c.name}`, async () => {
      const report = await analyze(c.inputs, { timezone: c.timezone, ...(c.inputZone ? { inputZone: c.inputZone } : {}) });
      expect(validateReport(roundTrip(report))).toEqual([]);
    });
  }
});
