import { compareFindings } from './order.js';
import { newestStateTime } from '../model/facts.js';
import { microsToIso } from '../model/time.js';
import {
  type ReportEvidence,
  type ReportFinding,
  type ReportNoise,
  type ReportNotApplicable,
  type ReportRuledOut,
  type ReportSignal,
} from '../report/types.js';
import { computeConfidence } from './confidence.js';
import { spansOverlap, type Span } from './correlate.js';
import { INPUTS, type InputId } from './inputs.js';
import { fillRunbook } from './runbook.js';
import type { EvidenceItem, Rule, RuleContext, RuleOutcome } from './types.js';

export interface EngineResult {
  findings: ReportFinding[];
  noise: ReportNoise[];
  notApplicable: ReportNotApplicable[];
  rulesEvaluated: string[];
  /** Evaluated failure-mode and symptom rules that produced no finding, with their signals. */
  ruledOut: ReportRuledOut[];
  engineErrors: Array<{ rule: string; message: string }>;
}

export function renderEvidence(item: EvidenceItem): ReportEvidence {
  const out: ReportEvidence = { path: item.source.path, text: item.text };
  const line = item.source.line ?? item.source.entry;
  if (line !== undefined) out.line = line;
  if (item.source.cursor) out.cursor = item.source.cursor;
  if (item.ts !== undefined) out.ts = microsToIso(item.ts);
  if (item.node) out.node = item.node;
  if (item.count !== undefined) out.count = item.count;
  if (item.role) out.role = item.role;
  if (item.summary) out.summary = true;
  if (item.pod) out.pod = item.pod;
  return out;
}

function missingInputs(rule: Rule, ctx: RuleContext): InputId[][] {
  return rule.meta.inputs
    .map((entry) => (Array.isArray(entry) ? entry : [entry]))
    .filter((anyOf) => !anyOf.some((input) => ctx.hasInput(input)));
}

const overlaps = (a: readonly string[], b: readonly string[]) =>
  a.length === 0 || b.length === 0 || a.some((n) => b.includes(n));

function toFinding(rule: Rule, draft: RuleOutcome['findings'][number]): ReportFinding {
  const finding: ReportFinding = {
    id: rule.id,
    title: rule.meta.title,
    severity: rule.meta.severity,
    kind: rule.meta.kind === 'symptom' ? 'symptom' : 'failure-mode',
    confidence: draft.confidence ?? computeConfidence(draft.signals, rule.meta.signals),
    nodes: [...new Set(draft.nodes)].sort(),
    summary: draft.summary,
    signals: draft.signals,
    evidence: draft.evidence.map(renderEvidence),
    runbook: fillRunbook(rule.meta.runbook, draft.values),
    causes: [],
    causedBy: [],
    references: [...rule.meta.references],
  };
  if (draft.window) finding.window = { start: microsToIso(draft.window.start), end: microsToIso(draft.window.end) };
  if (draft.facts) finding.facts = draft.facts;
  return finding;
}

/**
 * Runs every rule over the context: not-applicable rules are listed with what to capture,
 * a rule that throws is recorded and the others still run, symptom findings explained by a
 * specific finding are marked, and causal links are drawn between findings present.
 */
export function evaluateRules(rules: readonly Rule[], ctx: RuleContext): EngineResult {
  const result: EngineResult = { findings: [], noise: [], notApplicable: [], rulesEvaluated: [], ruledOut: [], engineErrors: [] };
  const about = new Map<ReportFinding, string[]>();
  const checked = new Map<string, ReportSignal[]>();
  const byId = new Map(rules.map((r) => [r.id, r]));

  for (const rule of [...rules].sort((a, b) => a.id.localeCompare(b.id))) {
    const missing = missingInputs(rule, ctx);
    if (missing.length > 0) {
      result.notApplicable.push({
        id: rule.id,
        missing: missing.map((anyOf) => anyOf.map((i) => INPUTS[i].what).join(' or ')),
        capture: missing.map((anyOf) => INPUTS[anyOf[0]!].capture),
      });
      continue;
    }
    result.rulesEvaluated.push(rule.id);
    let outcome: RuleOutcome;
    try {
      outcome = rule.evaluate(ctx);
    } catch (error) {
      result.engineErrors.push({ rule: rule.id, message: error instanceof Error ? error.message : String(error) });
      continue;
    }
    checked.set(rule.id, outcome.checked);
    if (rule.meta.kind === 'noise') {
      const noise = outcome.noise;
      if (noise && noise.count > 0) {
        const entry: ReportNoise = {
          id: rule.id,
          count: noise.count,
          nodes: [...new Set(noise.nodes)].sort(),
          explanation: rule.meta.explanation ?? rule.meta.why,
          evidence: noise.evidence.map(renderEvidence),
        };
        if (noise.first !== undefined) entry.first = microsToIso(noise.first);
        if (noise.last !== undefined) entry.last = microsToIso(noise.last);
        result.noise.push(entry);
      }
      continue;
    }
    if (outcome.findings.length === 0) result.ruledOut.push({ id: rule.id, title: rule.meta.title, signals: outcome.checked });
    for (const draft of outcome.findings) {
      const finding = toFinding(rule, draft);
      if (draft.about?.length) about.set(finding, draft.about);
      result.findings.push(finding);
    }
  }

  linkFindings(result.findings, byId, about);
  addDifferentials(result, byId, checked, ctx);
  dateStateFindings(result.findings, ctx);
  result.findings.sort(compareFindings);
  return result;
}

/**
 * Findings whose evidence is state without a time of its own (routes, a Deployment spec)
 * are dated to the moment the capture shows it: the capture end, else the newest state time.
 * Done after linking: such a window says when the state was seen, not when it began.
 */
function dateStateFindings(findings: ReportFinding[], ctx: RuleContext): void {
  const seen = ctx.captureEnd ?? newestStateTime(ctx.facts);
  if (seen === undefined) return;
  const at = microsToIso(seen);
  for (const f of findings) if (!f.window) f.window = { start: at, end: at, observed: true };
}

/**
 * How far apart two findings' windows may be for a specific finding to explain a symptom. A
 * window is when the evidence was seen, so a symptom and the fault behind it coincide; the
 * slack keeps one incident from explaining a symptom hours away in a multi-day capture.
 * Causal links get no time test: a cause's evidence can come long after the effect it
 * started (000: the crash-looping controller's previous log holds only its latest panic,
 * hours after the IPAM blocks filled because of the earlier ones).
 */
const EXPLAIN_SLACK = 30 * 60 * 1e6;

function windowOf(f: ReportFinding): Span | undefined {
  return f.window ? { start: Date.parse(f.window.start) * 1000, end: Date.parse(f.window.end) * 1000 } : undefined;
}

function sameTime(a: ReportFinding, b: ReportFinding): boolean {
  const [wa, wb] = [windowOf(a), windowOf(b)];
  return !wa || !wb || spansOverlap(wa, wb, EXPLAIN_SLACK);
}

function linkFindings(findings: ReportFinding[], byId: Map<string, Rule>, about: ReadonlyMap<ReportFinding, string[]>): void {
  const concerned = (f: ReportFinding) => [...f.nodes, ...(about.get(f) ?? [])];
  for (const finding of findings) {
    const meta = byId.get(finding.id)?.meta;
    if (!meta) continue;
    for (const other of findings) {
      if (other === finding) continue;
      const explains = meta.supersedes?.includes(other.id) && other.kind === 'symptom';
      if (explains && overlaps(finding.nodes, other.nodes) && sameTime(finding, other)) {
        other.explainedBy = [...new Set([...(other.explainedBy ?? []), finding.id])].sort();
      }
      if (meta.causes?.includes(other.id) && overlaps(concerned(finding), concerned(other))) {
        if (!finding.causes.includes(other.id)) finding.causes.push(other.id);
        if (!other.causedBy.includes(finding.id)) other.causedBy.push(finding.id);
      }
    }
  }
  for (const f of findings) {
    f.causes.sort();
    f.causedBy.sort();
  }
}

function addDifferentials(
  result: EngineResult,
  byId: Map<string, Rule>,
  checked: Map<string, ReportSignal[]>,
  ctx: RuleContext,
): void {
  for (const finding of result.findings) {
    const meta = byId.get(finding.id)?.meta;
    if (finding.kind !== 'symptom' || finding.explainedBy || !meta?.candidates) continue;
    finding.differential = meta.candidates.map((id) => {
      const candidate = byId.get(id);
      const signals = checked.get(id) ?? [];
      const capture = new Set<string>();
      for (const anyOf of candidate?.meta.inputs ?? []) {
        const options = Array.isArray(anyOf) ? anyOf : [anyOf];
        if (!options.some((i) => ctx.hasInput(i))) capture.add(INPUTS[options[0]!].capture);
      }
      for (const signal of signals) {
        const input = candidate?.meta.signals.find((s) => s.name === signal.name)?.input;
        if (signal.state === 'unknown' && input) capture.add(INPUTS[input].capture);
      }
      return { id, signals, capture: [...capture] };
    });
  }
}
