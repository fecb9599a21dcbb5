import { describe, expect, it } from 'vitest';
import { renderSarif, sarifLevel } from '../../src/report/sarif.js';
import { RULES } from '../../src/rules/index.js';
import { sampleReport } from '../data/report/sample-report.js';

interface Sarif {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: Array<{ id: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string }; defaultConfiguration: { level: string } }> } };
    results: Array<{ ruleId: string; ruleIndex: number; level: string; message: { text: string }; suppressions?: unknown[];
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }>;
  }>;
}

describe('renderSarif', () => {
  const sarif = JSON.parse(renderSarif(sampleReport())) as Sarif;
  const run = sarif.runs[0]!;

  it('is SARIF 2.1.0 with one run and the tool', () => {
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe('pleg-analyze');
    expect(run.tool.driver.version).toBe('0.1.0');
  });

  it('maps severities to levels', () => {
    expect(['critical', 'high', 'medium', 'low', 'info'].map((s) => sarifLevel(s as never))).toEqual(['error', 'error', 'warning', 'note', 'note']);
  });

  it('describes rules from the findings, help from the runbook; noise rules left out', () => {
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(ids).toEqual(['calico-ipam-full-blocks', 'calico-kube-controllers-tombstone-panic', 'kubelet-silent', 'pleg-cni-deadlock']);
    const pleg = run.tool.driver.rules.find((r) => r.id === 'pleg-cni-deadlock')!;
    expect(pleg.shortDescription.text).toBe('Generic PLEG relist serialized behind a blocked CNI ADD');
    expect(pleg.defaultConfiguration.level).toBe('error');
    expect(pleg.help.text).toContain('1. Cordon k8s03 so nothing new is scheduled there during the recovery\n   $ kubectl cordon k8s03');
  });

  it('with the catalog, describes every evaluated rule from its metadata', () => {
    const withCatalog = JSON.parse(renderSarif(sampleReport(), { rules: RULES })) as Sarif;
    const rules = withCatalog.runs[0]!.tool.driver.rules;
    const pleg = RULES.find((r) => r.id === 'pleg-cni-deadlock');
    if (pleg) {
      const entry = rules.find((r) => r.id === 'pleg-cni-deadlock')!;
      expect(entry.fullDescription.text).toContain(pleg.meta.why);
      expect(entry.help.text).toContain('kubectl cordon {{node}}');
    }
    expect(rules.some((r) => r.id === 'container-event-discarded')).toBe(false);
    for (const result of withCatalog.runs[0]!.results) expect(rules[result.ruleIndex]!.id).toBe(result.ruleId);
  });

  it('has one result per finding with level, summary and evidence locations; noise is not a result', () => {
    expect(run.results.map((r) => `${r.ruleId}:${r.level}`)).toEqual([
      'calico-ipam-full-blocks:warning', 'calico-kube-controllers-tombstone-panic:warning', 'kubelet-silent:warning', 'pleg-cni-deadlock:error',
    ]);
    const pleg = run.results.find((r) => r.ruleId === 'pleg-cni-deadlock')!;
    expect(pleg.message.text).toMatch(/^On k8s03 the kubelet's Generic PLEG/);
    expect(pleg.locations[0]!.physicalLocation).toMatchObject({ artifactLocation: { uri: 'k8s03/kubelite.export' }, region: { startLine: 9120 } });
    expect(pleg.locations.map((l) => l.physicalLocation.region?.startLine)).toEqual([9120, 9988, 77]);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
  });

  it('carries an explained symptom as a suppressed result', () => {
    const silent = run.results.find((r) => r.ruleId === 'kubelet-silent')!;
    expect(silent.suppressions).toEqual([{ kind: 'external', justification: 'explained by pleg-cni-deadlock' }]);
  });

  it('shows control characters as escapes in snippets and is deterministic', () => {
    const text = renderSarif(sampleReport());
    expect(text).not.toContain('\\u001b');
    expect(text).toContain('\\\\x1b[31mRED');
    const r = sampleReport();
    r.findings.reverse();
    expect(renderSarif(r)).toBe(text);
  });
});
