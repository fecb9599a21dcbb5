import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import { SHARED_DIR } from '../support/shared.js';

/**
 * Parity with the catalog (../shared/docs/failure-modes.md): every `###` id and every
 * noise id is a rule, has a test file, a runbook (noise excepted), and appears in at least
 * one fixture's expectations. No exemption lists.
 */
const ROOT = join(__dirname, '..', '..');
const CATALOG = readFileSync(join(SHARED_DIR, 'docs', 'failure-modes.md'), 'utf8');
const catalogIds = [...CATALOG.matchAll(/^### `([a-z0-9-]+)`/gm)].map((m) => m[1]!);
const noiseIds = [...CATALOG.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
const allIds = [...catalogIds, ...noiseIds].sort();

interface Expected { expect?: Array<string | { id: string }>; explained?: Array<{ id: string }>; noise?: string[] }

function fixtureIds(): Set<string> {
  const ids = new Set<string>();
  const dir = join(ROOT, 'fixtures');
  if (!existsSync(dir)) return ids;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, 'expected.json');
    if (!existsSync(file)) continue;
    const e = JSON.parse(readFileSync(file, 'utf8')) as Expected;
    for (const x of e.expect ?? []) ids.add(typeof x === 'string' ? x : x.id);
    for (const x of e.explained ?? []) ids.add(x.id);
    for (const x of e.noise ?? []) ids.add(x);
  }
  return ids;
}

describe('rule catalog parity', () => {
  it('reads 27 failure-mode/symptom ids and 3 noise ids from the catalog', () => {
    expect(catalogIds).toHaveLength(27);
    expect(noiseIds).toEqual(['container-event-discarded', 'ipamblock-cas-conflict', 'pleg-startup-not-yet-successful']);
  });

  it('has exactly one rule per catalog id and nothing else', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual(allIds);
  });

  it.each(allIds)('%s has a test file with valid and invalid cases', (id) => {
    const file = join(ROOT, 'test', 'rules', `${id}.test.ts`);
    expect(existsSync(file), `test/rules/${id}.test.ts`).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/ruleTester\(/);
  });

  it.each(catalogIds)('%s has a runbook and references', (id) => {
    const rule = RULES.find((r) => r.id === id)!;
    expect(rule.meta.runbook.length).toBeGreaterThan(0);
    expect(rule.meta.references.length).toBeGreaterThan(0);
  });

  it.each(allIds)('%s kind matches the catalog section', (id) => {
    const rule = RULES.find((r) => r.id === id)!;
    const symptom = ['pleg-unhealthy', 'kubelet-silent', 'pods-not-progressing'].includes(id);
    expect(rule.meta.kind).toBe(noiseIds.includes(id) ? 'noise' : symptom ? 'symptom' : 'failure-mode');
  });

  it.each(allIds)('%s appears in a fixture expectation', (id) => {
    expect(fixtureIds().has(id), `no fixtures/*/expected.json lists ${id}`).toBe(true);
  });
});
