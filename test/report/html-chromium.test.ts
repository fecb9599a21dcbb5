import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { renderHtml } from '../../src/report/html.js';
import { SEVERITY_COLOURS } from '../../src/report/svg-timeline.js';
import type { Report } from '../../src/report/types.js';
import { FIXTURES } from './fixture-cases.js';

/**
 * The HTML report of a real fixture, with hostile log lines added to its capture, rendered
 * by headless Chromium (Debian `chromium`, installed by .ci/run): the timeline is drawn and
 * visible, and nothing from the bundle runs or becomes an element. The screenshot is kept in
 * test/.artifacts/ for a human to look at.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '.artifacts');
const ZONE = 'Australia/Brisbane';

/** Each payload would mark the page if it ran; --dump-dom serializes the DOM after scripts ran. */
const PWN = "document.documentElement.setAttribute('data-pwned','1')";
const PAYLOADS = [
  `<script>${PWN}</script>`,
  `<img src=x onerror="${PWN}">`,
  `<svg onload="${PWN}"></svg>`,
  `"><iframe srcdoc="<script>parent.${PWN}</script>"></iframe>`,
];
/** Kubelet lines in the fixture's style that the PLEG rules cite as evidence, each carrying a payload. */
const hostileJournal = PAYLOADS.map((p, i) =>
  `2026-05-18T01:0${i}:00+1000 k8s03 microk8s.daemon-kubelite[1234]: E0518 01:0${i}:00.000000    1234 kubelet.go:2370] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m${i}s ago; threshold is 3m0s" pod=${JSON.stringify(p)}\n`,
).join('');

const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)('HTML report of a fixture in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pleg-html-fixture-'));
  const page = join(dir, 'report.html');
  let report: Report;
  let html: string;

  beforeAll(async () => {
    const bundle = join(dir, 'bundle');
    cpSync(join(FIXTURES, '000-pleg-cni-deadlock'), bundle, { recursive: true });
    writeFileSync(join(bundle, 'k8s03', 'kubelite-extra.log'), hostileJournal);
    report = await analyze(bundle, { timezone: ZONE, inputZone: ZONE });
    html = renderHtml(report);
    writeFileSync(page, html);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const chromium = (args: string[]) =>
    spawnSync(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, ...args, `file://${page}`,
    ], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });

  it('carries the hostile lines as evidence, so the page really holds them', () => {
    const evidence = report.findings.flatMap((f) => f.evidence.map((e) => e.text));
    expect(evidence.some((t) => t.includes('<script>'))).toBe(true);
    expect(html).toContain('&lt;script&gt;document.documentElement.setAttribute');
  });

  it('runs no script from the bundle and creates no element from it', () => {
    const result = chromium(['--dump-dom']);
    expect(result.status, result.stderr).toBe(0);
    const dom = result.stdout;
    expect(dom).not.toContain('data-pwned="1"');
    expect(dom).not.toMatch(/<(script|img|iframe)[\s>]/i);
    expect(dom).not.toMatch(/<svg onload/i);
    expect(dom).toContain('&lt;script&gt;');
    // The timeline: a lane per node, a bar per finding with a window.
    expect([...dom.matchAll(/<g class="lane" data-lane="([^"]+)">/g)].map((m) => m[1])).toEqual(['cluster', 'k8s03']);
    const bars = [...dom.matchAll(/<g class="bar(?: explained)?" data-finding="([^"]+)">/g)].map((m) => m[1]).sort();
    expect(bars).toEqual(report.findings.filter((f) => f.window).map((f) => f.id).sort());
  });

  it('shows the timeline in the screenshot: bars in the severity colours are on screen', () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'report-000-pleg-cni-deadlock.png');
    const result = chromium([`--screenshot=${shot}`, '--window-size=1400,1600', '--hide-scrollbars']);
    expect(result.status, result.stderr).toBe(0);
    const png = PNG.sync.read(readFileSync(shot));
    expect([png.width, png.height]).toEqual([1400, 1600]);
    const pixelsOf = (colour: string) => {
      const [cr, cg, cb] = hex(colour);
      let n = 0;
      for (let i = 0; i < png.data.length; i += 4) {
        if (Math.abs(png.data[i]! - cr) < 8 && Math.abs(png.data[i + 1]! - cg) < 8 && Math.abs(png.data[i + 2]! - cb) < 8) n++;
      }
      return n;
    };
    let painted = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 250 || png.data[i + 1]! < 250 || png.data[i + 2]! < 250) painted++;
    // The medium calico-ipam-full-blocks window spans five hours of the axis (~450 × 18 px); the
    // high pleg-cni-deadlock bar its last hour. A page that failed to draw the SVG has neither.
    expect(pixelsOf(SEVERITY_COLOURS.medium)).toBeGreaterThan(5_000);
    expect(pixelsOf(SEVERITY_COLOURS.high)).toBeGreaterThan(1_000);
    expect(painted / (png.width * png.height)).toBeGreaterThan(0.05);
  });
});

function hex(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
