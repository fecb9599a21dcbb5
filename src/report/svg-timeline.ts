import { DateTime } from 'luxon';
import { escapeHtml, oneLine } from './sanitize.js';
import type { Report, Severity } from './types.js';
import { formatIsoInZone, zoneAbbreviation } from './zone.js';

/**
 * The swimlane timeline as inline SVG: one lane for the cluster and one per node, finding
 * windows as bars coloured by severity (explained symptoms hatched), unit restarts and boots
 * as markers, and a time axis labelled in the chosen zone. Every bundle string is escaped.
 */

export const SEVERITY_COLOURS: Record<Severity, string> = {
  critical: '#7f1d1d', high: '#dc2626', medium: '#d97706', low: '#0284c7', info: '#6b7280',
};

const WIDTH = 1200;
const LABEL = 130;
const PLOT = WIDTH - LABEL - 20;
const ROW = 18;
const LANE_PAD = 8;
const AXIS = 30;
const MIN_LANE = 26;

const STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

interface Bar { start: number; end: number; id: string; severity: Severity; explained: boolean; title: string }
interface Marker { at: number; kind: 'restart' | 'boot'; title: string }

const CLUSTER = 'cluster';

function lanesOf(nodes: readonly string[] | undefined): string[] {
  return nodes && nodes.length ? [...nodes] : [CLUSTER];
}

function ms(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** Rows inside a lane so overlapping bars do not hide each other (greedy interval packing). */
function pack(bars: Bar[], pxPerMs: number): Array<Bar & { row: number }> {
  const rowsEnd: number[] = [];
  return [...bars]
    .sort((a, b) => a.start - b.start || a.id.localeCompare(b.id))
    .map((bar) => {
      const endPx = Math.max(bar.end * pxPerMs, bar.start * pxPerMs + 4);
      let row = rowsEnd.findIndex((end) => end <= bar.start * pxPerMs - 2);
      if (row < 0) row = rowsEnd.push(0) - 1;
      rowsEnd[row] = endPx;
      return { ...bar, row };
    });
}

export function renderSvgTimeline(report: Report, zone: string = report.timezone): string {
  const bars = new Map<string, Bar[]>();
  const markers = new Map<string, Marker[]>();
  const laneNames = new Set<string>([CLUSTER]);
  for (const i of report.inputs) if (i.node) laneNames.add(i.node);
  for (const f of report.findings) for (const n of f.nodes) laneNames.add(n);

  const times: number[] = [];
  for (const t of [ms(report.capture.start), ms(report.capture.end)]) if (t !== undefined) times.push(t);
  for (const f of report.findings) {
    const start = ms(f.window?.start);
    const end = ms(f.window?.end);
    if (start === undefined || end === undefined) continue;
    times.push(start, end);
    for (const lane of lanesOf(f.nodes)) {
      bars.set(lane, [...(bars.get(lane) ?? []), {
        start, end, id: f.id, severity: f.severity, explained: Boolean(f.explainedBy),
        title: `${f.id} (${f.severity}${f.explainedBy ? `, explained by ${f.explainedBy.join(', ')}` : ''}): ${formatIsoInZone(f.window!.start, zone)} → ${formatIsoInZone(f.window!.end, zone)}`,
      }]);
    }
  }
  for (const t of report.timeline) {
    if (t.kind !== 'restart' && t.kind !== 'boot') continue;
    const at = ms(t.ts);
    if (at === undefined) continue;
    times.push(at);
    for (const lane of lanesOf(t.node?.split(',').filter(Boolean))) {
      laneNames.add(lane);
      markers.set(lane, [...(markers.get(lane) ?? []), { at, kind: t.kind, title: `${formatIsoInZone(t.ts, zone)} ${t.kind}: ${oneLine(t.text)}` }]);
    }
  }
  const lanes = [CLUSTER, ...[...laneNames].filter((l) => l !== CLUSTER).sort()];
  if (times.length === 0) {
    return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="40" role="img" aria-label="timeline"><text x="10" y="25" class="empty">No timestamps in the capture.</text></svg>`;
  }

  const t0 = Math.min(...times);
  const t1 = Math.max(Math.max(...times), t0 + 60_000);
  const pxPerMs = PLOT / (t1 - t0);
  const x = (t: number) => LABEL + (t - t0) * pxPerMs;
  const fmt = (n: number) => n.toFixed(1);

  const parts: string[] = [];
  let y = AXIS;
  for (const lane of lanes) {
    const packed = pack((bars.get(lane) ?? []).map((b) => ({ ...b, start: b.start - t0, end: b.end - t0 })), pxPerMs);
    const rows = Math.max(1, ...packed.map((b) => b.row + 1));
    const height = Math.max(MIN_LANE, rows * ROW + LANE_PAD);
    const out: string[] = [];
    out.push(`<g class="lane" data-lane="${escapeHtml(lane)}">`);
    out.push(`<rect class="lane-bg" x="0" y="${y}" width="${WIDTH}" height="${height}"/>`);
    out.push(`<text class="lane-label" x="8" y="${y + height / 2 + 4}">${escapeHtml(lane)}</text>`);
    for (const b of packed) {
      const bx = x(b.start + t0);
      const bw = Math.max(4, (b.end - b.start) * pxPerMs);
      const by = y + LANE_PAD / 2 + b.row * ROW;
      out.push(
        `<g class="bar${b.explained ? ' explained' : ''}" data-finding="${escapeHtml(b.id)}"><title>${escapeHtml(b.title)}</title>` +
          `<rect class="sev-${b.severity}" x="${fmt(bx)}" y="${by + 1}" width="${fmt(bw)}" height="${ROW - 3}" rx="3" fill="${SEVERITY_COLOURS[b.severity]}"${b.explained ? ' fill-opacity="0.35" stroke-dasharray="3 2"' : ''} stroke="${SEVERITY_COLOURS[b.severity]}"/>` +
          (bw > b.id.length * 6.5 + 8 ? `<text class="bar-label" x="${fmt(bx + 4)}" y="${by + ROW - 6}">${escapeHtml(b.id)}</text>` : '') +
          '</g>',
      );
    }
    for (const m of (markers.get(lane) ?? []).sort((a, b) => a.at - b.at || a.title.localeCompare(b.title))) {
      const mx = x(m.at);
      const my = y + height / 2;
      const shape = m.kind === 'boot'
        ? `<path d="M${fmt(mx)} ${fmt(my - 7)} L${fmt(mx + 6)} ${fmt(my)} L${fmt(mx)} ${fmt(my + 7)} L${fmt(mx - 6)} ${fmt(my)} Z"/>`
        : `<path d="M${fmt(mx - 5)} ${fmt(my + 6)} L${fmt(mx + 5)} ${fmt(my + 6)} L${fmt(mx)} ${fmt(my - 6)} Z"/>`;
      out.push(`<g class="marker ${m.kind}"><title>${escapeHtml(m.title)}</title>${shape}</g>`);
    }
    out.push('</g>');
    parts.push(out.join(''));
    y += height;
  }

  const axis: string[] = [];
  const spanMin = (t1 - t0) / 60_000;
  // Beyond a week per tick, whole days: at most ~10 labels whatever the span.
  const stepMin = STEPS_MIN.find((s) => spanMin / s <= 10) ?? Math.ceil(spanMin / 10 / 1440) * 1440;
  const stepMs = stepMin * 60_000;
  const offsetMs = DateTime.fromMillis(t0, { zone }).offset * 60_000;
  let prevDay = '';
  for (let t = Math.ceil((t0 + offsetMs) / stepMs) * stepMs - offsetMs; t <= t1; t += stepMs) {
    const dt = DateTime.fromMillis(t, { zone });
    const day = dt.toFormat('yyyy-MM-dd');
    const label = day !== prevDay ? dt.toFormat('MM-dd HH:mm') : dt.toFormat('HH:mm');
    prevDay = day;
    const tx = fmt(x(t));
    axis.push(`<g class="tick"><line x1="${tx}" y1="${AXIS - 4}" x2="${tx}" y2="${y}"/><text x="${tx}" y="${AXIS - 8}">${escapeHtml(label)}</text></g>`);
  }
  const capture: string[] = [];
  for (const [label, iso] of [['capture start', report.capture.start], ['capture end', report.capture.end]] as const) {
    const t = ms(iso);
    if (t === undefined) continue;
    capture.push(`<line class="capture-edge" x1="${fmt(x(t))}" y1="${AXIS}" x2="${fmt(x(t))}" y2="${y}"><title>${escapeHtml(`${label}: ${formatIsoInZone(iso!, zone)}`)}</title></line>`);
  }
  const caption = `Times in ${zone} (${zoneAbbreviation(zone, t0 * 1000)})`;
  const height = y + 24;
  return [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(`Timeline, ${caption}`)}">`,
    '<style>.lane-bg{fill:#fff;stroke:#e5e7eb}.lane:nth-of-type(even) .lane-bg{fill:#f9fafb}.lane-label{font:600 12px sans-serif;fill:#111827}',
    '.tick line{stroke:#d1d5db;stroke-width:1}.tick text{font:11px sans-serif;fill:#374151;text-anchor:middle}.bar-label{font:11px sans-serif;fill:#fff;pointer-events:none}',
    '.bar.explained .bar-label{fill:#111827}.marker.restart path{fill:#7c3aed}.marker.boot path{fill:#059669}.capture-edge{stroke:#111827;stroke-dasharray:4 3}',
    '.axis-caption{font:11px sans-serif;fill:#6b7280}</style>',
    `<g class="axis">${axis.join('')}</g>`,
    ...parts,
    capture.join(''),
    `<text class="axis-caption" x="${LABEL}" y="${height - 8}">${escapeHtml(caption)} · bars: finding windows by severity (faded = explained symptom) · ▲ restart · ◆ boot</text>`,
    '</svg>',
  ].join('\n');
}
