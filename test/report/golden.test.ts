import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { parseGolden, checkGolden } from '../../src/report/check.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/types.js';
import { fixtureCases, stableReport } from './fixture-cases.js';

/**
 * Rendered snapshots per fixture: test/report/golden/<case>.md and <case>.json change only on
 * purpose. `UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts` writes them; without it
 * a difference fails, and a fixture without snapshots is skipped with the command to create them.
 * Snapshots are taken of the report with the case directory stripped from paths and the tool
 * version pinned, so they hold on any machine and across releases.
 */
const GOLDEN = join(__dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';
const COMMAND = 'UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts';

const cases = fixtureCases();
const reports = new Map<string, Promise<Report>>();
function reportOf(c: (typeof cases)[number]): Promise<Report> {
  let p = reports.get(c.name);
  if (!p) {
    p = analyze(c.inputs, { timezone: c.timezone, ...(c.inputZone ? { inputZone: c.inputZone } : {}) }).then((r) => stableReport(r, c.dir));
    reports.set(c.name, p);
  }
  return p;
}

describe('golden snapshots of the fixtures (Markdown PIR and JSON report)', () => {
  if (cases.length === 0) it.skip('no fixtures/*/expected.json yet', () => {});
  for (const c of cases) {
    for (const [ext, render] of [['md', (r: Report) => renderMarkdown(r)], ['json', renderJson]] as const) {
      const file = join(GOLDEN, `${c.name}.${ext}`);
      if (!update && !existsSync(file)) {
        console.warn(`[golden] no snapshot test/report/golden/${c.name}.${ext}; create it with: ${COMMAND}`);
        it.skip(`${c.name}.${ext}: no snapshot yet — create with: ${COMMAND}`, () => {});
        continue;
      }
      it(`${c.name}.${ext} matches its snapshot`, async () => {
        const rendered = render(await reportOf(c));
        if (update) {
          mkdirSync(GOLDEN, { recursive: true });
          writeFileSync(file, rendered);
          return;
        }
        const snapshot = readFileSync(file, 'utf8');
        expect(rendered === snapshot, `test/report/golden/${c.name}.${ext} differs from the rendering; review the change, then: ${COMMAND}`).toBe(true);
      });
    }
    it(`${c.name}: renders the same twice (deterministic)`, async () => {
      const report = await reportOf(c);
      expect(renderMarkdown(report)).toBe(renderMarkdown(structuredClone(report)));
    });
    it(`${c.name}: expected.json read as a golden file parses`, () => {
      const golden = parseGolden(c.expected, `fixtures/${c.name}/expected.json`);
      expect(golden.expect.length + golden.absent.length).toBeGreaterThan(0);
      // checkGolden runs; whether the rules satisfy the fixture is the fixture suite's business.
      expect(Array.isArray(checkGolden({ findings: [], noise: [] } as unknown as Report, golden).diff)).toBe(true);
    });
  }
});
