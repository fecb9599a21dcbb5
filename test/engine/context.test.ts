import { describe, expect, it } from 'vitest';
import { createRuleContext } from '../../src/engine/context.js';
import { computeConfidence } from '../../src/engine/confidence.js';
import { cappedEvidence } from '../../src/engine/evidence.js';
import { fillTemplate } from '../../src/engine/runbook.js';
import { EventStore } from '../../src/engine/store.js';
import { isoToMicros, MICROS_PER_MINUTE } from '../../src/model/time.js';
import { KUBELITE_UNIT, CONTAINERD_UNIT } from '../../src/model/units.js';
import { rec } from '../support/rule-tester.js';

const KL = KUBELITE_UNIT;
const CD = CONTAINERD_UNIT;
const PATH = 'k8s03/journal.log';

/** kubelite logs every 20 s from 00:00 to 00:10, then stops; containerd logs until 00:30. */
function stalledNode(): EventStore {
  const store = new EventStore();
  let line = 1;
  for (let s = 0; s <= 600; s += 20) {
    store.addRecord(rec(new Date(Date.UTC(2026, 4, 17, 14, 0, s)).toISOString(), 'k8s03', KL, `I0518 00:00:00.000000 1 x.go:1] "tick ${s}"`, PATH, line++));
  }
  for (let s = 0; s <= 1800; s += 30) {
    store.addRecord(rec(new Date(Date.UTC(2026, 4, 17, 14, 0, s)).toISOString(), 'k8s03', CD, `time="x" level=info msg="tick ${s}"`, PATH, line++));
  }
  return store;
}

describe('silences', () => {
  it('finds an open silence of a unit while the node keeps logging', () => {
    const ctx = createRuleContext(stalledNode());
    const silences = ctx.silences('k8s03', [KL], 5 * MICROS_PER_MINUTE);
    expect(silences).toHaveLength(1);
    const [s] = silences;
    expect(s!.open).toBe(true);
    expect(s!.start).toBe(isoToMicros('2026-05-17T14:10:00Z'));
    expect(s!.end).toBe(isoToMicros('2026-05-17T14:30:00Z'));
    expect(s!.durationMicros).toBe(20 * MICROS_PER_MINUTE);
  });

  it('ignores a silence that follows a logged stop of the unit', () => {
    const store = stalledNode();
    store.addRecord(rec('2026-05-17T14:10:05Z', 'k8s03', 'systemd', 'Stopping Service for snap application microk8s.daemon-kubelite...', PATH, 999));
    const ctx = createRuleContext(store);
    expect(ctx.restarts({ node: 'k8s03' }).map((r) => r.kind)).toEqual(['stop']);
    expect(ctx.silences('k8s03', [KL], 5 * MICROS_PER_MINUTE)).toEqual([]);
  });

  it('does not call a unit silent when the whole node went quiet', () => {
    const store = new EventStore();
    store.addRecord(rec('2026-05-17T14:00:00Z', 'k8s03', KL, 'a', PATH, 1));
    store.addRecord(rec('2026-05-17T14:00:10Z', 'k8s03', CD, 'b', PATH, 2));
    expect(createRuleContext(store).silences('k8s03', [KL], MICROS_PER_MINUTE)).toEqual([]);
  });
});

describe('the last line before a silence', () => {
  const at = (hhmmss: string) => `2026-05-17T${hhmmss}Z`;

  it('is found when the older lines of the unit arrive after newer ones (a member read again at the end)', () => {
    const store = new EventStore();
    // Read first: 10:00–10:05. Read after it, older: 09:00–09:02, a silence, 09:30.
    for (const [t, m] of [['10:00:00', 'new a'], ['10:05:00', 'new b']] as const) store.addRecord(rec(at(t), 'k8s03', KL, m, 'b.txt', 1));
    for (const [t, m] of [['09:00:00', 'old a'], ['09:01:00', 'old b'], ['09:02:00', 'old c'], ['09:30:00', 'old d']] as const) store.addRecord(rec(at(t), 'k8s03', KL, m, 'a.txt', 1));
    const last = (hhmmss: string) => store.lastRecord('k8s03', KL, isoToMicros(at(hhmmss))!)?.message;
    expect(last('09:10:00')).toBe('old c');
    expect(last('09:45:00')).toBe('old d');
    expect(last('10:30:00')).toBe('new b');
  });

  it('keeps lines a little out of order inside their stretch', () => {
    const store = new EventStore();
    for (const [t, m] of [['09:00:00', 'a'], ['09:00:20', 'b'], ['09:00:10', 'c (late)'], ['09:05:00', 'd']] as const) store.addRecord(rec(at(t), 'k8s03', KL, m, PATH, 1));
    expect(store.lastRecord('k8s03', KL, isoToMicros(at('09:01:00'))!)?.message).toBe('b');
  });
});

describe('restarts and boots', () => {
  it('turns systemd lines and PID changes into restart events', () => {
    const store = new EventStore();
    store.addRecord(rec('2026-05-18T04:22:30Z', 'k8s03', 'systemd', 'Started Service for snap application microk8s.daemon-kubelite.', PATH, 1));
    store.addRecord(rec('2026-05-18T04:22:31Z', 'k8s03', KL, 'first', PATH, 2, { pid: 100 }));
    store.addRecord(rec('2026-05-18T04:23:40Z', 'k8s03', KL, 'second', PATH, 3, { pid: 200 }));
    store.addRecord(rec('2026-05-18T04:23:41Z', 'k8s03', 'systemd', 'snap.microk8s.daemon-kubelite.service: Main process exited, code=exited, status=255/EXCEPTION', PATH, 4));
    const restarts = createRuleContext(store).restarts({ node: 'k8s03', units: [KL] });
    expect(restarts.map((r) => [r.kind, r.pid])).toEqual([['start', undefined], ['pid-change', 200], ['exit', undefined]]);
  });

  it('records kernel start lines as boots', () => {
    const store = new EventStore();
    store.addRecord({ ...rec('2026-06-04T20:01:00Z', 'k8s02', 'kernel', 'Linux version 5.4.0-231-generic (buildd@lcy02-amd64-001) (gcc version 9.4.0)', 'k8s02.json', 1), identifier: 'kernel', unit: undefined });
    expect(createRuleContext(store).boots('k8s02')).toHaveLength(1);
  });
});

describe('signature matching', () => {
  it('keeps exact totals beyond the evidence cap and caps evidence as first/last', () => {
    const store = new EventStore();
    for (let i = 0; i < 8302; i++) {
      const ts = new Date(Date.UTC(2026, 4, 17, 0, 0, 0) + i * 10_000).toISOString();
      store.addRecord(rec(ts, 'k8s03', CD, `time="${ts}" level=info msg="container event discarded" container=abc${i} type=CONTAINER_CREATED_EVENT`, PATH, i + 1));
    }
    const ctx = createRuleContext(store);
    expect(ctx.matchCount('container-event-discarded')).toBe(8302);
    expect(ctx.matchCount('container-event-discarded', { node: 'k8s03' })).toBe(8302);
    const kept = ctx.matches('container-event-discarded');
    expect(kept.length).toBeLessThan(8302);
    const evidence = cappedEvidence(kept, 5, 8302);
    expect(evidence.map((e) => [e.role, e.count, e.source.line])).toEqual([['first', 8302, 1], ['last', 8302, 8302]]);
  });

  it('extracts named groups and allows Go-escaped quotes', () => {
    const store = new EventStore();
    const msg = 'E0605 06:50:01.000000 2345 pod_workers.go:1301] "Error syncing pod" err="failed to reserve sandbox name \\"coredns-7d9_kube-system_1f2e_1\\": name \\"coredns-7d9_kube-system_1f2e_1\\" is reserved for \\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\\""';
    store.addRecord(rec('2026-06-04T20:50:01Z', 'k8s02', KL, msg, PATH, 7));
    const [m] = createRuleContext(store).matches('sandbox-name-reserved');
    expect(m!.groups.name).toBe('coredns-7d9_kube-system_1f2e_1');
    expect(m!.groups.id).toMatch(/^9f86d081/);
  });
});

describe('confidence and runbook templates', () => {
  it('follows the documented formula', () => {
    const specs = [{ name: 'a', description: '', weight: 2 }, { name: 'b', description: '' }, { name: 'c', description: '' }];
    expect(computeConfidence([{ name: 'a', state: 'present' }, { name: 'b', state: 'present' }, { name: 'c', state: 'present' }], specs)).toBe(1);
    // 3 / (3 + 0 + 0.5) = 0.857…
    expect(computeConfidence([{ name: 'a', state: 'present' }, { name: 'b', state: 'present' }, { name: 'c', state: 'unknown' }], specs)).toBe(0.86);
    // 2 / (2 + 1 + 0.5) = 0.571…
    expect(computeConfidence([{ name: 'a', state: 'present' }, { name: 'b', state: 'absent' }, { name: 'c', state: 'unknown' }], specs)).toBe(0.57);
  });

  it('fills placeholders and keeps unknown ones visible', () => {
    expect(fillTemplate('kubectl cordon {{node}} # {{subnets}} {{pid}}', { node: 'k8s03', subnets: ['10.1.235.128/26', '10.1.235.192/26'] }))
      .toBe('kubectl cordon k8s03 # 10.1.235.128/26 10.1.235.192/26 <pid>');
  });
});

describe('PID changes while a service starts', () => {
  it('count once: wrapper processes forked within seconds of a start are not restarts', () => {
    const store = new EventStore();
    store.addRecord(rec('2026-05-18T04:22:30Z', 'k8s03', 'systemd', 'Started Service for snap application microk8s.daemon-containerd.', PATH, 1));
    for (const [i, pid] of [2801, 2805, 2810, 2822].entries()) {
      store.addRecord(rec(`2026-05-18T04:22:3${i + 1}Z`, 'k8s03', CD, '+ export PATH=/snap/microk8s/7231/usr/sbin', PATH, 2 + i, { pid }));
    }
    expect(createRuleContext(store).restarts({ node: 'k8s03' }).map((r) => r.kind)).toEqual(['start']);
  });
});

describe('microk8s inspect reports', () => {
  const report = (node: string) => `bundle/${node}/inspection-report-20260401_162012.tar.gz/inspection-report/`;
  const listing = (node: string, line: number) => ({
    name: 'snapshot-1-48212464-1775024160', term: 1, index: 48212464, isMeta: false, sizeBytes: 225_443_840,
    source: { path: `${report(node)}dqlite/list.out`, line },
  });

  it('gives a report\'s node-less members the node its journals name, and only then', () => {
    const store = new EventStore();
    store.addRecord(rec('2026-04-01T06:16:00Z', 'k8s02', KL, 'I0401 16:16:00.000000 1 x.go:1] "tick"', `${report('k8s02')}snap.microk8s.daemon-kubelite/journal.log`, 1));
    store.addRecord(rec('2026-04-01T06:16:00Z', 'k8s03', CD, 'time="x" level=info msg="tick"', `${report('k8s03')}snap.microk8s.daemon-containerd/journal.log`, 1));
    store.addRecord(rec('2026-04-01T06:16:01Z', 'k8s01', CD, 'time="x" level=info msg="tick"', `${report('k8s03')}snap.microk8s.daemon-containerd/journal.log`, 2));
    store.facts.dqliteFiles.push(listing('k8s02', 4), listing('k8s03', 4), { ...listing('k8s02', 5), node: 'k8s09' }, {
      ...listing('k8s02', 6), source: { path: 'elsewhere/dqlite/list.out', line: 6 },
    });
    store.markInput('dqlite-files');

    const ctx = createRuleContext(store);
    expect(ctx.facts.dqliteFiles.map((f) => f.node)).toEqual(['k8s02', undefined, 'k8s09', undefined]);
    expect(ctx.hasInput('dqlite-files', 'k8s02')).toBe(true);
    // k8s03's report holds journals naming two hosts: which one the listing belongs to is unknown.
    expect(ctx.hasInput('dqlite-files', 'k8s03')).toBe(false);
    expect(store.facts.dqliteFiles[0]!.node).toBeUndefined(); // the store's facts are not rewritten
  });
});
