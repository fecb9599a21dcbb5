import { describe, expect, it } from 'vitest';
import { parseSchedstat, schedstatFrozen } from '../../src/parsers/schedstat.js';

describe('parseSchedstat', () => {
  it('parses the header sample (PIR 001): two identical samples = frozen', () => {
    const { value, unparsed } = parseSchedstat('195398181 57385342 625\n195398181 57385342 625\n', { path: 'node/proc/3510/schedstat' });
    expect(unparsed).toEqual([]);
    expect(value).toEqual([{ pid: 3510, samples: [[195398181, 57385342, 625], [195398181, 57385342, 625]], source: { path: 'node/proc/3510/schedstat', line: 1 } }]);
    expect(schedstatFrozen(value[0]!)).toBe(true);
  });

  it('headers, timestamps, annotations, several pids', () => {
    const text = [
      '==> /proc/3510/schedstat <==', '02:34:21 195398181 57385342 625', '195398181 57385342 625 ← no CPU consumed = PLEG blocking',
      '# pid 1900', '2026-05-22T02:34:21+10:00 9000 10 5', '2026-05-22T02:34:24+10:00 9500 12 7', 'sleep 3',
      '$ cat /proc/3510/schedstat', '195398181 57385342 625',
    ].join('\n');
    const { value, unparsed } = parseSchedstat(text, { path: 'schedstat.txt' });
    expect(value.map((f) => [f.pid, f.samples.length])).toEqual([[3510, 3], [1900, 2]]);
    expect(schedstatFrozen(value[1]!)).toBe(false);
    expect(unparsed).toEqual([{ path: 'schedstat.txt', line: 7, reason: 'not a schedstat sample (three integers)' }]);
  });
});
