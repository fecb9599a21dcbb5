import { describe, expect, it } from 'vitest';
import { createRuleContext } from '../../src/engine/context.js';
import { defineRule } from '../../src/engine/define-rule.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { EventStore } from '../../src/engine/store.js';
import type { FindingDraft, Rule, RuleMeta } from '../../src/engine/types.js';

function meta(title: string, extra: Partial<RuleMeta> = {}): RuleMeta {
  return {
    title, severity: 'high', kind: 'failure-mode', symptoms: '-', why: '-', inputs: [],
    signals: [{ name: 'seen', description: 'seen', weight: 1 }], runbook: [], references: [], falsePositives: [], ...extra,
  };
}

function fixed(id: string, drafts: Array<Partial<FindingDraft>>, extra: Partial<RuleMeta> = {}): Rule {
  return defineRule({
    id,
    meta: meta(id, extra),
    evaluate: () => ({
      findings: drafts.map((d) => ({ nodes: [], summary: id, signals: [{ name: 'seen', state: 'present' as const }], evidence: [], values: {}, ...d })),
      checked: [],
    }),
  });
}

const ctx = () => createRuleContext(new EventStore());

describe('evaluateRules: causal links', () => {
  it('links a cause to an effect on the same node, and not across nodes', () => {
    const result = evaluateRules([
      fixed('watch-broken', [{ nodes: ['k8s03'] }], { causes: ['routes-stale'] }),
      fixed('routes-stale', [{ nodes: ['k8s01'] }]),
    ], ctx());
    expect(result.findings.find((f) => f.id === 'watch-broken')!.causes).toEqual([]);
  });

  it('links across nodes through the nodes a finding is about (stale routes on peers, leading to k8s03)', () => {
    const result = evaluateRules([
      fixed('watch-broken', [{ nodes: ['k8s03'] }], { causes: ['routes-stale'] }),
      fixed('routes-stale', [{ nodes: ['k8s01', 'k8s02'], about: ['k8s03'] }]),
    ], ctx());
    expect(result.findings.find((f) => f.id === 'watch-broken')!.causes).toEqual(['routes-stale']);
    expect(result.findings.find((f) => f.id === 'routes-stale')!.causedBy).toEqual(['watch-broken']);
    expect(result.findings.find((f) => f.id === 'routes-stale')!.nodes).toEqual(['k8s01', 'k8s02']);
  });

  it('does not explain a symptom on a node the failure is only about', () => {
    const result = evaluateRules([
      fixed('routes-stale', [{ nodes: ['k8s01'], about: ['k8s03'] }], { supersedes: ['node-quiet'] }),
      fixed('node-quiet', [{ nodes: ['k8s03'] }], { kind: 'symptom' }),
    ], ctx());
    expect(result.findings.find((f) => f.id === 'node-quiet')!.explainedBy).toBeUndefined();
  });
});

describe('evaluateRules: explained symptoms', () => {
  const H = 3600e6;
  const at = (startH: number, endH: number) => ({ window: { start: startH * H, end: endH * H } });

  it('explains a symptom on the same node at the same time', () => {
    const result = evaluateRules([
      fixed('deadlock', [{ nodes: ['k8s03'], ...at(10, 11) }], { supersedes: ['node-quiet'] }),
      fixed('node-quiet', [{ nodes: ['k8s03'], ...at(10.5, 12) }], { kind: 'symptom' }),
    ], ctx());
    expect(result.findings.find((f) => f.id === 'node-quiet')!.explainedBy).toEqual(['deadlock']);
  });

  it('does not explain a symptom hours away from the failure (another incident in a multi-day capture)', () => {
    const result = evaluateRules([
      fixed('deadlock', [{ nodes: ['k8s03'], ...at(10, 11) }], { supersedes: ['node-quiet'] }),
      fixed('node-quiet', [{ nodes: ['k8s03'], ...at(40, 41) }], { kind: 'symptom' }),
    ], ctx());
    const quiet = result.findings.find((f) => f.id === 'node-quiet')!;
    expect(quiet.explainedBy).toBeUndefined();
  });

  it('still links a cause whose evidence was seen after its effect (a crash loop whose log holds only the last panic)', () => {
    const result = evaluateRules([
      fixed('controller-panics', [{ nodes: ['k8s03'], ...at(20, 20.1) }], { causes: ['blocks-full'] }),
      fixed('blocks-full', [{ nodes: ['k8s03'], ...at(10, 14) }]),
    ], ctx());
    expect(result.findings.find((f) => f.id === 'blocks-full')!.causedBy).toEqual(['controller-panics']);
  });
});

describe('evaluateRules: findings on state without a time of its own', () => {
  it('are dated to the moment the capture shows the state (observed), after linking, so no time test applies to them', () => {
    const store = new EventStore();
    store.noteTime(Date.UTC(2026, 4, 18, 5, 28, 24) * 1000);
    const result = evaluateRules([
      fixed('stale-routes', [{ nodes: ['k8s01'] }]),
      fixed('node-quiet', [{ nodes: ['k8s01'], window: { start: Date.UTC(2026, 4, 17) * 1000, end: Date.UTC(2026, 4, 17, 1) * 1000 } }], { kind: 'symptom' }),
      fixed('routes-cause', [{ nodes: ['k8s01'] }], { supersedes: ['node-quiet'] }),
    ], createRuleContext(store));
    expect(result.findings.find((f) => f.id === 'stale-routes')!.window).toEqual({ start: '2026-05-18T05:28:24.000Z', end: '2026-05-18T05:28:24.000Z', observed: true });
    // A windowless cause still explains a symptom a day before the capture ends.
    expect(result.findings.find((f) => f.id === 'node-quiet')!.explainedBy).toEqual(['routes-cause']);
  });

  it('stay without a window when nothing in the capture has a time', () => {
    const result = evaluateRules([fixed('stale-routes', [{ nodes: ['k8s01'] }])], ctx());
    expect(result.findings[0]!.window).toBeUndefined();
  });
});

describe('evaluateRules: a rule that throws', () => {
  it('is reported in engineErrors and the other rules still run', () => {
    const broken = defineRule({ id: 'broken', meta: meta('broken'), evaluate: () => { throw new TypeError("Cannot read properties of undefined (reading 'nodeName')"); } });
    const result = evaluateRules([broken, fixed('works', [{ nodes: ['k8s01'] }])], ctx());
    expect(result.engineErrors).toEqual([{ rule: 'broken', message: "Cannot read properties of undefined (reading 'nodeName')" }]);
    expect(result.findings.map((f) => f.id)).toEqual(['works']);
  });
});
