import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Report } from '../../src/report/types.js';

/** Fixture cases present right now: fixtures/<case>/ with an expected.json (inputs relative to the case dir). */
export const FIXTURES = join(__dirname, '..', '..', 'fixtures');

export interface FixtureCase {
  name: string;
  dir: string;
  inputs: string[];
  timezone: string;
  inputZone?: string;
  expected: Record<string, unknown>;
}

export function fixtureCases(): FixtureCase[] {
  if (!existsSync(FIXTURES)) return [];
  const cases: FixtureCase[] = [];
  for (const name of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, name);
    const file = join(dir, 'expected.json');
    if (!statSync(dir).isDirectory() || !existsSync(file)) continue;
    const expected = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const listed = Array.isArray(expected.inputs) ? (expected.inputs as string[]) : ['.'];
    const zone = (key: string) => (typeof expected[key] === 'string' ? (expected[key] as string) : undefined);
    const inputZone = zone('inputZone') ?? zone('inputTimezone') ?? zone('timezone') ?? 'Australia/Brisbane';
    cases.push({
      name,
      dir,
      inputs: listed.map((p) => (isAbsolute(p) ? p : join(dir, p))),
      // The fixtures are captures of Brisbane (AEST) nodes, as the fixture suite reads them.
      timezone: zone('timezone') ?? 'Australia/Brisbane',
      ...(inputZone ? { inputZone } : {}),
      expected,
    });
  }
  return cases;
}

/** The report with machine-specific parts made stable: the case directory prefix and the tool version. */
export function stableReport(report: Report, caseDir: string): Report {
  const prefix = JSON.stringify(`${caseDir}/`).slice(1, -1);
  const text = JSON.stringify(report).split(prefix).join('');
  const stable = JSON.parse(text) as Report;
  stable.tool = { ...stable.tool, version: '0.0.0-golden' };
  return stable;
}
