#!/usr/bin/env node
// Regenerates fixtures/<case>/ from scripts/fixtures (see fixtures/README.md).
// Usage: node scripts/make-fixtures.mjs [--rebuild-dumps] [case-id ...]
// Needs (Debian): systemd-journal-remote golang-go iproute2 iptables ipset lz4 sqlite3; root
// (network namespaces). Deterministic: fixed seeds and times; re-running gives identical bytes.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { ensureDumps } from './fixtures/lib/dumps.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', 'fixtures');
const args = process.argv.slice(2);
const rebuild = args.includes('--rebuild-dumps');
const only = args.filter((a) => !a.startsWith('--'));

const CASES = ['c000', 'c002', 'c003', 'c004', 'healthy', 'c001'];
const dumps = await ensureDumps({ rebuild });
for (const c of CASES) {
  let mod;
  try {
    mod = await import(`./fixtures/cases/${c}.mjs`);
  } catch (e) {
    if (e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(`${c}.mjs`)) continue;
    throw e;
  }
  const ids = mod.CASES ?? [mod.CASE];
  if (only.length && !ids.some((id) => only.includes(id))) continue;
  for (const id of ids) rmSync(join(root, id), { recursive: true, force: true });
  const t0 = Date.now();
  const files = mod.generate(root, dumps);
  console.error(`${ids.join(', ')}: ${Object.keys(files).length} files (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
