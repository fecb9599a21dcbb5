import { describe, expect, it } from 'vitest';
import { parseDqliteListing, parseHumanSize, parseLsListing, snapshotCadence } from '../../src/parsers/dqlite-listing.js';
import { inspectMember } from './node-helpers.js';

const ref = Date.UTC(2024, 9, 29, 13, 0, 0) * 1000;

describe('dqlite backend listings', () => {
  it('parses the header sample (inspect dqlite/list.out, ls -lh)', () => {
    const text = 'total 156M\n-rw-rw---- 1 root microk8s 8.0M Oct 29 18:21 open-44\n-rw-rw---- 1 root microk8s 1.6M Oct 29 18:21 snapshot-1-21504-2419498\n-rw-rw---- 1 root microk8s   72 Oct 29 18:21 snapshot-1-21504-2419498.meta\n';
    const { value, unparsed } = parseDqliteListing(text, { path: 'dqlite/list.out', referenceTime: ref, zone: 'Asia/Kolkata' });
    expect(unparsed).toEqual([]);
    expect(value).toEqual([
      { name: 'snapshot-1-21504-2419498', term: 1, index: 21504, isMeta: false, sizeBytes: Math.round(1.6 * 2 ** 20), mtime: Date.UTC(2024, 9, 29, 12, 51) * 1000, source: { path: 'dqlite/list.out', line: 3 } },
      { name: 'snapshot-1-21504-2419498.meta', term: 1, index: 21504, isMeta: true, sizeBytes: 72, mtime: Date.UTC(2024, 9, 29, 12, 51) * 1000, source: { path: 'dqlite/list.out', line: 4 } },
    ]);
  });

  it('reads the real list.out: two ~1.5 MB snapshots, socket and segments parsed', () => {
    const text = inspectMember('dqlite/list.out');
    const all = parseLsListing(text, { path: 'dqlite/list.out', referenceTime: ref });
    expect(all.unparsed).toEqual([]);
    expect(all.value).toHaveLength(34);
    expect(all.value.find((e) => e.mode.startsWith('s'))?.name).toBe('kine.sock:12379');
    const { value } = parseDqliteListing(text, { path: 'dqlite/list.out', referenceTime: ref });
    expect(value.map((f) => f.name)).toEqual(['snapshot-1-21504-2419498', 'snapshot-1-21504-2419498.meta', 'snapshot-1-22528-2426517', 'snapshot-1-22528-2426517.meta']);
    const cadence = snapshotCadence(value);
    expect(cadence).toMatchObject({ count: 2, maxSizeBytes: Math.round(1.6 * 2 ** 20), newestIndex: 22528, newestSizeBytes: Math.round(1.2 * 2 ** 20), medianIntervalSeconds: 0 });
  });

  it('full-iso listing of a snapshot storm (PIR 004: 215M every ~2 min); year inferred across new year', () => {
    const rows = [0, 1, 2, 3].map((i) => `-rw-rw---- 1 root microk8s 225443840 2026-03-31 09:${String(30 + i * 2).padStart(2, '0')}:0${i}.123456789 +1000 snapshot-3-${100000 + i * 1024}-${5000000 + i}`);
    const { value } = parseDqliteListing(['total 880M', ...rows].join('\n'), { path: 'x' });
    const c = snapshotCadence(value);
    expect(c).toMatchObject({ count: 4, maxSizeBytes: 225443840, totalSizeBytes: 4 * 225443840 });
    expect(c.medianIntervalSeconds).toBe(121);
    expect(c.newestMtime).toBe(Date.UTC(2026, 2, 30, 23, 36, 3) * 1000 + 123456);
    const dec = parseDqliteListing('-rw-rw---- 1 root microk8s 215M Dec 31 23:58 snapshot-1-2-3\n', { path: 'x', referenceTime: Date.UTC(2026, 0, 1, 0, 5) * 1000 });
    expect(dec.value[0]?.mtime).toBe(Date.UTC(2025, 11, 31, 23, 58) * 1000);
    expect(parseHumanSize('215M')).toBe(225443840);
    expect(parseHumanSize('1.5M')).toBe(1572864);
    const noRef = parseDqliteListing('-rw-rw---- 1 root microk8s 215M Dec 31 23:58 snapshot-1-2-3\nls: cannot access x\n', { path: 'x' });
    expect(noRef.value[0]?.mtime).toBeUndefined();
    expect(noRef.warnings).toHaveLength(1);
    expect(noRef.unparsed).toEqual([{ path: 'x', line: 2, reason: 'not an `ls -l` line' }]);
  });
});
