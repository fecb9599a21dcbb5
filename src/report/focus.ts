import type { ReportFinding, ReportNoise } from './types.js';

/** `--since/--until/--node`: µs since the epoch and a node name. */
export interface ReportFocus {
  since?: number;
  until?: number;
  node?: string;
}

export function isFocused(focus: ReportFocus | undefined): focus is ReportFocus {
  return !!focus && (focus.since !== undefined || focus.until !== undefined || focus.node !== undefined);
}

function overlapsSpan(focus: ReportFocus, start: number, end: number): boolean {
  return (focus.since === undefined || end >= focus.since) && (focus.until === undefined || start <= focus.until);
}

function onNode(focus: ReportFocus, nodes: string[]): boolean {
  return focus.node === undefined || nodes.length === 0 || nodes.includes(focus.node);
}

function findingInFocus(focus: ReportFocus, f: ReportFinding): boolean {
  // A state seen only in the capture has no time of its own: it is shown whatever the span.
  const inTime = !f.window || f.window.observed === true || overlapsSpan(focus, Date.parse(f.window.start) * 1000, Date.parse(f.window.end) * 1000);
  return inTime && onNode(focus, f.nodes);
}

/**
 * The findings a focused report shows: those on the node and overlapping the time span, plus
 * what they are caused or explained by, transitively (a root cause on another node), so the
 * chain behind every finding shown stays whole.
 */
export function focusFindings(findings: ReportFinding[], focus: ReportFocus): { kept: ReportFinding[]; hidden: number } {
  const kept = new Set(findings.filter((f) => findingInFocus(focus, f)));
  const queue = [...kept];
  while (queue.length) {
    const f = queue.pop()!;
    const upstream = new Set([...f.causedBy, ...(f.explainedBy ?? [])]);
    for (const other of findings) {
      if (!kept.has(other) && upstream.has(other.id)) {
        kept.add(other);
        queue.push(other);
      }
    }
  }
  return { kept: findings.filter((f) => kept.has(f)), hidden: findings.length - kept.size };
}

export function focusNoise(noise: ReportNoise[], focus: ReportFocus): ReportNoise[] {
  return noise.filter((n) => {
    const start = n.first ? Date.parse(n.first) * 1000 : undefined;
    const end = n.last ? Date.parse(n.last) * 1000 : start;
    const inTime = start === undefined || overlapsSpan(focus, start, end!);
    return inTime && onNode(focus, n.nodes);
  });
}

export function describeFocus(focus: ReportFocus, hidden: number, iso: (micros: number) => string): string {
  const parts = [
    focus.node !== undefined ? `node ${focus.node}` : undefined,
    focus.since !== undefined ? `from ${iso(focus.since)}` : undefined,
    focus.until !== undefined ? `until ${iso(focus.until)}` : undefined,
  ].filter(Boolean);
  const what = hidden ? `; ${hidden} finding(s) outside it are not shown (run without --node/--since/--until to see every finding)` : '';
  return `report focused (${parts.join(', ')}): findings, noise and timeline${what}`;
}
