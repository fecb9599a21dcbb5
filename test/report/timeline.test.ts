import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { userTimeToMicros } from '../../src/model/time.js';
import type { ReportFocus } from '../../src/report/focus.js';
import { stateTimeline } from '../../src/report/timeline-state.js';
import type { Report } from '../../src/report/types.js';
import { container, pod } from '../support/cluster-builders.js';
import { FIXTURES } from './fixture-cases.js';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const KINE = join(FIXTURES, '002-kine-watch-vxlan');
const REBOOT = join(FIXTURES, '003-simultaneous-reboot');
const ZONE = 'Australia/Brisbane';
const us = (iso: string) => Date.parse(iso) * 1000;

function fixture(dir: string, focus?: ReportFocus): Promise<Report> {
  return analyze(dir, { timezone: ZONE, inputZone: ZONE, ...(focus ? { focus } : {}) });
}

describe('timeline: pod and node state changes', () => {
  it('dates the stuck redis pod\'s deletion request and its containers\' terminations (002)', async () => {
    const report = await fixture(KINE);
    const states = report.timeline.filter((e) => e.kind === 'state');
    expect(states).toContainEqual({
      ts: '2026-05-18T04:26:35.000Z', node: 'k8s03', source: 'kubernetes-state', kind: 'state',
      text: 'argocd/argocd-redis-ha-server-2: pod deletion requested (phase Running)',
    });
    expect(states.some((e) => e.node === 'k8s03' && e.text.startsWith('argocd/argocd-redis-ha-server-2: container redis terminated'))).toBe(true);
    // Snapshot times from before the capture (pods created weeks earlier) are not incident history.
    expect(states.every((e) => e.ts >= report.capture.start!)).toBe(true);
  });

  it('collapses many pods changing alike in the same second on the same node, and keeps node changes apart', () => {
    const created = '2026-06-05T06:02:00Z';
    const pods = ['a', 'b', 'c', 'd', 'e'].map((n, i) => pod({ namespace: 'default', name: `web-${n}`, node: 'k8s02', created, line: i + 1 }));
    const few = ['x', 'y'].map((n, i) => pod({ namespace: 'default', name: `db-${n}`, node: 'k8s01', created, line: 10 + i }));
    const crashed = pod({
      namespace: 'kube-system', name: 'coredns-1', node: 'k8s01', created: '2026-06-05T06:00:00Z', line: 20, phase: 'Running',
      containers: [container('coredns', 'running', { restartCount: 4, startedAt: us('2026-06-05T06:03:00Z'), lastTerminated: { reason: 'Error', exitCode: 2, finishedAt: us('2026-06-05T06:02:59Z') } })],
    });
    const nodes = [{ name: 'k8s02', ready: { type: 'Ready', status: 'False', reason: 'KubeletNotReady', lastTransitionTime: us('2026-06-05T06:02:00Z') }, unschedulable: false, annotations: {}, labels: {}, source: { path: 'nodes.json', line: 1 } }];
    const entries = stateTimeline({ pods: [...pods, ...few, crashed], nodes });
    const texts = entries.map((e) => `${e.node} ${e.text}`);
    expect(texts).toContain('k8s02 pod created ×5: default/web-a, default/web-b, default/web-c, …');
    expect(entries.find((e) => e.text.startsWith('pod created ×5'))?.count).toBe(5);
    expect(texts).toContain('k8s01 default/db-x: pod created');
    expect(texts).toContain('k8s01 default/db-y: pod created');
    expect(texts).toContain('k8s01 kube-system/coredns-1: container coredns terminated (Error, exit code 2), restarted 4×');
    expect(texts).toContain('k8s01 kube-system/coredns-1: container coredns started');
    expect(texts).toContain('k8s02 node not Ready (KubeletNotReady)');
  });
});

describe('timeline: finding windows', () => {
  it('marks where each finding window begins and where it ends: last seen, or still ongoing at capture end', async () => {
    const report = await fixture(REBOOT);
    const marks = (id: string) => report.timeline.filter((e) => e.kind === 'finding' && e.findings?.includes(id)).map((e) => [e.ts, e.text.split(':')[0]]);
    const reboot = report.findings.find((f) => f.id === 'simultaneous-reboot')!;
    expect(marks('simultaneous-reboot')).toEqual([
      [reboot.window!.start, 'simultaneous-reboot begins'],
      [reboot.window!.end, 'simultaneous-reboot last seen'],
    ]);
    const dqlite = report.findings.find((f) => f.id === 'dqlite-write-path-failure')!;
    expect(dqlite.window!.end).toBe(report.capture.end);
    expect(marks('dqlite-write-path-failure')).toEqual([
      [dqlite.window!.start, 'dqlite-write-path-failure begins'],
      [dqlite.window!.end, 'dqlite-write-path-failure still ongoing when the capture ends'],
    ]);
  });

  it('is one time-ordered list', async () => {
    const { timeline } = await fixture(REBOOT);
    expect(timeline.map((e) => e.ts)).toEqual([...timeline.map((e) => e.ts)].sort());
  });
});

describe('focus: --since / --until / --node', () => {
  it('--since/--until keep only timeline entries inside the span, findings overlapping it, and say so', async () => {
    const since = us('2026-06-04T20:05:00Z');
    const until = us('2026-06-04T20:15:00Z');
    const whole = await fixture(REBOOT);
    const report = await fixture(REBOOT, { since, until });
    expect(report.timeline.length).toBeGreaterThan(0);
    expect(report.timeline.every((e) => us(e.ts) >= since && us(e.ts) <= until)).toBe(true);
    expect(report.timeline.length).toBeLessThan(whole.timeline.length);
    // simultaneous-reboot ended at 20:02:29 but is kept: it is upstream of findings inside the span.
    expect(report.findings.map((f) => f.id)).toContain('simultaneous-reboot');
    expect(report.assumptions.at(-1)).toMatch(/^report focused \(from 2026-06-04T20:05:00.000Z, until 2026-06-04T20:15:00.000Z\)/);
    // coredns-single-replica is a Deployment spec with no time of its own: kept whatever the span.
    expect(whole.findings.find((f) => f.id === 'coredns-single-replica')?.window?.observed).toBe(true);
    expect(report.findings.map((f) => f.id)).toContain('coredns-single-replica');
  });

  it('--node keeps that node\'s findings and their root causes on other nodes, and hides the rest', async () => {
    const report = await fixture(KINE, { node: 'k8s01' });
    const ids = report.findings.map((f) => `${f.id}@${f.nodes.join(',')}`).sort();
    expect(ids).toEqual(['calico-outdated@', 'kine-watch-corruption@k8s03', 'vxlan-route-stale-vtep@k8s01,k8s02']);
    expect(report.assumptions.at(-1)).toContain('2 finding(s) outside it are not shown');
    expect(report.timeline.every((e) => e.node === undefined || e.node.split(',').includes('k8s01'))).toBe(true);
    expect(report.timeline.some((e) => e.node === 'k8s01')).toBe(true);
  });

  it('warns about a node the capture does not have', async () => {
    const report = await fixture(KINE, { node: 'k8s09' });
    expect(report.warnings).toContainEqual({ path: '--node', message: 'no node "k8s09" in this capture (nodes seen: k8s01, k8s02, k8s03)' });
  });

  it('reads a zone-less --since in --tz, and rejects what is not a time with one line (CLI)', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    const ok = run('timeline', KINE, '--tz', ZONE, '--input-tz', ZONE, '--since', '2026-05-18 14:00', '--until', '2026-05-18T14:30', '--format', 'json');
    expect(ok.status).toBe(0);
    const { timeline } = JSON.parse(ok.stdout) as Report;
    expect(timeline.length).toBeGreaterThan(0);
    expect(timeline.every((e) => e.ts >= '2026-05-18T04:00:00.000Z' && e.ts <= '2026-05-18T04:30:00.000Z')).toBe(true);

    const bad = run('timeline', KINE, '--since', 'yesterday');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--since: "yesterday" is not a time');
  });
});

describe('userTimeToMicros', () => {
  it('reads dates, minutes and seconds in the given zone unless a zone is written', () => {
    expect(userTimeToMicros('2026-05-18 14:00', ZONE)).toBe(us('2026-05-18T04:00:00Z'));
    expect(userTimeToMicros('2026-05-18', ZONE)).toBe(us('2026-05-17T14:00:00Z'));
    expect(userTimeToMicros('2026-05-18T14:00:30.5', 'UTC')).toBe(us('2026-05-18T14:00:30.500Z'));
    expect(userTimeToMicros('2026-05-18T14:00:00+02:00', ZONE)).toBe(us('2026-05-18T12:00:00Z'));
    expect(userTimeToMicros('2026-05-18T14:00Z', ZONE)).toBe(us('2026-05-18T14:00:00Z'));
  });

  it('refuses what is not a time', () => {
    for (const text of ['yesterday', '2026-13-01', '2026-05-18 25:00', '2026-05-18T14', '18/05/2026']) expect(userTimeToMicros(text, 'UTC')).toBeUndefined();
  });
});
