#!/usr/bin/env node
// Regenerates fixtures/<case>/ from scripts/fixtures (see fixtures/README.md).
// Usage: node scripts/make-fixtures.mjs [--out DIR] [--check] [--rebuild-dumps] [case-id ...]
//   --out DIR   write the cases under DIR instead of fixtures/ (fixtures/ is left alone)
//   --check     generate into a scratch directory and compare with the committed fixtures
//               byte for byte; prints every differing, missing or extra file, exit 1 if any
// Needs (Debian): systemd-journal-remote golang-go iproute2 iptables ipset lz4 sqlite3; root
// (network namespaces). Deterministic: fixed seeds and times; re-running gives identical bytes.
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ensureDumps } from './fixtures/lib/dumps.mjs';
import { compareTrees } from './fixtures/lib/compare.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const committed = join(here, '..', 'fixtures');
const args = process.argv.slice(2);
const optionValue = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(`make-fixtures: ${name} needs a directory`);
    process.exit(2);
  }
  args.splice(i, 2);
  return value;
};
const outArg = optionValue('--out');
const check = args.includes('--check');
const rebuild = args.includes('--rebuild-dumps');
const unknown = args.filter((a) => a.startsWith('--') && !['--check', '--rebuild-dumps'].includes(a));
if (unknown.length > 0) {
  console.error(`make-fixtures: unknown option ${unknown[0]} (see the usage at the top of scripts/make-fixtures.mjs)`);
  process.exit(2);
}
const only = args.filter((a) => !a.startsWith('--'));
const root = check ? mkdtempSync(join(tmpdir(), 'pleg-fixtures-')) : resolve(outArg ?? committed);

const CASES = ['c000', 'c002', 'c003', 'c004', 'healthy', 'c001'];
const dumps = await ensureDumps({ rebuild });
const generated = [];
for (const c of CASES) {
  const mod = await import(`./fixtures/cases/${c}.mjs`);
  const ids = mod.CASES ?? [mod.CASE];
  if (only.length && !ids.some((id) => only.includes(id))) continue;
  for (const id of ids) rmSync(join(root, id), { recursive: true, force: true });
  const t0 = Date.now();
  const files = mod.generate(root, dumps);
  generated.push(...ids);
  console.error(`${ids.join(', ')}: ${Object.keys(files).length} files (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

if (check) {
  const differences = generated.flatMap((id) => compareTrees(join(committed, id), join(root, id), id));
  rmSync(root, { recursive: true, force: true });
  for (const d of differences) console.log(d);
  console.error(differences.length === 0
    ? `fixtures: ${generated.length} case(s) regenerate byte-identically`
    : `fixtures: ${differences.length} difference(s) between the committed fixtures and a fresh generation`);
  process.exit(differences.length === 0 ? 0 : 1);
}
