import type { Rule } from '../engine/types.js';
import { visibleControls } from './sanitize.js';
import type { Report, ReportEvidence, ReportFinding, ReportRunbookStep, Severity } from './types.js';

/**
 * SARIF 2.1.0 (OASIS) for code-scanning style consumers: one run, the rules of the catalog
 * that were evaluated or fired, one result per finding (noise left out; explained symptoms
 * carried as suppressed results), evidence lines as physical locations.
 */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}

export interface SarifOptions {
  /** The rule catalog (RULES) for full descriptions of every rule evaluated; without it rules come from the findings. */
  rules?: readonly Rule[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown?: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { severity: Severity; kind: string; tags: string[]; references?: string[] };
}

function helpText(steps: readonly ReportRunbookStep[]): string {
  if (steps.length === 0) return 'Nothing to do: known noise.';
  return steps.map((s, i) => `${i + 1}. ${s.step}${s.command ? `\n   $ ${s.command}` : ''}`).join('\n');
}

function camel(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toUpperCase());
}

function ruleFromCatalog(rule: Rule): SarifRule {
  const m = rule.meta;
  return {
    id: rule.id,
    name: camel(rule.id),
    shortDescription: { text: m.title },
    fullDescription: { text: `${m.symptoms} ${m.why}`.trim() },
    help: { text: helpText(m.runbook) },
    defaultConfiguration: { level: sarifLevel(m.severity) },
    properties: { severity: m.severity, kind: m.kind, tags: ['microk8s', m.kind], references: [...m.references] },
  };
}

function ruleFromFinding(f: ReportFinding): SarifRule {
  return {
    id: f.id,
    name: camel(f.id),
    shortDescription: { text: f.title },
    fullDescription: { text: f.title },
    help: { text: helpText(f.runbook) },
    defaultConfiguration: { level: sarifLevel(f.severity) },
    properties: { severity: f.severity, kind: f.kind, tags: ['microk8s', f.kind], references: [...f.references] },
  };
}

function artifactUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function location(e: ReportEvidence) {
  const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: artifactUri(e.path) } };
  if (e.line !== undefined && e.line >= 1) {
    physicalLocation.region = { startLine: e.line, snippet: { text: visibleControls(e.text) } };
  }
  return {
    physicalLocation,
    ...(e.count !== undefined ? { message: { text: `${e.role ? `${e.role} of ` : ''}${e.count} matching lines` } } : {}),
  };
}

export function renderSarif(report: Report, options: SarifOptions = {}): string {
  const byId = new Map<string, SarifRule>();
  const catalog = new Map((options.rules ?? []).map((r) => [r.id, r]));
  const ids = [...new Set([...report.rulesEvaluated, ...report.findings.map((f) => f.id)])].sort();
  const noiseIds = new Set(report.noise.map((n) => n.id));
  for (const id of ids) {
    const rule = catalog.get(id);
    if (rule?.meta.kind === 'noise' || noiseIds.has(id)) continue;
    const finding = report.findings.find((f) => f.id === id);
    if (rule) byId.set(id, ruleFromCatalog(rule));
    else if (finding) byId.set(id, ruleFromFinding(finding));
  }
  const rules = [...byId.values()];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const findings = [...report.findings].sort((a, b) => a.id.localeCompare(b.id) || a.nodes.join(',').localeCompare(b.nodes.join(',')));
  const results = findings.map((f) => ({
    ruleId: f.id,
    ruleIndex: index.get(f.id)!,
    level: sarifLevel(f.severity),
    message: { text: visibleControls(f.summary) },
    locations: f.evidence.map(location),
    partialFingerprints: { 'plegAnalyzeFinding/v1': `${f.id}:${f.nodes.join(',') || 'cluster'}` },
    ...(f.explainedBy ? { suppressions: [{ kind: 'external', justification: `explained by ${f.explainedBy.join(', ')}` }] } : {}),
    properties: {
      severity: f.severity,
      confidence: f.confidence,
      nodes: f.nodes,
      ...(f.window ? { window: f.window } : {}),
      ...(f.causes.length ? { causes: f.causes } : {}),
      ...(f.causedBy.length ? { causedBy: f.causedBy } : {}),
    },
  }));
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: report.tool.name, version: report.tool.version, semanticVersion: report.tool.version, rules } },
        results,
        properties: { capture: report.capture, timezone: report.timezone },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
