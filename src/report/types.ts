/**
 * The report: exactly the JSON printed by `--format json` and returned by `analyze()`.
 * Shape fixed by docs/report-contract.md; extend, never rename.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

export type SignalState = 'present' | 'absent' | 'unknown';

export interface ReportSignal {
  name: string;
  state: SignalState;
  detail?: string;
}

export interface ReportEvidence {
  path: string;
  line?: number;
  cursor?: string;
  ts?: string;
  node?: string;
  text: string;
  /** Repeated lines are capped: the first and last are kept and `count` says how many matched. */
  count?: number;
  role?: 'first' | 'last';
  /** True when `text` summarises the object or row at `path:line` instead of quoting the line. */
  summary?: boolean;
  /** The pod (`namespace/name`) the evidence is about. */
  pod?: string;
}

export interface ReportRunbookStep {
  step: string;
  command?: string;
}

export interface ReportFinding {
  id: string;
  title: string;
  severity: Severity;
  kind: 'failure-mode' | 'symptom';
  confidence: number;
  nodes: string[];
  /**
   * When the evidence was seen. `observed`: the evidence has no time of its own (a route
   * table, a Deployment spec), so the window is the moment the capture shows that state.
   */
  window?: { start: string; end: string; observed?: true };
  summary: string;
  signals: ReportSignal[];
  evidence: ReportEvidence[];
  runbook: ReportRunbookStep[];
  causes: string[];
  causedBy: string[];
  references: string[];
  /** Set on a symptom finding that a specific finding explains. */
  explainedBy?: string[];
  /** For symptom findings left standing: candidates and what to capture next. */
  differential?: Array<{ id: string; signals: ReportSignal[]; capture: string[] }>;
  /** Numeric facts of this incident (counts, sizes) for reports and golden checks. */
  facts?: Record<string, string | number | boolean>;
}

export interface ReportNoise {
  id: string;
  count: number;
  first?: string;
  last?: string;
  nodes: string[];
  explanation: string;
  evidence: ReportEvidence[];
}

export interface ReportInput {
  path: string;
  kind: string;
  node?: string;
  records: number;
  unparsed: number;
  skipped: boolean;
}

export interface ReportTimelineEntry {
  ts: string;
  node?: string;
  source: string;
  /** `state`: pod/node state changes and the capture's own start and end (source `capture`). */
  kind: 'restart' | 'finding' | 'signal' | 'event' | 'boot' | 'state';
  text: string;
  count?: number;
  findings?: string[];
}

/** A look-alike rule evaluated on this capture that did not fire, and the signals that decided it. */
export interface ReportRuledOut {
  id: string;
  title: string;
  signals: ReportSignal[];
}

export interface ReportNotApplicable {
  id: string;
  missing: string[];
  capture: string[];
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'pleg-analyze'; version: string };
  generatedAt: string;
  timezone: string;
  capture: { start?: string; end?: string };
  inputs: ReportInput[];
  skipped: Array<{ path: string; reason: string }>;
  warnings: Array<{ path: string; message: string }>;
  assumptions: string[];
  findings: ReportFinding[];
  noise: ReportNoise[];
  notApplicable: ReportNotApplicable[];
  rulesEvaluated: string[];
  ruledOut: ReportRuledOut[];
  engineErrors: Array<{ rule: string; message: string }>;
  unparsed: Array<{ path: string; line: number; reason: string }>;
  timeline: ReportTimelineEntry[];
}
