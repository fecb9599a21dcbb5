import { describe, expect, it, vi } from 'vitest';
import { createProgress } from '../src/cli-progress.js';

function fakeStream(columns = 80) {
  const writes: string[] = [];
  const stream = { columns, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe('createProgress', () => {
  it('writes nothing when disabled', () => {
    const { stream, writes } = fakeStream();
    const p = createProgress({ stream, enabled: false });
    p.update(10 * 1024 * 1024, 100 * 1024 * 1024, 'bundle.tgz/k8s01/journal.export');
    p.done();
    expect(writes).toEqual([]);
  });

  it('draws one line with percent and member, at most every 100 ms, and erases it at the end', () => {
    vi.useFakeTimers();
    try {
      const { stream, writes } = fakeStream(100);
      const p = createProgress({ stream, enabled: true });
      vi.advanceTimersByTime(1000);
      p.update(50 * 1024 * 1024, 200 * 1024 * 1024, 'bundle.tgz/k8s01/journal.export');
      p.update(60 * 1024 * 1024, 200 * 1024 * 1024, 'bundle.tgz/k8s01/journal.export');
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatch(/^\r\u001b\[2K\[█{6}░{18}\]  25% 50 MB\/200 MB 50 MB\/s bundle\.tgz\/k8s01\/journal\.export$/);
      expect(writes[0]!.includes('\n')).toBe(false);
      vi.advanceTimersByTime(150);
      p.update(100 * 1024 * 1024, 200 * 1024 * 1024);
      expect(writes).toHaveLength(2);
      expect(writes[1]).toContain(' 50% ');
      p.done();
      expect(writes[2]).toBe('\r\u001b[2K');
      p.update(200 * 1024 * 1024, 200 * 1024 * 1024);
      expect(writes).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows a spinner without a total, keeps to the width and defangs control characters in member names', () => {
    vi.useFakeTimers();
    try {
      const { stream, writes } = fakeStream(40);
      const p = createProgress({ stream, enabled: true });
      vi.advanceTimersByTime(200);
      p.update(3 * 1024 * 1024, undefined, `evil\u001b]0;title\u0007/${'x'.repeat(80)}.log`);
      const line = writes[0]!.slice('\r\u001b[2K'.length);
      expect(line).toMatch(/^⠋ 3 MB 15 MB\/s …x+\.log$/);
      expect(line.length).toBeLessThan(40);
      expect(line.includes('\u001b')).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
