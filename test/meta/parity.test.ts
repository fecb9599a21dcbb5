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

/** Edges of the catalog's "Causal chains" list: `a` → (mechanism) → `b`, `c` gives a→b, a→c. */
function catalogChains(): string[] {
  const section = CATALOG.slice(CATALOG.indexOf('## Causal chains'));
  const edges = new Set<string>();
  for (const line of section.split('\n').filter((l) => l.startsWith('- '))) {
    const steps = line.slice(2).split('→')
      .map((step) => [...step.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]!))
      .filter((ids) => ids.length > 0); // "(IPAM GC never runs)", "repeated kubelite restarts": no rule
    for (let i = 0; i + 1 < steps.length; i++) for (const a of steps[i]!) for (const b of steps[i + 1]!) edges.add(`${a} → ${b}`);
  }
  return [...edges].sort();
}

/**
 * Links the rules draw beyond the catalog's list, each with the document that establishes it.
 * A new one needs its reason here; a catalog edge can never be missing.
 */
const BEYOND_CATALOG: Record<string, string> = {
  'calico-kube-controllers-tombstone-panic → calico-ipam-gc-disabled':
    '000 Chain 1 / Phase 6: the panic loop is why IPAM GC never runs (the catalog names it inside the tombstone → full-blocks chain)',
};

describe('causal links follow the catalog chains', () => {
  const ruleEdges = RULES.flatMap((r) => (r.meta.causes ?? []).map((c) => `${r.id} → ${c}`)).sort();

  it('reads the chains of the catalog', () => {
    expect(catalogChains()).toContain('calico-ipam-full-blocks → pleg-cni-deadlock');
    expect(catalogChains()).toContain('calico-kube-controllers-tombstone-panic → calico-ipam-full-blocks');
    expect(catalogChains()).toHaveLength(11);
  });

  it('every catalog edge is a rule\'s `causes`', () => {
    expect(catalogChains().filter((e) => !ruleEdges.includes(e))).toEqual([]);
  });

  it('every other `causes` edge is documented', () => {
    expect(ruleEdges.filter((e) => !catalogChains().includes(e))).toEqual(Object.keys(BEYOND_CATALOG).sort());
  });
});

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
