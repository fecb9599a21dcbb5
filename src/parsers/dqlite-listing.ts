/**
 * Listings of the dqlite backend directory (`/var/snap/microk8s/current/var/kubernetes/backend/`):
 * `ls -l`, `ls -la --time-style=full-iso|long-iso`, and `ls -lh` as MicroK8s inspect writes it
 * (`dqlite/list.out`).
 *
 * Sample (MicroK8s 1.28 inspect report, `dqlite/list.out`):
 *   total 156M
 *   -rw-rw---- 1 root microk8s 8.0M Oct 29 18:21 open-44
 *   -rw-rw---- 1 root microk8s 1.6M Oct 29 18:21 snapshot-1-21504-2419498
 *   -rw-rw---- 1 root microk8s   72 Oct 29 18:21 snapshot-1-21504-2419498.meta
 *
 * Output: `DqliteSnapshotFileFact` per `snapshot-<term>-<index>-<ts>[.meta]` entry (size in
 * bytes, mtime µs); `parseLsListing` gives every entry for other uses; `snapshotCadence`
 * summarizes how often and how big snapshots were (PIR 004: 215 MB every ~2 min).
 *
 * Quirks: `-h` sizes are rounded up by ls (`1.6M` ≤ 1.6 × 2^20 bytes), so sizes are
 * approximate; default dates have no year (`Oct 29 18:21`, within six months) or no time
 * (`Oct 29  2023`): the year comes from `ctx.referenceTime`; times are local (`ctx.zone`);
 * the snapshot name's third number is a monotonic clock, not a date (format reference §6.2);
 * `kine.sock:12379` is a socket (`s…`).
 */
import type { DqliteSnapshotFileFact } from '../model/facts.js';
import type { Provenance, Unparsed } from '../model/records.js';
import { inferYear, isValidZone, monthFromAbbrev, zonedToMicros, MICROS_PER_SECOND } from '../model/time.js';
import type { StateParseResult } from './types.js';
import { splitLines, type StateParseContext } from './text-table.js';

export interface LsEntry {
  mode: string;
  sizeBytes: number;
  /** Size printed with a unit suffix (`-h`): approximate. */
  sizeApproximate: boolean;
  mtime?: number;
  name: string;
  source: Provenance;
}

// -rw-rw---- 1 root microk8s 1.6M Oct 29 18:21 snapshot-1-21504-2419498
const LS_LINE = /^([-dlcbsp][-rwxsStTl+.@]{9}[.+@]?)\s+\d+\s+\S+\s+\S+\s+(\d+(?:[.,]\d+)?[KMGTPE]?i?B?|\d+,\s*\d+)\s+(.+)$/;
// Oct 29 18:21 name   |   Oct 29  2023 name
const DATE_SHORT = /^(\w{3})\s+(\d{1,2})\s+(?:(\d\d):(\d\d)|(\d{4}))\s(.+)$/;
// 2024-10-29 18:21:33.123456789 +0530 name   |   2024-10-29 18:21 name
const DATE_ISO = /^(\d{4})-(\d\d)-(\d\d)\s+(\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?(?:\s+([+-]\d{4}))?\s(.+)$/;
// snapshot-1-21504-2419498(.meta)
const SNAPSHOT = /^snapshot-(\d+)-(\d+)-(\d+)(\.meta)?$/;

const UNITS: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60 };

/** `1.5M` → 1572864, `215M` → 225443840, `72` → 72 (powers of 1024, as `ls -h`). */
export function parseHumanSize(text: string): number | undefined {
  const m = /^(\d+(?:[.,]\d+)?)([KMGTPE])?(?:i?B)?$/.exec(text.trim());
  if (!m?.[1]) return undefined;
  const n = Number(m[1].replace(',', '.'));
  return Math.round(n * (m[2] ? (UNITS[m[2]] ?? 1) : 1));
}

function dateAndName(rest: string, ctx: StateParseContext): { mtime?: number; name: string } | undefined {
  const zone = ctx.zone !== undefined && isValidZone(ctx.zone) ? ctx.zone : 'UTC';
  const iso = DATE_ISO.exec(rest);
  if (iso) {
    const [, y, mo, d, h, mi, s = '0', frac = '', offset, name = ''] = iso;
    const micros = Number((frac + '000000').slice(0, 6));
    let at = zonedToMicros(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), micros, offset ? 'UTC' : zone);
    if (offset) {
      const sign = offset.startsWith('-') ? -1 : 1;
      at -= sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5))) * 60 * MICROS_PER_SECOND;
    }
    return { mtime: at, name };
  }
  const short = DATE_SHORT.exec(rest);
  if (short) {
    const [, mon = '', d, h, mi, year, name = ''] = short;
    const month = monthFromAbbrev(mon);
    if (month === undefined) return { name };
    if (year !== undefined) return { mtime: zonedToMicros(Number(year), month, Number(d), 0, 0, 0, 0, zone), name };
    if (ctx.referenceTime === undefined) return { name };
    const y = inferYear(month, Number(d), ctx.referenceTime, zone);
    return { mtime: zonedToMicros(y, month, Number(d), Number(h), Number(mi), 0, 0, zone), name };
  }
  return undefined;
}

/** Any `ls -l`-style listing → entries. Never throws. */
export function parseLsListing(text: string, ctx: StateParseContext): StateParseResult<LsEntry[]> {
  const value: LsEntry[] = [];
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  let warnedYear = false;
  splitLines(text).forEach((line, n) => {
    const lineNo = n + 1;
    if (line.trim() === '' || /^total\s+\S+$/.test(line.trim()) || /:$/.test(line.trim())) return;
    const m = LS_LINE.exec(line);
    const dn = m?.[3] !== undefined ? dateAndName(m[3], ctx) : undefined;
    if (!m?.[1] || m[2] === undefined || !dn) {
      unparsed.push({ path: ctx.path, line: lineNo, reason: 'not an `ls -l` line' });
      return;
    }
    const size = /,/.test(m[2]) && !/[KMGTPE]/.test(m[2]) ? 0 : parseHumanSize(m[2]) ?? 0;
    const name = m[1].startsWith('l') ? dn.name.replace(/ -> .*$/, '') : dn.name;
    const entry: LsEntry = { mode: m[1], sizeBytes: size, sizeApproximate: /[KMGTPE]/.test(m[2]), name, source: { path: ctx.path, line: lineNo } };
    if (dn.mtime !== undefined) entry.mtime = dn.mtime;
    else if (!warnedYear) {
      warnings.push(`${ctx.path}: dates without a year and no reference time: mtimes left unset`);
      warnedYear = true;
    }
    value.push(entry);
  });
  return { value, unparsed, warnings };
}

/** Backend directory listing → snapshot files (data and `.meta`). Never throws. */
export function parseDqliteListing(text: string, ctx: StateParseContext): StateParseResult<DqliteSnapshotFileFact[]> {
  const { value: entries, unparsed, warnings } = parseLsListing(text, ctx);
  const value: DqliteSnapshotFileFact[] = [];
  for (const e of entries) {
    const s = SNAPSHOT.exec(e.name);
    if (!s) continue;
    const fact: DqliteSnapshotFileFact = {
      name: e.name,
      term: Number(s[1]),
      index: Number(s[2]),
      isMeta: s[4] !== undefined,
      sizeBytes: e.sizeBytes,
      source: e.source,
    };
    if (e.mtime !== undefined) fact.mtime = e.mtime;
    if (ctx.node !== undefined) fact.node = ctx.node;
    value.push(fact);
  }
  return { value, unparsed, warnings };
}

export interface SnapshotCadence {
  /** Snapshot data files (not `.meta`). */
  count: number;
  /** Median seconds between consecutive data-file mtimes (minute resolution with plain `ls -l`). */
  medianIntervalSeconds?: number;
  minIntervalSeconds?: number;
  maxSizeBytes: number;
  newestSizeBytes?: number;
  totalSizeBytes: number;
  oldestMtime?: number;
  newestMtime?: number;
  /** Highest raft index among the data files. */
  newestIndex?: number;
}

/** How often and how large snapshots were, from their data files' mtimes and sizes. */
export function snapshotCadence(files: readonly DqliteSnapshotFileFact[]): SnapshotCadence {
  const data = files.filter((f) => !f.isMeta);
  const cadence: SnapshotCadence = {
    count: data.length,
    maxSizeBytes: data.reduce((m, f) => Math.max(m, f.sizeBytes), 0),
    totalSizeBytes: data.reduce((s, f) => s + f.sizeBytes, 0),
  };
  const byIndex = [...data].sort((a, b) => a.term - b.term || a.index - b.index);
  const newest = byIndex[byIndex.length - 1];
  if (newest) {
    cadence.newestIndex = newest.index;
    cadence.newestSizeBytes = newest.sizeBytes;
  }
  const times = data.map((f) => f.mtime).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  if (times.length > 0) {
    cadence.oldestMtime = times[0];
    cadence.newestMtime = times[times.length - 1];
  }
  const intervals: number[] = [];
  for (let i = 1; i < times.length; i++) intervals.push(((times[i] ?? 0) - (times[i - 1] ?? 0)) / MICROS_PER_SECOND);
  if (intervals.length > 0) {
    intervals.sort((a, b) => a - b);
    const mid = Math.floor(intervals.length / 2);
    cadence.medianIntervalSeconds = intervals.length % 2 === 1 ? intervals[mid] : ((intervals[mid - 1] ?? 0) + (intervals[mid] ?? 0)) / 2;
    cadence.minIntervalSeconds = intervals[0];
  }
  return cadence;
}
