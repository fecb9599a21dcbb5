#!/usr/bin/env node
// Writes docs/rules/<id>.md for every rule of the catalog (from its metadata, via
// ruleDocMarkdown), removes pages of rules that no longer exist, and writes
// schema/report.schema.json from REPORT_SCHEMA. Reads the BUILT package:
//   npm run build && node scripts/generate-rule-docs.mjs
// test/report/rule-docs.test.ts and test/report/schema.test.ts fail when these files are stale.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);
if (!existsSync(new URL('index.js', dist))) {
  process.stderr.write('generate-rule-docs: dist/ is missing; run `npm run build` first\n');
  process.exit(2);
}
const { RULES, ruleDocMarkdown } = await import(new URL('index.js', dist).href);
const { REPORT_SCHEMA } = await import(new URL('report/schema.js', dist).href);

const docs = new URL('docs/rules/', root);
mkdirSync(docs, { recursive: true });
const wanted = new Set();
let changed = 0;
for (const rule of RULES) {
  const name = `${rule.id}.md`;
  wanted.add(name);
  const file = new URL(name, docs);
  const text = ruleDocMarkdown(rule);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    writeFileSync(file, text);
    changed++;
  }
}
for (const name of readdirSync(docs)) {
  if (name.endsWith('.md') && !wanted.has(name)) {
    rmSync(new URL(name, docs));
    changed++;
    process.stdout.write(`removed stale docs/rules/${name}\n`);
  }
}
mkdirSync(new URL('schema/', root), { recursive: true });
const schemaFile = new URL('schema/report.schema.json', root);
const schemaText = `${JSON.stringify(REPORT_SCHEMA, null, 2)}\n`;
if (!existsSync(schemaFile) || readFileSync(schemaFile, 'utf8') !== schemaText) {
  writeFileSync(schemaFile, schemaText);
  changed++;
}
process.stdout.write(`docs/rules: ${RULES.length} rule page(s); ${changed} file(s) written or removed\n`);
