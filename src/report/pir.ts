import { compareFindings } from '../engine/order.js';
import {
  code, em, heading, link, para, sev, strong, text,
  type Block, type Inline, type PirDocument,
} from './pir-document.js';
import { oneLine } from './sanitize.js';
import { severityRank, type Report, type ReportEvidence, type ReportFinding, type ReportSignal, type Severity } from './types.js';
import { formatIsoInZone } from './zone.js';

/**
 * The post-incident review built from a report, in the shape of the team's PIRs
 * (docs/pirs/000…004): status line, executive summary, timeline, root causes as "how" chains,
 * impact, evidence, recovery runbook, what was ruled out, noise, input coverage, follow-ups.
 * Pure: the same report gives the same document (no clock, no environment, sorted lists).
 */

export interface PirOptions {
  /** IANA zone for displayed times; default: the report's zone. */
  timezone?: string;
  /** Timeline rows shown in the table (the SVG shows all); default 200. */
  timelineRows?: number;
}

const FOLLOW_UP = /^\s*follow[- ]up\s*:\s*/i;
const MAX_IMPACT_PODS = 30;

export function findingKey(f: ReportFinding): string {
  return `${f.id}@${f.nodes.join(',') || 'cluster'}`;
}

export function findingAnchor(f: ReportFinding): string {
  return `finding-${`${f.id}-${f.nodes.join('-') || 'cluster'}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`;
}

export function where(nodes: readonly string[]): string {
  return nodes.length ? nodes.join(', ') : 'the cluster';
}

/** Most severe first; failure modes before symptoms; explained symptoms last (the engine's order). */
export function sortFindings(findings: readonly ReportFinding[]): ReportFinding[] {
  return [...findings].sort(compareFindings);
}

export function liveFindings(report: Report): ReportFinding[] {
  return sortFindings(report.findings.filter((f) => !f.explainedBy));
}

export function highestSeverity(report: Report): Severity | 'none' {
  return liveFindings(report)[0]?.severity ?? 'none';
}

const overlaps = (a: readonly string[], b: readonly string[]) => a.length === 0 || b.length === 0 || a.some((n) => b.includes(n));

/**
 * The standing findings `from` names in `ids` (its causes or causedBy): those on the same
 * nodes; for an id with none there, those that name `from` back (the engine links a cause to
 * an effect on other nodes when the effect is about the cause's node, e.g. stale VXLAN routes).
 */
function relatedById(report: Report, from: ReportFinding, ids: readonly string[]): ReportFinding[] {
  const related: ReportFinding[] = [];
  for (const id of new Set(ids)) {
    const candidates = report.findings.filter((f) => f !== from && !f.explainedBy && f.id === id);
    const sameNodes = candidates.filter((f) => overlaps(f.nodes, from.nodes));
    related.push(...(sameNodes.length ? sameNodes : candidates.filter((f) => f.causes.includes(from.id) || f.causedBy.includes(from.id))));
  }
  return sortFindings(related);
}

/**
 * Causal chains from the effect a responder sees to its root cause, walking `causedBy`.
 * A finding that causes nothing present starts a chain; each branch of `causedBy` is a chain.
 */
export function causalChains(report: Report): ReportFinding[][] {
  const live = liveFindings(report);
  const terminals = live.filter((f) => relatedById(report, f, f.causes).length === 0);
  const chains: ReportFinding[][] = [];
  const walk = (path: ReportFinding[]) => {
    const last = path[path.length - 1]!;
    const next = relatedById(report, last, last.causedBy).filter((f) => !path.includes(f));
    if (next.length === 0) {
      chains.push(path);
      return;
    }
    for (const n of next) walk([...path, n]);
  };
  for (const t of terminals) walk([t]);
  return chains;
}

export function rootCauses(report: Report): ReportFinding[] {
  return liveFindings(report).filter((f) => relatedById(report, f, f.causedBy).length === 0);
}

function explainedSymptomsOf(report: Report, f: ReportFinding): ReportFinding[] {
  return sortFindings(report.findings.filter((s) => s.explainedBy?.includes(f.id) && overlaps(s.nodes, f.nodes)));
}

export interface FollowUpAction {
  priority: Severity;
  action: string;
  command?: string;
  from: string;
}

/** Runbook steps marked "Follow-up:", then the captures that would let more rules run. */
export function followUpActions(report: Report): FollowUpAction[] {
  const seen = new Set<string>();
  const out: FollowUpAction[] = [];
  const add = (a: FollowUpAction) => {
    const key = `${a.action}\u0000${a.command ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(a);
  };
  for (const f of liveFindings(report)) {
    for (const step of f.runbook) {
      if (!FOLLOW_UP.test(step.step)) continue;
      const action = step.step.replace(FOLLOW_UP, '');
      add({ priority: f.severity, action: action.charAt(0).toUpperCase() + action.slice(1), ...(step.command ? { command: step.command } : {}), from: findingKey(f) });
    }
  }
  for (const na of [...report.notApplicable].sort((a, b) => a.id.localeCompare(b.id))) {
    na.capture.forEach((command, i) => {
      add({ priority: 'info', action: `Capture ${na.missing[i] ?? 'the missing input'} in future bundles so ${na.id} can be evaluated`, command, from: na.id });
    });
  }
  const order = new Map(out.map((a, i) => [a, i]));
  return out.sort((a, b) => severityRank(b.priority) - severityRank(a.priority) || order.get(a)! - order.get(b)!);
}

export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return sec ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

/** How long a window lasted; undefined for none, or for a state only seen at the capture. */
const spanMs = (w: { start?: string; end?: string; observed?: true } | undefined): number | undefined =>
  w?.start && w.end && !w.observed ? Date.parse(w.end) - Date.parse(w.start) : undefined;

export interface AffectedPod {
  pod: string;
  node?: string;
  /** Findings (standing or explained) whose evidence is about the pod. */
  findings: ReportFinding[];
}

/** Pods the findings' evidence is about (stuck Pending, Terminating…), with the findings naming them. */
export function affectedPods(report: Report): AffectedPod[] {
  const byPod = new Map<string, AffectedPod>();
  for (const f of sortFindings(report.findings)) {
    for (const e of f.evidence) {
      if (!e.pod) continue;
      const entry = byPod.get(e.pod) ?? { pod: e.pod, ...(e.node ? { node: e.node } : {}), findings: [] };
      if (!entry.findings.includes(f)) entry.findings.push(f);
      byPod.set(e.pod, entry);
    }
  }
  return [...byPod.values()].sort((a, b) => a.pod.localeCompare(b.pod));
}

/**
 * The finding that names the outage: among the most severe standing findings, the one at the
 * end of the longest causal chain (what responders saw), then one on named nodes, then the
 * most confident. Undefined when nothing stands.
 */
export function headlineFinding(report: Report): ReportFinding | undefined {
  const live = liveFindings(report);
  if (live.length === 0) return undefined;
  const chains = causalChains(report);
  const chainLength = (f: ReportFinding) => Math.max(0, ...chains.filter((c) => c[0] === f).map((c) => c.length));
  return live
    .filter((f) => f.severity === live[0]!.severity)
    .sort((a, b) => chainLength(b) - chainLength(a) || Number(b.nodes.length > 0) - Number(a.nodes.length > 0))[0];
}

/** The PIR title: the headline finding, where, and the root cause its chain ends in. */
export function reportTitle(report: Report): string {
  const top = headlineFinding(report);
  if (!top) return 'Post Incident Review: no failure mode found';
  const chain = causalChains(report).filter((c) => c[0] === top).sort((a, b) => b.length - a.length)[0];
  const root = chain && chain.length > 1 ? chain[chain.length - 1] : undefined;
  return oneLine(`Post Incident Review: ${where(top.nodes)} — ${top.title}${root ? ` (root cause: ${root.title})` : ''}`);
}

class Pir {
  private readonly zone: string;
  constructor(private readonly report: Report, private readonly options: PirOptions) {
    this.zone = options.timezone ?? report.timezone;
  }

  at(iso: string | undefined): string {
    return iso && Number.isFinite(Date.parse(iso)) ? formatIsoInZone(iso, this.zone) : '—';
  }

  window(w: { start?: string; end?: string; observed?: true } | undefined): string {
    if (!w?.start || !w.end) return '—';
    if (w.observed) return `as captured, ${this.at(w.start)}`;
    return w.start === w.end ? this.at(w.start) : `${this.at(w.start)} → ${this.at(w.end)}`;
  }

  nodesCell(nodes: readonly string[]): Inline {
    return text(nodes.length ? nodes.join(', ') : 'cluster');
  }

  findingRef(f: ReportFinding): Inline[] {
    return [link(findingAnchor(f), code(f.id)), ...(f.nodes.length ? [text(` (${f.nodes.join(', ')})`)] : [])];
  }

  build(): PirDocument {
    const r = this.report;
    const blocks: Block[] = [];
    const span = spanMs(r.capture);
    const severity = highestSeverity(r);
    blocks.push(para(
      strong(text('Date:')), text(` ${this.window(r.capture)} · `),
      strong(text('Duration:')), text(` ${span === undefined ? 'unknown' : formatSpan(span)} (capture span) · `),
      strong(text('Severity:')), text(' '), sev(severity), text(' · '),
      strong(text('Status:')), text(` Draft — generated by pleg-analyze ${r.tool.version}`),
    ));
    blocks.push(...this.summary());
    blocks.push(...this.timeline());
    blocks.push(...this.rootCauses());
    blocks.push(...this.impact());
    blocks.push(...this.findings());
    blocks.push(...this.runbook());
    blocks.push(...this.ruledOut());
    blocks.push(...this.noise());
    blocks.push(...this.coverage());
    blocks.push(...this.followUps());
    return { title: reportTitle(r), blocks };
  }

  summary(): Block[] {
    const r = this.report;
    const out: Block[] = [heading(2, 'Executive summary', 'summary')];
    const live = liveFindings(r);
    if (live.length === 0) {
      out.push(para(text(`No failure mode was found in ${r.inputs.length} input(s) covering ${this.window(r.capture)}. ${r.rulesEvaluated.length} rule(s) were evaluated.`)));
    }
    for (const root of rootCauses(r)) {
      const label = root.kind === 'symptom' ? 'Unexplained symptom:' : 'Root cause:';
      out.push(para(strong(text(label)), text(' '), strong(text(root.title)), text(' — '), ...this.findingRef(root),
        text(`, ${root.severity}, confidence ${root.confidence.toFixed(2)}. ${root.summary}`)));
    }
    const consequences: ReportFinding[] = [];
    for (const chain of causalChains(r)) {
      if (chain.length < 2) continue;
      const fromRoot = [...chain].reverse();
      const parts: Inline[] = [];
      fromRoot.forEach((f, i) => {
        if (i > 0) parts.push(text(i === 1 ? ' led to ' : ', which led to '));
        parts.push(...this.findingRef(f));
      });
      out.push(para(strong(text('What it caused:')), text(' '), ...parts, text('.')));
      for (const f of fromRoot.slice(1)) if (!consequences.includes(f)) consequences.push(f);
    }
    for (const f of consequences) {
      out.push(para(...this.findingRef(f), text(` — ${f.title} (${f.severity}, confidence ${f.confidence.toFixed(2)}): ${f.summary}`)));
    }
    const explained = sortFindings(r.findings.filter((f) => f.explainedBy));
    if (explained.length) {
      const parts: Inline[] = [strong(text('Explained symptoms:')), text(' ')];
      explained.forEach((f, i) => {
        if (i > 0) parts.push(text('; '));
        parts.push(...this.findingRef(f), text(' — explained by '));
        f.explainedBy!.forEach((id, j) => parts.push(...(j ? [text(', ')] : []), code(id)));
      });
      out.push(para(...parts, text('.')));
    }
    if (r.noise.length) {
      const parts: Inline[] = [strong(text('Known noise (benign):')), text(' ')];
      [...r.noise].sort((a, b) => a.id.localeCompare(b.id)).forEach((n, i) => parts.push(...(i ? [text(', ')] : []), code(n.id), text(` ×${n.count}`)));
      out.push(para(...parts, text('.')));
    }
    if (r.notApplicable.length || r.engineErrors.length) {
      out.push(para(em(`${r.notApplicable.length} rule(s) could not be evaluated for lack of input${r.engineErrors.length ? ` and ${r.engineErrors.length} rule(s) failed` : ''}; see Input coverage.`)));
    }
    return out;
  }

  timeline(): Block[] {
    const r = this.report;
    const out: Block[] = [heading(2, `Timeline (${this.zone})`, 'timeline'), { type: 'timeline-svg' }];
    if (r.timeline.length === 0) {
      out.push(para(em('No timestamped events.')));
      return out;
    }
    const max = this.options.timelineRows ?? 200;
    out.push({
      type: 'table',
      head: ['Time', 'Node', 'Kind', 'Source', 'Event'],
      rows: r.timeline.slice(0, max).map((t) => [
        [text(this.at(t.ts))], [text(t.node ?? '')], [text(t.kind)], [text(t.source)],
        [text(t.text), ...(t.findings?.length ? [text(' → '), ...t.findings.flatMap((id, i) => [...(i ? [text(', ')] : []), code(id)])] : [])],
      ]),
    });
    if (r.timeline.length > max) out.push(para(em(`${r.timeline.length - max} more timeline entries in the JSON report (--format json).`)));
    return out;
  }

  rootCauses(): Block[] {
    const r = this.report;
    const out: Block[] = [heading(2, 'Root causes — the "how" chain', 'root-causes')];
    const chains = causalChains(r);
    if (chains.length === 0) {
      out.push(para(em('No finding, so no causal chain.')));
      return out;
    }
    chains.forEach((chain, ci) => {
      const head = chain[0]!;
      out.push(heading(3, `Chain ${ci + 1}: ${where(head.nodes)} — ${head.title}`));
      const steps: Block[][] = [];
      chain.forEach((f, i) => {
        let question: string;
        if (i === 0) {
          const symptoms = explainedSymptomsOf(r, f);
          question = symptoms.length
            ? `How did ${where(f.nodes)} come to show ${symptoms.map((s) => s.title.charAt(0).toLowerCase() + s.title.slice(1)).join(' and ')}?`
            : `What failed on ${where(f.nodes)}?`;
        } else {
          const prev = chain[i - 1]!;
          question = `How did ${prev.id} come about${prev.nodes.length ? ` on ${prev.nodes.join(', ')}` : ''}?`;
        }
        const isRoot = i === chain.length - 1;
        steps.push([
          para(strong(text(question))),
          para(text('→ '), ...this.findingRef(f), text(` — ${f.title}. ${f.summary}`), ...(isRoot ? [text(' '), strong(text(f.kind === 'symptom' ? '(Unexplained: see Ruled out.)' : '(Root cause.)'))] : [])),
        ]);
      });
      out.push({ type: 'list', ordered: true, items: steps });
    });
    return out;
  }

  impact(): Block[] {
    const r = this.report;
    const live = liveFindings(r);
    const out: Block[] = [heading(2, 'Impact', 'impact')];
    if (live.length === 0) {
      out.push(para(em('None found.')));
      return out;
    }
    const nodes = [...new Set(live.flatMap((f) => f.nodes))].sort();
    const clusterWide = live.some((f) => f.nodes.length === 0);
    out.push(para(strong(text('Nodes:')), text(` ${nodes.length ? nodes.join(', ') : 'none named'}${clusterWide ? ' (and cluster-wide findings)' : ''}`)));
    const pods = affectedPods(r);
    if (pods.length) {
      out.push(para(strong(text('Pods affected')), text(` (${pods.length}; the window is that of the first finding naming the pod):`)));
      out.push({
        type: 'table',
        head: ['Pod', 'Node', 'Findings', 'Window', 'Lasted'],
        rows: pods.slice(0, MAX_IMPACT_PODS).map((p) => {
          const window = p.findings[0]!.window;
          const ms = spanMs(window);
          return [[code(p.pod)], [text(p.node ?? '—')], p.findings.flatMap((f, i) => [...(i ? [text(', ')] : []), code(f.id)]), [text(this.window(window))], [text(ms === undefined ? '—' : formatSpan(ms))]];
        }),
      });
      if (pods.length > MAX_IMPACT_PODS) out.push(para(em(`… and ${pods.length - MAX_IMPACT_PODS} more pods (all are in the JSON report's evidence).`)));
    }
    out.push({
      type: 'table',
      head: ['Finding', 'Severity', 'Nodes', 'Window', 'Lasted', 'Facts'],
      rows: live.map((f) => {
        const ms = spanMs(f.window);
        const facts = Object.keys(f.facts ?? {}).sort().map((k) => `${k}=${String(f.facts![k])}`).join(', ');
        return [[link(findingAnchor(f), code(f.id))], [sev(f.severity)], [this.nodesCell(f.nodes)], [text(this.window(f.window))], [text(ms === undefined ? '—' : formatSpan(ms))], [text(facts || '—')]];
      }),
    });
    return out;
  }

  evidenceBlocks(items: readonly ReportEvidence[]): Block[] {
    const out: Block[] = [];
    for (const e of items) {
      const meta: string[] = [];
      if (e.ts) meta.push(this.at(e.ts));
      if (e.node) meta.push(e.node);
      if (e.count !== undefined) meta.push(e.role ? `${e.role} of ${e.count}` : `${e.count} matches`);
      if (e.cursor) meta.push(`cursor ${e.cursor}`);
      if (e.summary) meta.push('parsed, not verbatim');
      out.push(para(code(`${e.path}${e.line !== undefined ? `:${e.line}` : ''}`), ...(meta.length ? [text(` — ${meta.join(' · ')}`)] : [])));
      out.push({ type: 'code', text: e.text });
    }
    return out;
  }

  signalItems(signals: readonly ReportSignal[]): Block[][] {
    return signals.map((s) => [para(text(`${s.state === 'present' ? '✔' : s.state === 'absent' ? '✘' : '?'} `), strong(text(s.name)), text(` — ${s.state}${s.detail ? `: ${s.detail}` : ''}`))]);
  }

  findings(): Block[] {
    const r = this.report;
    const out: Block[] = [heading(2, 'Findings and evidence', 'evidence')];
    const all = sortFindings(r.findings);
    if (all.length === 0) out.push(para(em('No findings.')));
    for (const f of all) {
      out.push(heading(3, [code(f.id), text(` — ${f.title}`)], findingAnchor(f)));
      const meta: Inline[] = [sev(f.severity), text(` · ${f.kind} · confidence ${f.confidence.toFixed(2)} · nodes: ${where(f.nodes)} · window: ${this.window(f.window)}`)];
      if (f.explainedBy?.length) meta.push(text(' · explained by '), ...f.explainedBy.flatMap((id, i) => [...(i ? [text(', ')] : []), code(id)]));
      if (f.causedBy.length) meta.push(text(' · caused by '), ...f.causedBy.flatMap((id, i) => [...(i ? [text(', ')] : []), code(id)]));
      if (f.causes.length) meta.push(text(' · causes '), ...f.causes.flatMap((id, i) => [...(i ? [text(', ')] : []), code(id)]));
      out.push(para(...meta));
      out.push(para(text(f.summary)));
      if (f.signals.length) out.push({ type: 'list', ordered: false, items: this.signalItems(f.signals) });
      if (f.evidence.length) {
        out.push({ type: 'details', summary: [text(`Evidence (${f.evidence.length} line${f.evidence.length === 1 ? '' : 's'})`)], blocks: this.evidenceBlocks(f.evidence) });
      }
      if (f.references.length) {
        out.push(para(em('References:'), text(' '), ...f.references.flatMap((ref, i) => [...(i ? [text('; ')] : []), text(ref)])));
      }
    }
    return out;
  }

  runbook(): Block[] {
    const out: Block[] = [heading(2, 'Recovery runbook', 'runbook')];
    const live = liveFindings(this.report);
    let any = false;
    for (const f of live) {
      const steps = f.runbook.filter((s) => !FOLLOW_UP.test(s.step));
      if (steps.length === 0) continue;
      any = true;
      out.push(heading(3, [text('For '), ...this.findingRef(f)]));
      out.push({
        type: 'list',
        ordered: true,
        items: steps.map((s) => [para(text(s.step)), ...(s.command ? [{ type: 'code', lang: 'sh', text: s.command } as Block] : [])]),
      });
    }
    if (!any) out.push(para(em('Nothing to run: no finding calls for recovery steps.')));
    return out;
  }

  ruledOut(): Block[] {
    const r = this.report;
    const out: Block[] = [heading(2, 'Ruled out', 'ruled-out')];
    const checked: Block[][] = [];
    for (const f of sortFindings(r.findings)) {
      const absent = f.signals.filter((s) => s.state === 'absent');
      const unknown = f.signals.filter((s) => s.state === 'unknown');
      if (!absent.length && !unknown.length) continue;
      const parts: Inline[] = [...this.findingRef(f), text(': ')];
      if (absent.length) parts.push(text(`not seen: ${absent.map((s) => s.name).join('; ')}`));
      if (absent.length && unknown.length) parts.push(text(' — '));
      if (unknown.length) parts.push(text(`could not be checked: ${unknown.map((s) => s.name).join('; ')}`));
      checked.push([para(...parts)]);
    }
    if (checked.length) {
      out.push(heading(3, 'Signals absent or unknown'));
      out.push({ type: 'list', ordered: false, items: checked });
    }
    for (const f of sortFindings(r.findings)) {
      if (!f.differential?.length) continue;
      out.push(heading(3, [text('Differential for '), ...this.findingRef(f)]));
      const names = (sigs: ReportSignal[], state: string) => sigs.filter((s) => s.state === state).map((s) => s.name).join('; ') || '—';
      out.push({
        type: 'table',
        head: ['Candidate', 'Present', 'Absent', 'Unknown', 'Capture next'],
        rows: f.differential.map((d) => [
          [code(d.id)], [text(names(d.signals, 'present'))], [text(names(d.signals, 'absent'))], [text(names(d.signals, 'unknown'))],
          d.capture.length ? d.capture.flatMap((c, i) => [...(i ? [text('; ')] : []), code(c)]) : [text('—')],
        ]),
      });
    }
    out.push(heading(3, 'Look-alike rules evaluated that did not fire'));
    if (r.ruledOut.length === 0) {
      out.push(para(em('None: every rule evaluated fired or reported noise.')));
      return out;
    }
    const described = (sigs: ReportSignal[], state: ReportSignal['state']) =>
      sigs.filter((s) => s.state === state).map((s) => (s.detail ? `${s.name} (${s.detail})` : s.name)).join('; ') || '—';
    out.push({
      type: 'table',
      head: ['Rule', 'Ruled out because (absent)', 'Present', 'Could not check'],
      rows: [...r.ruledOut].sort((a, b) => a.id.localeCompare(b.id)).map((o) => [
        [code(o.id)], [text(described(o.signals, 'absent'))], [text(described(o.signals, 'present'))], [text(described(o.signals, 'unknown'))],
      ]),
    });
    return out;
  }

  noise(): Block[] {
    const r = this.report;
    const out: Block[] = [heading(2, 'Explained noise', 'noise')];
    if (r.noise.length === 0) {
      out.push(para(em('None recognised.')));
      return out;
    }
    const noise = [...r.noise].sort((a, b) => a.id.localeCompare(b.id));
    out.push({
      type: 'table',
      head: ['Noise', 'Count', 'First', 'Last', 'Nodes', 'Why it is benign'],
      rows: noise.map((n) => [[code(n.id)], [text(String(n.count))], [text(this.at(n.first))], [text(this.at(n.last))], [this.nodesCell(n.nodes)], [text(n.explanation)]]),
    });
    for (const n of noise) {
      if (n.evidence.length) out.push({ type: 'details', summary: [code(n.id), text(` — sample lines (${n.evidence.length})`)], blocks: this.evidenceBlocks(n.evidence) });
    }
    return out;
  }

  coverage(): Block[] {
    const r = this.report;
    const out: Block[] = [heading(2, 'Input coverage', 'coverage')];
    const inputs = [...r.inputs].sort((a, b) => a.path.localeCompare(b.path));
    out.push(para(text(`${inputs.length} input(s) read; ${r.rulesEvaluated.length} rule(s) evaluated, ${r.notApplicable.length} not applicable.`)));
    if (inputs.length) {
      out.push({
        type: 'table',
        head: ['Input', 'Kind', 'Node', 'Records', 'Unparsed', 'Skipped'],
        rows: inputs.map((i) => [[code(i.path)], [text(i.kind)], [text(i.node ?? '—')], [text(String(i.records))], [text(String(i.unparsed))], [text(i.skipped ? 'yes' : 'no')]]),
      });
    }
    const list = (title: string, items: Inline[][]) => {
      if (!items.length) return;
      out.push(heading(3, title));
      out.push({ type: 'list', ordered: false, items: items.map((content) => [para(...content)]) });
    };
    list('Skipped', [...r.skipped].sort((a, b) => a.path.localeCompare(b.path)).map((s) => [code(s.path), text(` — ${s.reason}`)]));
    list('Warnings', r.warnings.map((w) => [...(w.path ? [code(w.path), text(' — ')] : []), text(w.message)]));
    list('Assumptions', r.assumptions.map((a) => [text(a)]));
    list('Rule errors', r.engineErrors.map((e) => [code(e.rule), text(` — ${e.message}`)]));
    if (r.notApplicable.length) {
      out.push(heading(3, 'Rules not applicable (missing input)'));
      out.push({
        type: 'list',
        ordered: false,
        items: [...r.notApplicable].sort((a, b) => a.id.localeCompare(b.id)).map((na) => [
          para(code(na.id), text(` — missing: ${na.missing.join('; ')}`)),
          ...(na.capture.length ? [{ type: 'code', lang: 'sh', text: na.capture.join('\n') } as Block] : []),
        ]),
      });
    }
    if (r.unparsed.length) {
      const shown = r.unparsed.slice(0, 20);
      list(`Unparsed lines (${r.unparsed.length})`, [
        ...shown.map((u) => [code(`${u.path}:${u.line}`), text(` — ${u.reason}`)]),
        ...(r.unparsed.length > shown.length ? [[em(`${r.unparsed.length - shown.length} more in the JSON report`)]] : []),
      ]);
    }
    return out;
  }

  followUps(): Block[] {
    const out: Block[] = [heading(2, 'Follow-up actions', 'follow-up')];
    const actions = followUpActions(this.report);
    if (actions.length === 0) {
      out.push(para(em('None.')));
      return out;
    }
    out.push({
      type: 'table',
      head: ['Priority', 'Action', 'From'],
      rows: actions.map((a) => [[sev(a.priority)], [text(a.action), ...(a.command ? [text(' — '), code(a.command)] : [])], [code(a.from)]]),
    });
    return out;
  }
}

export function buildPir(report: Report, options: PirOptions = {}): PirDocument {
  return new Pir(report, options).build();
}

/** Only the timeline (the `timeline` command's Markdown): heading, table, no PIR sections. */
export function buildTimelineDocument(report: Report, options: PirOptions = {}): PirDocument {
  const zone = options.timezone ?? report.timezone;
  const blocks = new Pir(report, { timelineRows: Number.POSITIVE_INFINITY, ...options }).timeline();
  const span = report.capture.start && report.capture.end ? ` — ${formatIsoInZone(report.capture.start, zone)} → ${formatIsoInZone(report.capture.end, zone)}` : '';
  return { title: `Timeline${span}`, blocks: blocks.slice(1) };
}
