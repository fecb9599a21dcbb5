import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleDocMarkdown } from '../../src/report/rules-catalog.js';
import { RULES } from '../../src/rules/index.js';

/**
 * docs/rules/<id>.md is generated from each rule's metadata and must be current: no rule
 * without a page, no page without a rule. RULES is read at run time, so rules added later are
 * covered without touching this test.
 */
const DOCS = join(__dirname, '..', '..', 'docs', 'rules');
const REGENERATE = 'regenerate with: npm run build && node scripts/generate-rule-docs.mjs (or UPDATE_GOLDEN=1 npx vitest run test/report/rule-docs.test.ts)';
const update = process.env.UPDATE_GOLDEN === '1';

if (update) {
  mkdirSync(DOCS, { recursive: true });
  for (const rule of RULES) writeFileSync(join(DOCS, `${rule.id}.md`), ruleDocMarkdown(rule));
  for (const name of readdirSync(DOCS)) if (name.endsWith('.md') && !RULES.some((r) => `${r.id}.md` === name)) rmSync(join(DOCS, name));
}

describe('generated rule docs (docs/rules)', () => {
  it('the catalog is not empty', () => {
    expect(RULES.length).toBeGreaterThan(0);
  });

  for (const rule of RULES) {
    it(`${rule.id}.md is current`, () => {
      const file = join(DOCS, `${rule.id}.md`);
      if (!existsSync(file)) expect.fail(`docs/rules/${rule.id}.md is missing; ${REGENERATE}`);
      const onDisk = readFileSync(file, 'utf8');
      expect(onDisk === ruleDocMarkdown(rule), `docs/rules/${rule.id}.md is stale; ${REGENERATE}`).toBe(true);
    });
  }

  it('has no page for a rule that does not exist', () => {
    const pages = existsSync(DOCS) ? readdirSync(DOCS).filter((n) => n.endsWith('.md')) : [];
    const stale = pages.filter((name) => !RULES.some((r) => `${r.id}.md` === name));
    expect(stale, `stale docs pages ${stale.join(', ')}; ${REGENERATE}`).toEqual([]);
  });

  it('every page has the fixed headings in order', () => {
    for (const rule of RULES) {
      const doc = ruleDocMarkdown(rule);
      const headings = [...doc.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
      expect(headings, rule.id).toEqual(['Symptoms', 'What we look for', 'Why it happens', 'Runbook', 'False positives', 'References']);
    }
  });
});
