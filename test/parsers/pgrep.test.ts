import { describe, expect, it } from 'vitest';
import { isPgrepCount, parsePgrepCount, parsePgrepList } from '../../src/parsers/pgrep.js';

describe('pgrep', () => {
  it('parses the header sample: -a listing and -c count', () => {
    const text = '$ sudo pgrep -a buildkitd\n4123 buildkitd --addr unix:///run/buildkit/buildkitd.sock\n98211 buildkitd --addr unix:///run/buildkit/buildkitd.sock\n';
    const { value, unparsed } = parsePgrepList(text, { path: 'pgrep-a-buildkitd' });
    expect(unparsed).toEqual([{ path: 'pgrep-a-buildkitd', line: 1, reason: 'echoed command line' }]);
    expect(value.map((p) => [p.pid, p.command])).toEqual([
      [4123, 'buildkitd --addr unix:///run/buildkit/buildkitd.sock'],
      [98211, 'buildkitd --addr unix:///run/buildkit/buildkitd.sock'],
    ]);
    const count = parsePgrepCount('$ pgrep -c containerd-shim\n44\n', { path: 'counts.txt', node: 'k8s03' });
    expect(count.value).toEqual([{ pattern: 'containerd-shim', count: 44, node: 'k8s03', source: { path: 'counts.txt', line: 2 } }]);
  });

  it('pattern from the file name; several counts; missing pattern warned', () => {
    expect(parsePgrepCount('27\n', { path: 'node/pgrep-c-containerd-shim.txt' }).value[0]).toMatchObject({ pattern: 'containerd-shim', count: 27 });
    const many = parsePgrepCount('ssh k8s03 "pgrep -c containerd-shim"\n44\n$ pgrep -fc buildkitd\n2\n', { path: 'x' });
    expect(many.value.map((c) => [c.pattern, c.count])).toEqual([['containerd-shim', 44], ['buildkitd', 2]]);
    const unknown = parsePgrepCount('0\n', { path: 'x' });
    expect(unknown.value[0]?.pattern).toBe('?');
    expect(unknown.warnings).toHaveLength(1);
  });
});

describe('pgrep -c captures are told from listings', () => {
  it('isPgrepCount: bare count, echoed -c command + count; never a -a listing', () => {
    expect(isPgrepCount('44\n')).toBe(true);
    // 001 k8s03/pgrep-c-containerd-shim.txt
    expect(isPgrepCount('$ pgrep -c containerd-shim\n44\n')).toBe(true);
    expect(isPgrepCount('$ sudo pgrep -a buildkitd\n1167402 buildkitd --addr unix:///run/user/1000/buildkit/buildkitd.sock\n')).toBe(false);
    expect(isPgrepCount('$ pgrep -c containerd-shim\n')).toBe(false);
    expect(isPgrepCount('')).toBe(false);
  });

  it('a -c capture handed to the list parser gives no process (not PID 44)', () => {
    const { value, unparsed } = parsePgrepList('$ pgrep -c containerd-shim\n44\n', { path: 'k8s03/pgrep-c-containerd-shim.txt', node: 'k8s03' });
    expect(value).toEqual([]);
    expect(unparsed.map((u) => u.line)).toEqual([1, 2]);
  });
});
