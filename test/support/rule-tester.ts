import { describe, expect, it } from 'vitest';
import { createRuleContext } from '../../src/engine/context.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { FACT_INPUTS, type InputId } from '../../src/engine/inputs.js';
import { EventStore } from '../../src/engine/store.js';
import type { Rule } from '../../src/engine/types.js';
import type { Facts } from '../../src/model/facts.js';
import type { GoroutineDump } from '../../src/model/goroutines.js';
import type { JournalMarker, LogRecord } from '../../src/model/records.js';
import { isoToMicros } from '../../src/model/time.js';
import type { ReportFinding } from '../../src/report/types.js';

/**
 * RuleTester in the ESLint style: per rule, `valid` cases (healthy or near-miss input that
 * must give no finding) and `invalid` cases (expected findings with evidence references).
 * It fails on an invalid case with no finding or without the evidence references it expects,
 * a valid case with any finding, a rule without a near-miss valid case, a duplicate case, or
 * evidence that points outside the case's input.
 */

export interface CaseInput {
  records?: LogRecord[];
  markers?: JournalMarker[];
  facts?: Partial<Facts>;
  dumps?: GoroutineDump[];
  /** Inputs present beyond those implied by records/facts, e.g. ['kubelet-args', 'k8s03']. */
  inputs?: Array<[InputId, string?]>;
  /** Other rules to run alongside (e.g. to check supersession). */
  withRules?: Rule[];
}

export interface ValidCase extends CaseInput {
  name: string;
}

export interface ExpectedFinding {
  nodes?: string[];
  /** Evidence that must be cited: path and line (or entry ordinal). */
  evidence?: Array<{ path: string; line?: number }>;
  minConfidence?: number;
  signals?: Record<string, 'present' | 'absent' | 'unknown'>;
  /** Substrings the filled-in runbook must contain (node names, PIDs, subnets…). */
  runbookIncludes?: string[];
  facts?: Record<string, string | number | boolean>;
}

export interface InvalidCase extends CaseInput {
  name: string;
  expect: ExpectedFinding[];
}

const UNIT_INPUTS: Record<string, InputId> = {
  'snap.microk8s.daemon-kubelite': 'kubelet-log',
  kubelet: 'kubelet-log',
  k3s: 'kubelet-log',
  'snap.microk8s.daemon-containerd': 'containerd-log',
  containerd: 'containerd-log',
  'snap.microk8s.daemon-k8s-dqlite': 'dqlite-log',
};

/** Builds the store a case describes, marking inputs the way the ingest does. */
export function storeFor(input: CaseInput): EventStore {
  const store = new EventStore();
  for (const marker of input.markers ?? []) store.addMarker(marker);
  for (const record of input.records ?? []) {
    store.addRecord(record);
    const unitInput = record.unit ? UNIT_INPUTS[record.unit] : undefined;
    if (unitInput) store.markInput(unitInput, record.node);
    if (record.container) store.markInput('container-logs', record.node);
    store.markInput('node-journal', record.node);
  }
  for (const [key, values] of Object.entries(input.facts ?? {}) as Array<[keyof Facts, unknown[]]>) {
    (store.facts[key] as unknown[]).push(...values);
    const id = FACT_INPUTS[key as keyof typeof FACT_INPUTS];
    if (id && values.length > 0) {
      store.markInput(id);
      for (const v of values as Array<{ node?: string }>) if (v.node) store.markInput(id, v.node);
    }
  }
  for (const dump of input.dumps ?? []) store.addDump(dump);
  for (const [id, node] of input.inputs ?? []) store.markInput(id, node);
  return store;
}

export function runCase(rule: Rule, input: CaseInput) {
  const store = storeFor(input);
  return evaluateRules([rule, ...(input.withRules ?? [])], createRuleContext(store));
}

function citedInputs(input: CaseInput): Set<string> {
  const cited = new Set<string>();
  for (const r of input.records ?? []) cited.add(`${r.source.path}:${r.source.line ?? r.source.entry ?? ''}`);
  for (const m of input.markers ?? []) cited.add(`${m.source.path}:${m.source.line ?? m.source.entry ?? ''}`);
  for (const values of Object.values(input.facts ?? {}) as Array<Array<{ source?: { path: string; line?: number } }>>) {
    for (const v of values) if (v.source) cited.add(`${v.source.path}:${v.source.line ?? ''}`);
  }
  for (const d of input.dumps ?? []) {
    for (const g of d.goroutines) cited.add(`${g.source.path}:${g.source.line ?? g.source.entry ?? ''}`);
  }
  return cited;
}

export function ruleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describe(`rule ${rule.id}`, () => {
    it('has at least one invalid and two valid cases, all distinct', () => {
      expect(cases.invalid.length).toBeGreaterThanOrEqual(1);
      expect(cases.valid.length).toBeGreaterThanOrEqual(2);
      const names = [...cases.valid, ...cases.invalid].map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      const bodies = [...cases.valid, ...cases.invalid].map((c) => JSON.stringify({ ...c, name: undefined }));
      expect(new Set(bodies).size).toBe(bodies.length);
      // A valid case that is only healthy input proves little: one must be a trap from the documents.
      expect(cases.valid.some((c) => /^near miss\b/.test(c.name)), 'a valid case named "near miss: …"').toBe(true);
    });

    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        const result = runCase(rule, c);
        expect(result.engineErrors).toEqual([]);
        const own = result.findings.filter((f) => f.id === rule.id);
        expect(own, `unexpected finding: ${own.map((f) => f.summary).join(' | ')}`).toEqual([]);
        expect(result.noise.filter((n) => n.id === rule.id)).toEqual([]);
      });
    }

    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        const result = runCase(rule, c);
        expect(result.engineErrors).toEqual([]);
        const own: Array<Pick<ReportFinding, 'nodes' | 'evidence' | 'confidence' | 'signals' | 'runbook' | 'facts'>> =
          rule.meta.kind === 'noise'
            ? result.noise.filter((n) => n.id === rule.id).map((n) => ({ nodes: n.nodes, evidence: n.evidence, confidence: 1, signals: [], runbook: [], facts: { count: n.count } }))
            : result.findings.filter((f) => f.id === rule.id);
        expect(own.length, 'number of findings').toBe(c.expect.length);
        const cited = citedInputs(c);
        own.forEach((finding, i) => {
          const want = c.expect[i]!;
          const citedHere = finding.evidence.map((e) => `${e.path}:${e.line ?? ''}`).join(', ');
          expect(want.evidence?.length ?? 0, `the case names the evidence it expects (the finding cites: ${citedHere})`).toBeGreaterThan(0);
          for (const e of finding.evidence) {
            expect(cited.has(`${e.path}:${e.line ?? ''}`), `evidence ${e.path}:${e.line} points outside the input`).toBe(true);
          }
          if (want.nodes) expect(finding.nodes).toEqual(want.nodes);
          for (const ref of want.evidence ?? []) {
            expect(finding.evidence.some((e) => e.path === ref.path && (ref.line === undefined || e.line === ref.line)),
              `evidence ${ref.path}:${ref.line} cited`).toBe(true);
          }
          if (want.minConfidence !== undefined) expect(finding.confidence).toBeGreaterThanOrEqual(want.minConfidence);
          for (const [name, state] of Object.entries(want.signals ?? {})) {
            expect(finding.signals.find((s) => s.name === name)?.state, `signal ${name}`).toBe(state);
          }
          const runbookText = finding.runbook.map((s) => `${s.step} ${s.command ?? ''}`).join('\n');
          for (const text of want.runbookIncludes ?? []) expect(runbookText).toContain(text);
          for (const [k, v] of Object.entries(want.facts ?? {})) expect(finding.facts?.[k]).toEqual(v);
        });
      });
    }
  });
}

/** A journal record for tests: `rec('2026-05-18T00:15:02Z', 'k8s03', 'snap.microk8s.daemon-kubelite', msg, 'k8s03/kubelite.log', 12)`. */
export function rec(
  iso: string, node: string, unit: string, message: string, path: string, line: number,
  extra: Partial<LogRecord> = {},
): LogRecord {
  const identifier = unit === 'systemd' ? 'systemd' : unit.replace(/^snap\./, '');
  return { ts: isoToMicros(iso), node, unit, identifier, pid: unit === 'systemd' ? 1 : 4242, message, source: { path, line }, ...extra };
}
