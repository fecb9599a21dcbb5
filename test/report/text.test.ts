import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { renderText, renderTimelineText } from '../../src/report/text.js';
import type { Report } from '../../src/report/types.js';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', '000-pleg-cni-deadlock');
const ANSI = /\x1b\[/;

let report: Report;
beforeAll(async () => {
  report = await analyze(FIXTURE, { timezone: 'Australia/Brisbane' });
});

describe('renderText (000-pleg-cni-deadlock)', () => {
  it('shows every standing finding with its whole rule id, within the width', () => {
    const text = renderText(report, { width: 100, color: false });
    const table = text.split('\n').filter((l) => /^[┌│├└]/.test(l));
    for (const line of table) expect([...line].length).toBeLessThanOrEqual(100);
    for (const f of report.findings.filter((x) => !x.explainedBy)) expect(text).toContain(`│ ${f.id} `);
    expect(text).toContain('Explained symptoms: kubelet-silent (k8s03) ← pleg-cni-deadlock');
    expect(text).toMatch(/Known noise: container-event-discarded ×\d+/);
  });

  it('gives the runbook of the finding the PIR is titled after (the k8s03 deadlock), not an alphabetical tie', () => {
    const text = renderText(report, { width: 100, color: false });
    const runbook = text.slice(text.indexOf('\nRunbook:'));
    expect(text).toContain('\npleg-cni-deadlock — Generic PLEG relist serialized behind a blocked CNI ADD\n');
    expect(runbook).toMatch(/k8s03/);
  });

  it('colours only when asked, and prints times in the report zone', () => {
    expect(renderText(report, { width: 100, color: false })).not.toMatch(ANSI);
    expect(renderText(report, { width: 100, color: true })).toMatch(ANSI);
    expect(renderText(report, { width: 100, color: false })).toMatch(/capture 2026-05-17 \d\d:\d\d:\d\d AEST → 2026-05-18 \d\d:\d\d:\d\d AEST/);
  });

  it('shows the skeleton of the timeline (no log-signal or pod-change lines) and says where the rest is', () => {
    const text = renderText(report, { width: 120, color: false });
    const section = text.slice(text.indexOf('\nTimeline ('), text.indexOf('\n\n', text.indexOf('\nTimeline (') + 1));
    const lines = section.trim().split('\n').slice(1);
    expect(report.timeline.some((e) => e.kind === 'state')).toBe(true);
    expect(lines.filter((l) => / (state|signal): /.test(l))).toEqual([]);
    expect(lines.at(-1)).toMatch(/^  … \d+ more entries \(log signals, pod changes, later events\): pleg-analyze timeline <inputs>$/);
  });

  it('timeline: one line per entry, in order, in the zone', () => {
    const lines = renderTimelineText(report, { width: 120, color: false }).trimEnd().split('\n');
    expect(lines).toHaveLength(report.timeline.length);
    expect(lines.every((l) => / AEST  /.test(l))).toBe(true);
    expect(lines.some((l) => /\[k8s03\] finding +pleg-analyze: pleg-cni-deadlock begins/.test(l))).toBe(true);
  });
});
