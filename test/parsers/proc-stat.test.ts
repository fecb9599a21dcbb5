import { describe, expect, it } from 'vitest';
import { parseProcStat, procStatToProcess } from '../../src/parsers/proc-stat.js';

describe('parseProcStat', () => {
  it('parses the header sample (full stat /proc/<pid>)', () => {
    const text = [
      '  File: /proc/98211', '  Size: 0         \tBlocks: 0          IO Block: 1024   directory',
      'Device: 0,22\tInode: 123456      Links: 9', 'Access: (0555/dr-xr-xr-x)  Uid: (    0/    root)   Gid: (    0/    root)',
      'Access: 2026-05-22 02:08:11.000000000 +1000', 'Modify: 2026-05-22 02:08:11.000000000 +1000',
      'Change: 2026-05-22 02:08:11.000000000 +1000', ' Birth: -',
    ].join('\n');
    const { value, unparsed } = parseProcStat(text, { path: 'stat-98211', node: 'k8s03' });
    expect(unparsed).toEqual([]);
    expect(value).toHaveLength(1);
    expect(value[0]?.pid).toBe(98211);
    expect(new Date((value[0]?.modifiedAt ?? 0) / 1000).toISOString()).toBe('2026-05-21T16:08:11.000Z');
    expect(procStatToProcess(value[0]!)).toMatchObject({ pid: 98211, command: '', startedAt: value[0]?.modifiedAt, node: 'k8s03' });
  });

  it('`| grep Modify` captures take the pid from the echo line', () => {
    const text = '$ sudo stat /proc/4123 | grep Modify\nModify: 2026-05-18 08:04:11.123456789 +1000\n$ sudo stat /proc/98211 | grep Modify\nModify: 2026-05-22 02:08:11.000000000 +1000\n';
    const { value } = parseProcStat(text, { path: 'x' });
    expect(value.map((v) => v.pid)).toEqual([4123, 98211]);
    expect(value[0]?.modifiedAt).toBe(Date.UTC(2026, 4, 17, 22, 4, 11) * 1000 + 123456);
  });
});
