import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, renderHtml } from '../../src/report/html.js';
import { renderSvgTimeline } from '../../src/report/svg-timeline.js';
import { sampleReport } from '../data/report/sample-report.js';

const html = renderHtml(sampleReport());

/** The page with every <pre> block and every escaped entity removed: what could be markup. */
const markup = (page: string) => page.replace(/<pre><code[^>]*>[\s\S]*?<\/code><\/pre>/g, '');

describe('renderHtml', () => {
  it('is one self-contained document with a CSP that forbids script and remote loads', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`);
    expect(CONTENT_SECURITY_POLICY).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<script|<link|<iframe|<object|<embed|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    // The only URL-ish strings are namespace declarations and in-page anchors.
    for (const m of html.matchAll(/(?:href|src)="([^"]*)"/g)) expect(m[1]).toMatch(/^#[a-z0-9-]+$/);
  });

  it('escapes every bundle string: hostile HTML becomes text', () => {
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('BackOff kube-system/calico-kube-controllers: &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('truncated member &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('level=info msg=&quot;pod &lt;script&gt;alert(1)&lt;/script&gt; sandbox&quot; \\x1b[31mRED\\x1b[0m\n```\nnot a fence end');
    expect(html).not.toContain('\x1b');
    // No tag carries an event handler; `onerror=` survives only inside escaped text.
    expect(markup(html)).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
  });

  it('has the PIR sections, findings with anchors, evidence in <details>', () => {
    const h2 = [...html.matchAll(/<h2 id="([a-z-]+)">/g)].map((m) => m[1]);
    expect(h2).toEqual(['summary', 'timeline', 'root-causes', 'impact', 'evidence', 'runbook', 'ruled-out', 'noise', 'coverage', 'follow-up']);
    expect(html).toContain('<h3 id="finding-pleg-cni-deadlock-k8s03"><code>pleg-cni-deadlock</code> — Generic PLEG relist serialized behind a blocked CNI ADD</h3>');
    expect(html).toContain('<details><summary>Evidence (3 lines)</summary>');
    expect(html).toContain('<a href="#finding-calico-ipam-full-blocks-k8s03"><code>calico-ipam-full-blocks</code></a>');
    expect(html).toContain('<pre><code class="language-sh">kubectl cordon k8s03</code></pre>');
    expect(html).toContain('<span class="sev sev-high">high</span>');
  });

  it('is deterministic', () => {
    expect(renderHtml(sampleReport())).toBe(html);
  });
});

describe('renderSvgTimeline', () => {
  const svg = renderSvgTimeline(sampleReport());

  it('draws a cluster lane and one lane per node, in order', () => {
    expect([...svg.matchAll(/<g class="lane" data-lane="([^"]+)">/g)].map((m) => m[1])).toEqual(['cluster', 'k8s01', 'k8s03']);
  });

  it('draws finding windows as bars coloured by severity, explained symptoms faded', () => {
    const bars = [...svg.matchAll(/<g class="bar( explained)?" data-finding="([^"]+)">/g)].map((m) => `${m[2]}${m[1] ? ' (explained)' : ''}`);
    expect(bars.sort()).toEqual(['calico-kube-controllers-tombstone-panic', 'kubelet-silent (explained)', 'pleg-cni-deadlock']);
    expect(svg).toMatch(/<rect class="sev-high" [^>]*fill="#dc2626"/);
    expect(svg).toMatch(/<rect class="sev-medium" [^>]*fill-opacity="0.35"/);
  });

  it('marks restarts and boots, and labels the axis in the zone', () => {
    expect(svg.match(/<g class="marker restart">/g)).toHaveLength(1);
    expect(svg.match(/<g class="marker boot">/g)).toHaveLength(1);
    const ticks = [...svg.matchAll(/<g class="tick">.*?<text[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(ticks[0]).toBe('05-17 23:30');
    expect(ticks).toContain('05-18 00:00');
    expect(ticks).toContain('00:10');
    expect(svg).toContain('Times in Australia/Brisbane (AEST)');
    const utc = renderSvgTimeline(sampleReport(), 'UTC');
    expect([...utc.matchAll(/<g class="tick">.*?<text[^>]*>([^<]+)<\/text>/g)].map((m) => m[1])[0]).toBe('05-17 13:30');
  });

  it('says so when there is no timestamp at all', () => {
    const r = { ...sampleReport(), capture: {}, timeline: [], findings: [] };
    expect(renderSvgTimeline(r)).toContain('No timestamps in the capture.');
  });
});

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)('renderHtml in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pleg-html-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const page = join(dir, 'report.html');
  writeFileSync(page, html);

  const chromium = (args: string[]) =>
    spawnSync(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, ...args, `file://${page}`,
    ], { encoding: 'utf8', timeout: 60_000 });

  it('renders the timeline SVG and shows hostile strings as text, creating no element from them', () => {
    const result = chromium(['--dump-dom']);
    expect(result.status, result.stderr).toBe(0);
    const dom = result.stdout;
    expect(dom).toContain('<svg class="timeline"');
    expect([...dom.matchAll(/<g class="lane" data-lane="([^"]+)">/g)].map((m) => m[1])).toEqual(['cluster', 'k8s01', 'k8s03']);
    expect(dom.match(/<g class="bar[ "]/g)?.length).toBe(3);
    // The DOM serializer escapes text nodes: the payload is there as text, never as an element.
    expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(dom).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(dom).not.toMatch(/<script[\s>]/i);
    expect(dom).not.toMatch(/<img[\s>]/i);
    expect(dom.match(/<details>/g)?.length).toBeGreaterThanOrEqual(5);
  });

  it('takes a non-trivial screenshot', () => {
    const shot = join(dir, 'shot.png');
    const result = chromium([`--screenshot=${shot}`, '--window-size=1400,2000']);
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(shot)).toBe(true);
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1400);
    expect(png.readUInt32BE(20)).toBe(2000);
    // A blank page compresses to a few KB; a rendered report with text, tables and SVG does not.
    expect(statSync(shot).size).toBeGreaterThan(50_000);
  });
});

describe('renderSvgTimeline on a long span', () => {
  it('keeps the axis to about ten labels even over months', () => {
    const r = sampleReport();
    r.capture.end = '2026-11-22T08:14:09.661Z';
    const svg = renderSvgTimeline(r);
    const ticks = [...svg.matchAll(/<g class="tick">/g)].length;
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(ticks).toBeLessThanOrEqual(11);
  });
});
