/**
 * journalctl text output: the `short` family (systemd `src/shared/logs-show.c output_short()`)
 * and `cat`, as found in `microk8s inspect` `<svc>/journal.log` files and pasted journals.
 *
 * Sample (kine-locked__k3s-11901 sample, k3s-io/k3s#11901):
 *   Mar 04 08:37:29 hetzner1 k3s[733030]: time="2025-03-04T07:37:29Z" level=error msg="Compact failed: …"
 *   Mar 17 01:03:23 hetzner1 k3s[156688]: time="2025-03-17T00:03:23Z" level=error msg="Compact failed: …"
 *   -- Boot 61690fd34a5c45f78436eb2eba82f5d9 --
 *   Mar 24 20:25:04 hetzner1 k3s[4050]: time="2025-03-24T19:25:04Z" level=error msg="Compact failed: …"
 *
 * Line grammar: `<timestamp>[ <host>] <identifier>[\[<pid>\]]: <message>`; timestamps per line:
 *   short            `May 22 02:34:21` (rsyslog files: `Oct  8 16:29:51`)
 *   short-precise    `May 22 02:34:21.123456`
 *   short-iso        `2026-05-18T00:15:00+1000` (systemd ≤ 254) / `+10:00` (≥ 255)
 *   short-iso-precise `2026-05-18T00:15:00.123456+10:00`
 *   short-full       `Mon 2026-05-18 00:15:00 AEST` (zone abbreviation: common ones mapped,
 *                    else `options.inputZone`)
 *   short-unix       `1747491300.123456`
 * `cat` (message only) is chosen when none of the first lines carries a timestamp: every line
 * is then a record with `ts` undefined.
 *
 * Output: one `LogRecord` per entry, source `{ path, line }` of its first line; markers for
 * `-- Boot <id> --` / `-- Reboot --` (ts and node = those of the next record, undefined when
 * none follows), `-- Logs begin at … --` / `-- Journal begins at … --` (ts = the begin time),
 * `-- No entries --`. Records after a `-- Boot <id> --` carry that boot id.
 *
 * Quirks:
 * - Multi-line messages continue on lines indented by the prefix width (the width of
 *   `<timestamp> <host> <ident>[<pid>]: `); that indentation is removed, the rest kept. Other
 *   lines without a timestamp (wrapped pastes) are appended as they are. journalctl already
 *   turned TABs into 8 spaces.
 * - No year in `short`/`short-precise`: the first such record takes
 *   `inferYear(month, day, referenceTime)`, with `options.referenceTime`, else the header's
 *   end (or begin) time, else the first full date seen later in the file — a fully dated
 *   line, or a logrus message's own `time="…"` (containerd, k8s-dqlite) — (records wait for
 *   it, at most `MAX_PENDING_RECORDS`); without any, ts stays undefined. Scanning forward, a
 *   month smaller than the previous line's moves to the next year (Dec → Jan).
 *   `stats.yearInferred` is the year given to the first year-less record.
 * - Zone of zone-less timestamps: `options.inputZone` (default UTC).
 * - The displayed time is `_SOURCE_REALTIME_TIMESTAMP` when the entry had one (PID 1's own
 *   messages), so it can differ slightly from `__REALTIME_TIMESTAMP` in export/JSON.
 * - journalctl's own stderr (`Hint: …`, `Notice: …`, `Warning: …`) is merged into inspect
 *   files: reported unparsed ("journalctl diagnostic"), never glued to a message.
 * - `[N blob data]` messages are kept as they are (the message was not printable).
 * - A syslog TAG without `:` (RFC 3164 §4.1.3: the TAG ends at the first non-alphanumeric
 *   character, which may be a space): `Aug 21 08:14:29 host syslog 2020-08-21 13:14:29.039
 *   [INFO][23948] ipam.go 547: …` is identifier `syslog` and the Calico line as message. Taken
 *   only when the token after the host is 1–32 alphanumerics and reading up to the first
 *   `: ` would give an identifier with spaces (that is not `name with spaces[pid]`).
 * - Pastes with the month and the day's first digit cut off (`9 09:58:07 node kubelet[5738]:
 *   E1029 09:58:07.693335 …`): the date is taken from the klog header the message starts
 *   with, only when it agrees (its day ends in the digits left, its clock is the line's or
 *   one second before); otherwise the line is unparsed.
 * - `journalctl -r` (newest first): when the first records' times mostly go down (klog
 *   headers break ties within a second) the whole member is held and handed out oldest
 *   first, so the store sees time order; running years then step back on Jan → Dec, and a
 *   `-- Boot <id> --` line (printed above the older boot's entries) marks the start of the
 *   boot above it. Held at most `MAX_REVERSED_RECORDS`; a longer member is handed out in
 *   blocks of that size, each in time order.
 * - Lines cut by the pager (`less -S` marks a chopped line with `>` in the last column): when
 *   at least two lines end in `>` at the same width and no line of the member is wider (a
 *   pager never shows one), those lines lose the `>` and their record is marked
 *   `truncatedFields: ['MESSAGE']`. Only records still held when the member ends (the first
 *   `ORDER_WINDOW`, or a whole newest-first member) are judged; the rest keep their `>`.
 * - `#` lines at column 0 (annotations added to a paste: `## Reverse log`) are unparsed
 *   ("comment"), never glued to a message.
 */
import { DateTime } from 'luxon';
import type { JournalMarker, LogRecord, ParseStats } from '../model/records.js';
import { fixedOffsetZone, inferYear, isoToMicros, isValidZone, MICROS_PER_MINUTE, monthFromAbbrev, printedZoneToMicros, zonedToMicros } from '../model/time.js';
import { unitFromIdentifier, normalizeUnit } from '../model/units.js';
import type { LogParseOptions, LogParser } from './types.js';
import { forEachLine, lineText } from './line-splitter.js';
import { parseKlogStamp } from './klog.js';
import { RecentStrings } from './recent-strings.js';

/** Year-less records held while waiting for a full date to place them. */
export const MAX_PENDING_RECORDS = 10_000;
/** Records whose order decides whether the member is newest first (`journalctl -r`). */
const ORDER_WINDOW = 64;
/** Records of a newest-first member held to be handed out oldest first. */
export const MAX_REVERSED_RECORDS = 100_000;
/** Narrowest terminal taken for a pager's width. */
const MIN_PAGER_WIDTH = 80;
// time="2026-06-04T20:01:33.004113938Z" level=info msg="starting containerd"   (logrus, zone always present)
const LOGRUS_TIME = /^time="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d))"/;
/** Lines looked at before deciding the input is `-o cat` (no timestamps at all). */
const DETECTION_LINES = 32;

// May 22 02:34:21 host ident[pid]: msg  |  Oct  8 16:29:51 …  |  Sep 08 17:20:30.655028 …
const SHORT_TS = /^([A-Za-z]{3}) ([ \d]?\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? /;
// 2026-05-18T00:15:00+1000 …  |  2026-05-18T00:15:00.123456+10:00 …
const ISO_TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)) /;
// Mon 2026-05-18 00:15:00 AEST …  |  Tue 2026-05-19 03:00:00.250000 +10 …
const FULL_TS = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? ([A-Za-z]{1,6}|[+-]\d\d(?::?\d\d)?) /;
// 1747491300.123456 host …
const UNIX_TS = /^(\d{9,11})\.(\d{6}) /;
// 9 09:58:07 node kubelet[5738]: …   (`Oct 29 09:58:07` with its first five characters cut off)
const CUT_TS = /^(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? /;
// syslog   (RFC 3164 TAG: alphanumerics, at most 32)
const BARE_TAG = /^[A-Za-z0-9]{1,32}$/;
// my app[1234]   (an identifier with spaces, still followed by its pid)
const SPACED_IDENT_PID = /^[^\[\]:]+\[\d+\]$/;
// ## Reverse log (read from bottom to top)   /   ##   (not `#\t0x4a5b6c\tk8s.io/…` of a wrapped pprof dump)
const COMMENT_LINE = /^#+(?: |$)/;
// k3s[1636]  →  identifier k3s, pid 1636
const IDENT_PID = /^(.*)\[(\d+)\]$/;

// -- Boot 61690fd34a5c45f78436eb2eba82f5d9 --
const BOOT_LINE = /^-- Boot ([0-9a-f]{32}) --$/;
// -- Reboot --
const REBOOT_LINE = /^-- Reboot --$/;
// -- Logs begin at Sun 2021-05-30 17:08:18 UTC, end at Sun 2021-05-30 20:13:39 UTC. --
// -- Journal begins at Fri 2021-09-03 05:27:23 CST, ends at Tue 2021-11-23 21:58:15 CST. --
const BEGIN_LINE = /^-- (?:Logs begin|Journal begins) at (.+?)(?:, ends? at (.+?))?\.? --$/;
// Sun 2021-05-30 17:08:18 UTC
const HEADER_DATE = /^(?:[A-Za-z]{3} )?(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?: (\S+))?$/;
// -- No entries --
const NO_ENTRIES_LINE = /^-- No entries --$/;
// Hint: You are currently not seeing messages from other users and the system.
const DIAGNOSTIC_LINE = /^(?:Hint|Notice|Warning): /;
// \x1b[0;1;39m (journalctl highlights separators on a tty)
const ANSI = /\x1b\[[0-9;]*m/g;
// snap.microk8s.daemon-kubelite.service: Main process exited, code=exited, status=1/FAILURE
const SERVICE_PREFIX = /^([\w@.\\:-]+)\.service: /;
// Started Service for snap application microk8s.daemon-kubelite.
const SNAP_SERVICE_DESCRIPTION = /Service for snap application ([\w.-]+?)\.*$/;


interface YearlessStamp {
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
}

/** A `short` stamp whose month and leading day digits were cut off. */
interface CutStamp {
  /** The day's digits left (`9` of `29`, or all of them). */
  dayDigits: string;
  hour: number;
  minute: number;
  second: number;
  micros: number;
}

interface Stamp {
  /** Characters of the timestamp plus its trailing space. */
  length: number;
  ts?: number;
  yearless?: YearlessStamp;
  cut?: CutStamp;
}

/**
 * What orders two records: an absolute time, or a year-less one (comparable only with its
 * kind); `fine` is the klog header's time, which breaks ties between lines of one second.
 */
interface OrderKey {
  absolute: boolean;
  value: number;
  fine?: number;
}

interface QueuedRecord {
  record: LogRecord;
  yearless?: YearlessStamp;
  markersBefore: JournalMarker[];
  /** Width of `<timestamp> <host> <ident>[<pid>]: `, the indentation of continuation lines. */
  prefixWidth: number;
  /** Position in the member (1-based), to keep separators read meanwhile in place. */
  seq?: number;
  /** Set while the order of the member is being decided. */
  orderKey?: OrderKey;
  /** Lines of the message ending in `>` (pager cut candidates): index in the message, raw line width. */
  cuts?: Array<{ index: number; width: number }>;
}

function micros6(fraction: string | undefined): number {
  return fraction ? Number((fraction + '000000').slice(0, 6)) : 0;
}

/** Wall-clock date/time + printed zone (abbreviation or numeric) → µs; unknown zone → fallback. */
function zonedStamp(
  y: number, mo: number, d: number, h: number, mi: number, s: number, us: number,
  zone: string | undefined, fallbackZone: string, fallbackIsKnown: boolean,
): number {
  return printedZoneToMicros(y, mo, d, h, mi, s, us, zone, fallbackZone, fallbackIsKnown);
}

/** Consecutive lines mostly share their second-resolution stamp: convert each distinct text once. */
let lastIsoText = '';
let lastIsoMicros: number | undefined;
function isoStampMicros(text: string): number | undefined {
  if (text !== lastIsoText) {
    lastIsoMicros = isoToMicros(text);
    lastIsoText = text;
  }
  return lastIsoMicros;
}

function parseStamp(line: string, zone: string, zoneGiven: boolean): Stamp | undefined {
  const first = line.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) {
    const iso = ISO_TS.exec(line);
    if (iso) {
      const ts = isoStampMicros(iso[1] as string);
      return ts === undefined ? undefined : { length: iso[0].length, ts };
    }
    const unix = UNIX_TS.exec(line);
    if (unix) return { length: unix[0].length, ts: Number(unix[1]) * 1_000_000 + Number(unix[2]) };
    const cut = CUT_TS.exec(line);
    if (cut) {
      return {
        length: cut[0].length,
        cut: { dayDigits: cut[1] as string, hour: Number(cut[2]), minute: Number(cut[3]), second: Number(cut[4]), micros: micros6(cut[5]) },
      };
    }
    return undefined;
  }
  const short = SHORT_TS.exec(line);
  if (short) {
    const month = monthFromAbbrev(short[1] as string);
    if (month === undefined) return undefined;
    const day = Number((short[2] as string).trim());
    if (day < 1 || day > 31) return undefined;
    return {
      length: short[0].length,
      yearless: { month, day, hour: Number(short[3]), minute: Number(short[4]), second: Number(short[5]), micros: micros6(short[6]) },
    };
  }
  const full = FULL_TS.exec(line);
  if (full) {
    const ts = zonedStamp(Number(full[1]), Number(full[2]), Number(full[3]), Number(full[4]), Number(full[5]), Number(full[6]), micros6(full[7]), full[8], zone, zoneGiven);
    return { length: full[0].length, ts };
  }
  return undefined;
}

/** `Sun 2021-05-30 17:08:18 UTC` (journalctl header dates) → µs. */
function parseHeaderDate(text: string, zone: string, zoneGiven: boolean): number | undefined {
  const m = HEADER_DATE.exec(text.trim());
  if (!m) return undefined;
  return zonedStamp(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), 0, m[7], zone, zoneGiven);
}

const MAX_REMEMBERED_IDENTIFIERS = 10_000;

function unitFor(identifier: string | undefined, message: string, fallback: string | undefined): string | undefined {
  if (identifier === 'systemd') {
    // PID 1 lines in `journalctl -u X` output are about X (§3.5); name it when the text does.
    const service = SERVICE_PREFIX.exec(message);
    if (service) return normalizeUnit(service[1] as string);
    if (fallback) return fallback;
    const snapApp = SNAP_SERVICE_DESCRIPTION.exec(message);
    if (snapApp) return unitFromIdentifier(snapApp[1]);
    return undefined;
  }
  return unitFromIdentifier(identifier) ?? fallback;
}

/** Offsets a printing zone can have (UTC−12 … UTC+14), in minutes. */
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * The zone a year-less journal stamp was printed in, from a logrus `time=` of the same line
 * (containerd prints UTC, k8s-dqlite its own offset; both the same moment within milliseconds):
 * the wall-clock difference rounded to 15 min. Whole-hour offsets only (`fixedOffsetZone`);
 * undefined when the stamps do not agree on one.
 */
export function zoneFromLogrus(stamp: YearlessStamp, message: string): string | undefined {
  const iso = LOGRUS_TIME.exec(message)?.[1];
  const absolute = iso === undefined ? undefined : isoToMicros(iso);
  if (absolute === undefined) return undefined;
  const year = new Date(absolute / 1000).getUTCFullYear();
  // The wall clock may sit on the other side of New Year from the UTC moment.
  const offsets = [year - 1, year, year + 1].map((y) =>
    (Date.UTC(y, stamp.month - 1, stamp.day, stamp.hour, stamp.minute, stamp.second) * 1000 + stamp.micros - absolute) / MICROS_PER_MINUTE);
  const minutes = offsets.reduce((best, m) => (Math.abs(m) < Math.abs(best) ? m : best));
  const rounded = Math.round(minutes / 15) * 15;
  if (Math.abs(rounded) > MAX_OFFSET_MINUTES || Math.abs(minutes - rounded) > 1) return undefined;
  return fixedOffsetZone(rounded);
}

/** The klog header a message starts with: month, day, second of the day and µs. */
function klogHead(message: string): { month: number; day: number; seconds: number; micros: number } | undefined {
  const k = parseKlogStamp(message);
  if (!k || k.month < 1 || k.month > 12 || k.day < 1 || k.day > 31) return undefined;
  return { month: k.month, day: k.day, seconds: k.hour * 3600 + k.minute * 60 + k.second, micros: k.micros };
}

/** klog stamps a line just before the journal receives it: the journal's second, or the one after. */
function klogAgrees(lineSeconds: number, klogSeconds: number): boolean {
  const lag = lineSeconds - klogSeconds;
  return lag === 0 || lag === 1;
}

/**
 * Month and day of a stamp whose month was cut off, from the klog header of its message:
 * only when that header's day ends in the digits left and its clock agrees with the line's.
 */
export function restoreCutDate(cut: CutStamp, message: string): YearlessStamp | undefined {
  const klog = klogHead(message);
  if (!klog) return undefined;
  const digits = Number(cut.dayDigits);
  const dayFits = cut.dayDigits.length === 2 ? klog.day === digits : klog.day % 10 === digits;
  if (!dayFits || !klogAgrees(cut.hour * 3600 + cut.minute * 60 + cut.second, klog.seconds)) return undefined;
  return { month: klog.month, day: klog.day, hour: cut.hour, minute: cut.minute, second: cut.second, micros: cut.micros };
}

/**
 * The time two records are ordered by while the member's direction is decided. A year-less
 * stamp with whole seconds also keeps the klog header's time when it agrees, so lines of one
 * second still show their order.
 */
function orderKeyOf(ts: number | undefined, yearless: YearlessStamp | undefined, message: string): OrderKey | undefined {
  if (ts !== undefined) return { absolute: true, value: ts };
  if (!yearless) return undefined;
  const seconds = yearless.hour * 3600 + yearless.minute * 60 + yearless.second;
  const key: OrderKey = { absolute: false, value: ((yearless.month * 32 + yearless.day) * 86_400 + seconds) * 1_000_000 + yearless.micros };
  const klog = yearless.micros === 0 ? klogHead(message) : undefined;
  if (klog && klog.month === yearless.month && klog.day === yearless.day && klogAgrees(seconds, klog.seconds)) {
    key.fine = klog.seconds * 1_000_000 + klog.micros;
  }
  return key;
}

/** Half a year in year-less key units: a longer step between neighbours crosses New Year. */
const HALF_YEAR_KEY = 6 * 32 * 86_400 * 1_000_000;

/** 1 when `b` comes after `a`, -1 before, 0 when their keys cannot tell. */
function compareOrder(a: OrderKey, b: OrderKey): number {
  if (a.absolute !== b.absolute) return 0;
  const step = b.value - a.value;
  if (!a.absolute && Math.abs(step) > HALF_YEAR_KEY) return step > 0 ? -1 : 1; // Dec 31 ↔ Jan 01
  if (step !== 0) return step > 0 ? 1 : -1;
  if (a.fine === undefined || b.fine === undefined || a.fine === b.fine) return 0;
  return b.fine > a.fine ? 1 : -1;
}

class JournalctlTextReader {
  readonly stats: ParseStats = { records: 0, unparsed: 0 };
  private zone: string;
  /** False while the printing zone may still be read off the file (records wait for it). */
  private zoneSettled: boolean;
  /** The operator named the zone: ambiguous printed abbreviations (CST, IST) follow it. */
  private readonly zoneGiven: boolean;
  private mode: 'detect' | 'short' | 'cat' = 'detect';
  private readonly detectionBuffer: Array<{ text: string; lineNo: number }> = [];

  private current: QueuedRecord | undefined;
  private queue: QueuedRecord[] = [];
  private pendingMarkers: JournalMarker[] = [];
  private bootId: string | undefined;

  /** Running year for year-less timestamps, and the month of the last one placed. */
  private year: number | undefined;
  private lastMonth = 0;
  /** The local calendar month (µs range) `setRunningYear` last computed. */
  private runningMonth: { start: number; end: number; year: number; month: number } | undefined;
  /** Reference (µs) for the first year-less record when no year is running yet. */
  private reference: number | undefined;

  /** Oldest first (`forward`) or newest first (`journalctl -r`); records wait while undecided. */
  private order: 'undecided' | 'forward' | 'reverse' = 'undecided';
  private readonly orderVotes = { up: 0, down: 0, seen: 0 };
  private lastOrderKey: OrderKey | undefined;
  /** Newest-first records held to be handed out oldest first. */
  private reversed: QueuedRecord[] = [];
  /** The oldest record of the last block handed out (the newer neighbour of the next block). */
  private olderEdge: LogRecord | undefined;
  /** Records finished so far, and separators read while the order is undecided (after record `afterSeq`). */
  private seq = 0;
  private heldSeparators: Array<{ marker: JournalMarker; afterSeq: number }> = [];

  /** Widest line so far and how many lines ending in `>` have that width; the pager's width once shown. */
  private widest = 0;
  private cutAtWidest = 0;
  private pagerWidth: number | undefined;
  /** A line wider than the pager width: not a pager paste after all. */
  private pagerContradicted = false;
  /** In end(): every line has been seen, so the pager width is final. */
  private ending = false;

  /** Hosts and identifiers as the same string objects line after line (see RecentStrings). */
  private readonly hosts = new RecentStrings();
  private readonly identifiers = new RecentStrings();
  private readonly unitOfIdentifier = new Map<string, string | undefined>();

  constructor(private readonly options: LogParseOptions, forceCat: boolean) {
    this.zone = options.inputZone ?? 'UTC';
    this.zoneGiven = options.inputZone !== undefined && !options.inferZone;
    this.zoneSettled = !options.inferZone;
    this.reference = options.referenceTime;
    if (forceCat) this.mode = 'cat';
  }

  line(raw: string, lineNo: number): void {
    this.seeWidth(raw);
    this.dispatch(raw, lineNo);
  }

  private dispatch(raw: string, lineNo: number): void {
    // Separators may be highlighted on a tty; messages keep their bytes.
    const bare = raw.charCodeAt(0) === 0x1b ? raw.replace(ANSI, '') : raw;
    if (bare.startsWith('-- ') && this.separator(bare, lineNo)) return;
    const text = raw;
    if (this.mode === 'detect') {
      this.detect(text, lineNo);
      return;
    }
    if (this.mode === 'cat') this.catLine(text, lineNo);
    else this.shortLine(text, lineNo);
  }

  end(): ParseStats {
    this.ending = true;
    if (this.mode === 'detect') this.decide('cat');
    this.finishCurrent();
    this.decideOrder();
    this.settleZone();
    this.resolveQueued(undefined);
    if (this.order === 'reverse') this.flushReversed(this.pendingMarkers);
    else for (const marker of this.pendingMarkers) this.emitMarker(marker, undefined);
    this.pendingMarkers = [];
    return this.stats;
  }

  /** Pager width: lines ending in `>` at the widest width seen, which no line exceeds. */
  private seeWidth(text: string): void {
    const width = text.length;
    if (width > this.widest) {
      this.widest = width;
      this.cutAtWidest = 0;
      if (this.pagerWidth !== undefined) {
        this.pagerWidth = undefined;
        this.pagerContradicted = true;
      }
    }
    if (width === this.widest && text.endsWith('>')) {
      this.cutAtWidest++;
      if (this.cutAtWidest >= 2 && width >= MIN_PAGER_WIDTH && !this.pagerContradicted) this.pagerWidth = width;
    }
  }

  private detect(text: string, lineNo: number): void {
    this.detectionBuffer.push({ text, lineNo });
    if (parseStamp(text, this.zone, this.zoneGiven)) this.decide('short');
    else if (this.detectionBuffer.filter((l) => l.text.trim() !== '').length >= DETECTION_LINES) this.decide('cat');
  }

  private decide(mode: 'short' | 'cat'): void {
    this.mode = mode;
    const buffered = this.detectionBuffer.splice(0);
    for (const { text, lineNo } of buffered) this.dispatch(text, lineNo);
  }

  /** `-- … --` lines; false when the line is not a separator (then it is content). */
  private separator(text: string, lineNo: number): boolean {
    const source = { path: this.options.path, line: lineNo };
    const boot = BOOT_LINE.exec(text);
    if (boot || REBOOT_LINE.test(text)) {
      this.finishCurrent();
      const marker: JournalMarker = { kind: boot ? 'boot' : 'reboot', source, text };
      if (boot) marker.bootId = boot[1];
      this.bootId = boot?.[1];
      this.pendingMarkers.push(marker);
      return true;
    }
    const begin = BEGIN_LINE.exec(text);
    if (begin) {
      this.finishCurrent();
      const beginTs = parseHeaderDate(begin[1] as string, this.zone, this.zoneGiven);
      const endTs = begin[2] === undefined ? undefined : parseHeaderDate(begin[2], this.zone, this.zoneGiven);
      const marker: JournalMarker = { kind: 'logs-begin', source, text };
      if (beginTs !== undefined) marker.ts = beginTs;
      if (this.options.node) marker.node = this.options.node;
      this.emitSeparator(marker);
      const anchor = endTs ?? beginTs;
      if (anchor !== undefined && this.options.referenceTime === undefined) this.anchorAt(anchor, endTs !== undefined);
      return true;
    }
    if (NO_ENTRIES_LINE.test(text)) {
      this.finishCurrent();
      const marker: JournalMarker = { kind: 'no-entries', source, text };
      if (this.options.node) marker.node = this.options.node;
      this.emitSeparator(marker);
      return true;
    }
    return false;
  }

  private catLine(text: string, lineNo: number): void {
    const record: LogRecord = { ts: undefined, message: text, source: { path: this.options.path, line: lineNo } };
    if (this.options.node) record.node = this.options.node;
    if (this.options.unit) record.unit = this.options.unit;
    if (this.bootId) record.bootId = this.bootId;
    this.finishCurrent();
    this.current = { record, markersBefore: this.takeMarkers(), prefixWidth: 0 };
    if (text.endsWith('>')) this.current.cuts = [{ index: 0, width: text.length }];
    this.finishCurrent();
  }

  private shortLine(text: string, lineNo: number): void {
    const stamp = parseStamp(text, this.zone, this.zoneGiven);
    if (!stamp) {
      this.nonStampLine(text, lineNo);
      return;
    }
    const rest = text.slice(stamp.length);
    const firstSpace = rest.indexOf(' ');
    const firstToken = firstSpace < 0 ? rest : rest.slice(0, firstSpace);
    let host: string | undefined;
    let identPart: string;
    let messageStart: number;
    if (firstToken.endsWith(':')) {
      // No hostname column: the first token is already `ident[pid]:`.
      identPart = firstToken.slice(0, -1);
      messageStart = firstSpace < 0 ? rest.length : firstSpace + 1;
    } else {
      const colon = firstSpace < 0 ? -1 : rest.indexOf(': ', firstSpace + 1);
      const tagEnd = firstSpace < 0 ? -1 : rest.indexOf(' ', firstSpace + 1);
      const bareTag = tagEnd > firstSpace + 1 && BARE_TAG.test(rest.slice(firstSpace + 1, tagEnd)) &&
        (colon < 0 || !SPACED_IDENT_PID.test(rest.slice(firstSpace + 1, colon)));
      if (bareTag) {
        // RFC 3164 TAG ended by a space: `host syslog 2020-08-21 13:14:29.039 [INFO]… ipam.go 547: …`
        identPart = rest.slice(firstSpace + 1, tagEnd);
        messageStart = tagEnd + 1;
      } else if (colon >= 0) {
        identPart = rest.slice(firstSpace + 1, colon);
        messageStart = colon + 2;
      } else if (firstSpace >= 0 && rest.endsWith(':') && rest.length - 1 > firstSpace + 1) {
        identPart = rest.slice(firstSpace + 1, -1); // empty message, trailing space trimmed
        messageStart = rest.length;
      } else {
        this.unparsed(lineNo, 'no "identifier[pid]: " after the timestamp');
        return;
      }
      host = this.hosts.get(firstToken);
    }
    const withPid = IDENT_PID.exec(identPart);
    const identifier = this.identifiers.get(withPid ? (withPid[1] as string) : identPart);
    const message = rest.slice(messageStart);
    let yearless = stamp.yearless;
    if (stamp.cut) {
      yearless = restoreCutDate(stamp.cut, message);
      if (!yearless) {
        this.finishCurrent();
        this.unparsed(lineNo, 'journalctl timestamp without its month (cut off) and no klog time in the message that agrees');
        return;
      }
    }

    const record: LogRecord = { ts: stamp.ts, message, source: { path: this.options.path, line: lineNo } };
    const node = host ?? this.options.node;
    if (node) record.node = node;
    const unit = this.unitFor(identifier, message);
    if (unit) record.unit = unit;
    if (identifier) record.identifier = identifier;
    if (withPid) record.pid = Number(withPid[2]);
    if (this.bootId) record.bootId = this.bootId;

    this.finishCurrent();
    if (yearless && !this.zoneSettled) {
      const zone = zoneFromLogrus(yearless, message);
      if (zone !== undefined) {
        this.stats.zoneInferred = { zone, line: lineNo };
        this.settleZone(zone);
      }
    }
    if (stamp.ts !== undefined) this.anchorFromFullDate(stamp.ts);
    else if (yearless && this.year === undefined && this.reference === undefined) this.anchorFromMessage(message);
    const current: QueuedRecord = { record, markersBefore: this.takeMarkers(), prefixWidth: stamp.length + messageStart };
    if (yearless) current.yearless = yearless;
    if (this.order === 'undecided') {
      const key = orderKeyOf(stamp.ts, yearless, message);
      if (key) current.orderKey = key;
    }
    if (text.endsWith('>')) current.cuts = [{ index: 0, width: text.length }];
    this.current = current;
  }

  /** unitFor, remembered per identifier where the message does not matter (all but systemd's). */
  private unitFor(identifier: string, message: string): string | undefined {
    if (identifier === 'systemd') return unitFor(identifier, message, this.options.unit);
    let unit = this.unitOfIdentifier.get(identifier);
    if (unit === undefined && !this.unitOfIdentifier.has(identifier)) {
      unit = unitFor(identifier, message, this.options.unit);
      if (this.unitOfIdentifier.size < MAX_REMEMBERED_IDENTIFIERS) this.unitOfIdentifier.set(identifier, unit);
    }
    return unit;
  }

  private nonStampLine(text: string, lineNo: number): void {
    if (DIAGNOSTIC_LINE.test(text)) {
      this.unparsed(lineNo, 'journalctl diagnostic');
      return;
    }
    if (COMMENT_LINE.test(text)) {
      this.finishCurrent();
      this.unparsed(lineNo, 'comment (#), not journal output');
      return;
    }
    const current = this.current;
    if (!current) {
      if (text.trim() !== '') this.unparsed(lineNo, 'line does not start with a journalctl timestamp');
      return;
    }
    if (text === '') return; // journalctl never prints an empty continuation line (it indents)
    const width = current.prefixWidth;
    const indented = width > 0 && text.length >= width && isSpaces(text, width);
    if (text.endsWith('>')) (current.cuts ??= []).push({ index: countLines(current.record.message), width: text.length });
    current.record.message += '\n' + (indented ? text.slice(width) : text);
  }

  private takeMarkers(): JournalMarker[] {
    const markers = this.pendingMarkers;
    this.pendingMarkers = [];
    return markers;
  }

  /** The record being built is complete: place its year, then queue and drain. */
  private finishCurrent(): void {
    const queued = this.current;
    if (!queued) return;
    this.current = undefined;
    if (queued.yearless && this.zoneSettled && this.order !== 'undecided') {
      if (this.year === undefined && this.reference !== undefined) this.startYear(queued.yearless, this.reference);
      if (this.year !== undefined) this.place(queued);
    }
    queued.seq = ++this.seq;
    this.queue.push(queued);
    if (this.order === 'undecided') this.voteOrder(queued);
    if (this.queue.length > MAX_PENDING_RECORDS) {
      this.settleZone();
      this.resolveQueued(undefined);
    }
    this.drain();
  }

  /**
   * Fix the zone year-less records are read in (the one learned from the file, else the
   * fallback) and place the records that waited for it.
   */
  private settleZone(zone?: string): void {
    if (this.zoneSettled) return;
    if (zone !== undefined) this.zone = zone;
    this.zoneSettled = true;
    this.runningMonth = undefined;
    if (this.year !== undefined) {
      // While the order is undecided the running year waits for it (decideOrder places them).
      if (this.order !== 'undecided') for (const queued of this.queue) if (queued.yearless) this.place(queued);
    } else if (this.reference !== undefined) {
      this.resolveQueued(this.reference);
    }
    this.drain();
  }

  private startYear(stamp: YearlessStamp, reference: number): void {
    this.year = inferYear(stamp.month, stamp.day, reference, this.zone);
    this.lastMonth = stamp.month;
    this.stats.yearInferred ??= this.year;
  }

  /** Give a year-less record its year (running year, rolled over on Dec → Jan; back on Jan → Dec newest first). */
  private place(queued: QueuedRecord): void {
    const stamp = queued.yearless as YearlessStamp;
    if (this.order === 'reverse' ? stamp.month > this.lastMonth : stamp.month < this.lastMonth) {
      this.year = (this.year as number) + (this.order === 'reverse' ? -1 : 1);
    }
    this.lastMonth = stamp.month;
    this.stats.yearInferred ??= this.year;
    queued.record.ts = zonedToMicros(this.year as number, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second, stamp.micros, this.zone);
    delete queued.yearless;
  }

  /** A header time: reference for year-less records (end time) or the year they start in (begin only). */
  private anchorAt(micros: number, isEnd: boolean): void {
    if (isEnd) {
      this.reference = micros;
      this.year = undefined;
    } else {
      this.setRunningYear(micros);
    }
    this.resolveQueued(micros);
  }

  /** A fully dated record in a mixed file fixes the running year from here on. */
  private anchorFromFullDate(micros: number): void {
    if (this.options.referenceTime !== undefined) return;
    this.resolveQueued(micros);
    this.setRunningYear(micros);
  }

  /**
   * containerd and k8s-dqlite write logrus lines whose `time="…"` is a full RFC 3339 date of
   * (within milliseconds) the same moment: the first one is the file's own reference.
   */
  private anchorFromMessage(message: string): void {
    const micros = LOGRUS_TIME.exec(message)?.[1];
    const reference = micros === undefined ? undefined : isoToMicros(micros);
    if (reference === undefined) return;
    this.resolveQueued(reference);
    this.reference = reference;
  }

  private setRunningYear(micros: number): void {
    // Called for every fully dated line of a file read without a reference time: a luxon
    // DateTime per line dominated the parse, so the local month is computed once and reused.
    const month = this.runningMonth;
    if (month !== undefined && micros >= month.start && micros <= month.end) {
      this.year = month.year;
      this.lastMonth = month.month;
      return;
    }
    const local = DateTime.fromMillis(Math.floor(micros / 1000), { zone: isValidZone(this.zone) ? this.zone : 'UTC' });
    this.year = local.year;
    this.lastMonth = local.month;
    this.runningMonth = {
      start: local.startOf('month').toMillis() * 1000,
      end: local.endOf('month').toMillis() * 1000 + 999,
      year: local.year,
      month: local.month,
    };
  }

  /** Place (or give up on, with `reference` undefined) every queued year-less record. */
  private resolveQueued(reference: number | undefined): void {
    if (!this.zoneSettled) return; // settleZone places them with this reference
    for (const queued of this.queue) {
      if (!queued.yearless) continue;
      if (reference === undefined) {
        delete queued.yearless;
        this.stats.undated = (this.stats.undated ?? 0) + 1;
        continue;
      }
      const stamp = queued.yearless;
      const year = inferYear(stamp.month, stamp.day, reference, this.zone);
      this.stats.yearInferred ??= year;
      queued.record.ts = zonedToMicros(year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second, stamp.micros, this.zone);
      delete queued.yearless;
    }
    this.drain();
  }

  /** One more record towards the order decision: its time against the previous record's. */
  private voteOrder(queued: QueuedRecord): void {
    const key = queued.orderKey;
    delete queued.orderKey;
    const votes = this.orderVotes;
    if (key) {
      const step = this.lastOrderKey ? compareOrder(this.lastOrderKey, key) : 0;
      if (step > 0) votes.up++;
      else if (step < 0) votes.down++;
      this.lastOrderKey = key;
    }
    if (++votes.seen >= ORDER_WINDOW) this.decideOrder();
  }

  /**
   * Newest first when the times of the first records go down (twice at least, three times
   * as often as up: merged journals have a few inversions); then give the held
   * year-less records their running year (it waited for the direction) and release them.
   */
  private decideOrder(): void {
    if (this.order !== 'undecided') return;
    const { up, down } = this.orderVotes;
    this.order = down >= 2 && down > 3 * up ? 'reverse' : 'forward';
    this.lastOrderKey = undefined;
    if (this.zoneSettled) {
      for (const queued of this.queue) {
        if (!queued.yearless) continue;
        if (this.year === undefined && this.reference !== undefined) this.startYear(queued.yearless, this.reference);
        if (this.year !== undefined) this.place(queued);
      }
    }
    this.drain();
    // Separators after records still waiting for their year go out now, as they would have.
    this.releaseSeparators(Infinity);
  }

  /** `-- Logs begin … --` / `-- No entries --`: out at once, or in place once the order is decided. */
  private emitSeparator(marker: JournalMarker): void {
    if (this.order === 'undecided') this.heldSeparators.push({ marker, afterSeq: this.seq });
    else this.emitMarker(marker, undefined);
  }

  private releaseSeparators(upToSeq: number): void {
    const held = this.heldSeparators;
    let n = 0;
    while (n < held.length && (held[n] as { afterSeq: number }).afterSeq <= upToSeq) n++;
    if (n === 0) return;
    for (const { marker } of held.splice(0, n)) this.emitMarker(marker, undefined);
  }

  private drain(): void {
    if (this.order === 'undecided') return;
    let taken = 0;
    for (const queued of this.queue) {
      if (queued.yearless) break;
      taken++;
      if (this.order === 'reverse') {
        this.reversed.push(queued);
        if (this.reversed.length >= MAX_REVERSED_RECORDS) this.flushReversed([]);
        continue;
      }
      if (this.heldSeparators.length > 0) this.releaseSeparators((queued.seq ?? 1) - 1);
      for (const marker of queued.markersBefore) this.emitMarker(marker, queued.record);
      this.settleCuts(queued);
      this.stats.records++;
      this.options.onRecord(queued.record);
    }
    if (taken > 0) this.queue.splice(0, taken);
  }

  /**
   * Hand out held newest-first records oldest first. A marker printed between two records
   * (`-- Boot <older id> --` above the older boot's entries) marks the start of the newer
   * record's boot: it goes out before that record, with its boot id.
   */
  private flushReversed(trailing: JournalMarker[]): void {
    const held = this.reversed;
    this.reversed = [];
    for (let i = held.length - 1; i >= 0; i--) {
      const queued = held[i] as QueuedRecord;
      const below = i === held.length - 1 ? trailing : (held[i + 1] as QueuedRecord).markersBefore;
      for (const marker of below) this.emitReversedMarker(marker, queued.record);
      this.settleCuts(queued);
      this.stats.records++;
      this.options.onRecord(queued.record);
    }
    const top = held[0]?.markersBefore ?? [];
    for (const marker of top) this.emitReversedMarker(marker, this.olderEdge);
    const oldest = held[held.length - 1];
    if (oldest) this.olderEdge = oldest.record;
  }

  private emitReversedMarker(marker: JournalMarker, newer: LogRecord | undefined): void {
    if (marker.kind === 'boot') {
      if (newer?.bootId) marker.bootId = newer.bootId;
      else delete marker.bootId;
    }
    this.emitMarker(marker, newer);
  }

  /**
   * A record whose lines the pager cut (`>` at the pager width): drop the marks, flag the
   * message. Only once the whole member has been seen (records held to its end: the order
   * window, newest first); a record handed out earlier keeps its `>`, since a wider line
   * later would show there was no pager.
   */
  private settleCuts(queued: QueuedRecord): void {
    const cuts = queued.cuts;
    if (!cuts) return;
    delete queued.cuts;
    if (!this.ending) return;
    const width = this.pagerWidth;
    if (width === undefined || !cuts.some((c) => c.width === width)) return;
    const lines = queued.record.message.split('\n');
    for (const c of cuts) {
      const text = lines[c.index];
      if (c.width === width && text?.endsWith('>')) lines[c.index] = text.slice(0, -1);
    }
    queued.record.message = lines.join('\n');
    queued.record.truncatedFields = ['MESSAGE'];
  }

  private emitMarker(marker: JournalMarker, next: LogRecord | undefined): void {
    if (next?.ts !== undefined && marker.ts === undefined) marker.ts = next.ts;
    const node = next?.node ?? this.options.node;
    if (node && marker.node === undefined) marker.node = node;
    this.options.onMarker?.(marker);
  }

  private unparsed(line: number, reason: string): void {
    this.stats.unparsed++;
    this.options.onUnparsed?.({ path: this.options.path, line, reason });
  }
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function isSpaces(text: string, count: number): boolean {
  for (let i = 0; i < count; i++) if (text.charCodeAt(i) !== 0x20) return false;
  return true;
}

async function run(chunks: AsyncIterable<Buffer>, options: LogParseOptions, forceCat: boolean): Promise<ParseStats> {
  const reader = new JournalctlTextReader(options, forceCat);
  await forEachLine(chunks, (line, lineNo) => reader.line(lineText(line), lineNo), undefined, options.recycle);
  return reader.end();
}

/** journalctl `short*` / `cat` text; the form is detected from the first lines (mixing allowed per line). */
export const parseJournalctlText: LogParser = (chunks, options) => run(chunks, options, false);

/** journalctl `-o cat` text when the caller knows it (a cat of timestamped lines would look like `short`). */
export const parseJournalctlCat: LogParser = (chunks, options) => run(chunks, options, true);
