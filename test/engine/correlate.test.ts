import { describe, expect, it } from 'vitest';
import { anyWithin, episodes, latestBefore, spanOfRun, spansOverlap, timeOf, within } from '../../src/engine/correlate.js';
import { dqlite } from '../support/cluster-builders.js';

const MIN = 60e6;
const us = (iso: string) => Date.parse(iso) * 1000;

describe('correlation helpers', () => {
  // 002: k8s-dqlite lock/watch errors 03:40–03:54 UTC, kubelite restart at 04:22:40 UTC.
  const errors = ['03:40:12', '03:44:30', '03:54:02', '05:10:00'].map((t, i) =>
    ({ signature: 'database-locked', groups: {}, record: dqlite(`2026-05-18T${t}Z`, 'k8s03', 'database is locked', 'k8s-dqlite.log', i + 1) }));
  const restart = us('2026-05-18T04:22:40Z');

  it('reads the time of records, matches and plain timed events', () => {
    expect(timeOf(errors[0]!)).toBe(us('2026-05-18T03:40:12Z'));
    expect(timeOf({ ts: 5 })).toBe(5);
    expect(timeOf({})).toBeUndefined();
  });

  it('cuts errors into episodes at gaps, and finds the episode around a restart', () => {
    const runs = episodes(errors, 10 * MIN);
    expect(runs.map((r) => r.length)).toEqual([3, 1]);
    const around = { start: restart - 30 * MIN, end: restart + 15 * MIN };
    expect(runs.filter((r) => spansOverlap(spanOfRun(r), around)).map((r) => r.length)).toEqual([3]);
  });

  it('within / anyWithin take an asymmetric window around an anchor', () => {
    expect(within(errors, restart, { before: 30 * MIN, after: 0 }).map((m) => m.record.source.line)).toEqual([3]);
    expect(anyWithin(errors, restart, { before: 20 * MIN, after: 40 * MIN })).toBe(false);
    expect(anyWithin(errors, restart, { before: 0, after: 50 * MIN })).toBe(true);
  });

  it('latestBefore: the closest earlier item, bounded by a look-back', () => {
    const boots = [{ ts: 100 }, { ts: 300 }, { ts: 900 }, {}];
    expect(latestBefore(boots, 500)).toEqual({ ts: 300 });
    expect(latestBefore(boots, 500, 100)).toBeUndefined();
    expect(latestBefore(boots, 50)).toBeUndefined();
  });

  it('spansOverlap widens both spans by the slack', () => {
    expect(spansOverlap({ start: 0, end: 10 }, { start: 15, end: 20 })).toBe(false);
    expect(spansOverlap({ start: 0, end: 10 }, { start: 15, end: 20 }, 5)).toBe(true);
  });
});
