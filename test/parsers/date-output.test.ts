import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { parseDateOutput } from '../../src/parsers/date-output.js';
import { makeTempDir } from '../bundle/helpers.js';

const iso = (micros: number | undefined) => (micros === undefined ? undefined : new Date(micros / 1000).toISOString());

describe('parseDateOutput', () => {
  it('reads the header samples: coreutils date (zone abbreviation, numeric, none) and date -Is', () => {
    expect(iso(parseDateOutput('Mon May 18 01:00:15 AEST 2026\n', 'UTC'))).toBe('2026-05-17T15:00:15.000Z');
    expect(iso(parseDateOutput('Mon May 18 01:00:15 +1000 2026', 'UTC'))).toBe('2026-05-17T15:00:15.000Z');
    expect(iso(parseDateOutput('Fri Jun  5 06:45:01 2026', 'UTC'))).toBe('2026-06-05T06:45:01.000Z');
    expect(iso(parseDateOutput('2026-05-18T01:00:15+10:00', 'UTC'))).toBe('2026-05-17T15:00:15.000Z');
    expect(parseDateOutput('not a date', 'UTC')).toBeUndefined();
  });
});

describe('a date capture dates year-less journal lines read after it', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  const journal = [
    'Jun 05 06:02:18 k8s02 microk8s.daemon-kubelite[7180]: I0605 06:02:18.301122    7180 server.go:487] "Kubelet version" kubeletVersion="v1.35.0"',
    'Jun 05 06:02:19 k8s02 microk8s.daemon-kubelite[7180]: I0605 06:02:19.000001    7180 kubelet.go:2437] "SyncLoop ADD" source="api" pods=[]',
    '',
  ].join('\n');

  it('gives the records their year; without it they are undated and the report says so', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    writeFileSync(join(tmp.dir, 'journal.txt'), journal);
    const undated = await analyze([tmp.dir], { timezone: 'UTC', inputZone: 'Australia/Brisbane' });
    expect(undated.capture).toEqual({});
    expect(undated.warnings).toContainEqual({ path: join(tmp.dir, 'journal.txt'), message: expect.stringContaining('2 record(s) have no time') });

    writeFileSync(join(tmp.dir, '0-date'), 'Fri Jun  5 06:45:01 AEST 2026\n');
    const dated = await analyze([tmp.dir], { timezone: 'UTC', inputZone: 'Australia/Brisbane' });
    expect(dated.capture).toEqual({ start: '2026-06-04T20:02:18.000Z', end: '2026-06-04T20:02:19.000Z' });
    expect(dated.warnings).toEqual([]);
  });
});
