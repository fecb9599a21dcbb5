import { headlineFinding } from './pir.js';
import Table from 'cli-table3';
import { oneLine, visibleControls } from './sanitize.js';
import type { Report, ReportFinding, Severity } from './types.js';
import { formatIsoInZone } from './zone.js';

export interface TextOptions {
  /** Terminal width in columns (80 when not a TTY). */
  width: number;
  /** ANSI colours: only for a TTY and when NO_COLOR is unset (decided by the caller). */
  color: boolean;
  /** How many timeline entries to show. */
  timelineEntries?: number;
}

const SEVERITY_COLOUR: Record<Severity, string> = {
  critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m',
};
const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';

function paint(text: string, code: string, color: boolean): string {
  return color ? `${code}${text}${RESET}` : text;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

function findingsTable(report: Report, options: TextOptions): string {
  const live = report.findings.filter((f) => !f.explainedBy);
  if (live.length === 0) return 'No findings.';
  const width = Math.max(60, options.width);
  const nodesText = (f: ReportFinding) => f.nodes.join(', ') || 'cluster';
  const longestNodes = Math.max(...live.map((f) => nodesText(f).length)) + 2;
  const fixed = { sev: 10, conf: 6, nodes: Math.min(longestNodes, 18, Math.floor(width * 0.15)) };
  const rest = width - fixed.sev - fixed.conf - fixed.nodes - 13;
  // Rule ids are what `explain` takes: shown whole whenever the title keeps 16 columns.
  const longestId = Math.max(...live.map((f) => f.id.length)) + 2;
  const idWidth = Math.max(18, Math.min(longestId, rest - 16));
  const titleWidth = Math.max(16, rest - idWidth);
  const table = new Table({
    head: ['severity', 'finding', 'nodes', 'conf', 'what'],
    colWidths: [fixed.sev, idWidth, fixed.nodes, fixed.conf, titleWidth],
    wordWrap: true,
    style: { head: options.color ? ['bold'] : [], border: options.color ? ['grey'] : [] },
  });
  for (const f of live) {
    table.push([
      paint(f.severity, SEVERITY_COLOUR[f.severity], options.color),
      f.id,
      nodesText(f),
      f.confidence.toFixed(2),
      clip(oneLine(f.title), titleWidth * 3),
    ]);
  }
  return table.toString();
}

/** The terminal report: findings table, the top of the timeline, the runbook of the finding the PIR is titled after. */
export function renderText(report: Report, options: TextOptions): string {
  const zone = report.timezone;
  const out: string[] = [];
  const span = report.capture.start && report.capture.end
    ? `${formatIsoInZone(report.capture.start, zone)} → ${formatIsoInZone(report.capture.end, zone)}`
    : 'no timestamps';
  out.push(paint(`pleg-analyze ${report.tool.version}`, BOLD, options.color) + ` — ${report.inputs.length} input(s), capture ${span}`);
  out.push('');
  out.push(findingsTable(report, options));

  const explained = report.findings.filter((f) => f.explainedBy);
  if (explained.length) {
    out.push('');
    out.push(`Explained symptoms: ${explained.map((f) => `${f.id} (${f.nodes.join(', ')}) ← ${f.explainedBy!.join(', ')}`).join('; ')}`);
  }
  if (report.noise.length) {
    out.push(`Known noise: ${report.noise.map((n) => `${n.id} ×${n.count}`).join(', ')}`);
  }

  const top = headlineFinding(report);
  if (top) {
    out.push('');
    out.push(paint(`${top.id} — ${oneLine(top.title)}`, BOLD, options.color));
    out.push(visibleControls(top.summary));
    if (top.evidence.length) {
      out.push('');
      out.push('Evidence:');
      for (const e of top.evidence.slice(0, 6)) {
        const where = `${e.path}${e.line !== undefined ? `:${e.line}` : ''}`;
        const count = e.count ? (e.role ? ` [${e.role} of ${e.count}]` : ` [×${e.count}]`) : '';
        out.push(`  ${where}${count}`);
        out.push(`    ${clip(oneLine(e.text), options.width * 2)}`);
      }
    }
    out.push('');
    out.push('Runbook:');
    top.runbook.forEach((s, i) => {
      out.push(`  ${i + 1}. ${visibleControls(s.step)}`);
      if (s.command) out.push(`     $ ${visibleControls(s.command)}`);
    });
  }

  // The terminal shows the skeleton (capture, boots, restarts, findings, events); every line and pod change is in `timeline`.
  const skeleton = report.timeline.filter((t) => (t.kind !== 'signal' && t.kind !== 'state') || t.source === 'capture' || t.findings);
  const entries = skeleton.slice(0, options.timelineEntries ?? 15);
  if (entries.length) {
    out.push('');
    out.push(`Timeline (${zone}):`);
    for (const t of entries) {
      const label = t.source === 'capture' ? 'capture' : t.kind;
      out.push(`  ${formatIsoInZone(t.ts, zone)}  ${clip(`${t.node ? `[${t.node}] ` : ''}${label}: ${oneLine(t.text)}`, Math.max(40, options.width - 28))}`);
    }
    const more = report.timeline.length - entries.length;
    if (more > 0) out.push(`  … ${more} more entries (log signals, pod changes, later events): pleg-analyze timeline <inputs>`);
  }
  if (report.warnings.length || report.skipped.length || report.engineErrors.length || report.notApplicable.length) {
    out.push('');
    const parts = [];
    if (report.warnings.length) parts.push(`${report.warnings.length} warning(s)`);
    if (report.skipped.length) parts.push(`${report.skipped.length} skipped member(s)`);
    if (report.notApplicable.length) parts.push(`${report.notApplicable.length} rule(s) not applicable for lack of input`);
    if (report.engineErrors.length) parts.push(`${report.engineErrors.length} rule error(s)`);
    out.push(`Coverage: ${parts.join(', ')} — see --format json or md for details.`);
  }
  return `${out.join('\n')}\n`;
}

/** `pleg-analyze timeline`: the merged timeline, one entry per line, in the report's zone. */
export function renderTimelineText(report: Report, options: TextOptions): string {
  const zone = report.timezone;
  const lines = report.timeline.map((t) => {
    const where = t.node ? `[${t.node}] ` : '';
    const count = t.count && t.count > 1 && !/×/.test(t.text) ? ` ×${t.count}` : '';
    return `${formatIsoInZone(t.ts, zone)}  ${where}${t.kind.padEnd(8)} ${clip(oneLine(`${t.source}: ${t.text}${count}`), Math.max(40, options.width - 34))}`;
  });
  return `${lines.join('\n')}\n`;
}
