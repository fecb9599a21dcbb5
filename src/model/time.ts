import { DateTime, IANAZone } from 'luxon';

/**
 * Time helpers shared by all parsers. Internal unit: µs since the Unix epoch (UTC),
 * a JS number (exact up to year 2255).
 */

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_DAY = 24 * 60 * MICROS_PER_MINUTE;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `May` → 5; undefined for anything else (localized months are not guessed). */
export function monthFromAbbrev(abbrev: string): number | undefined {
  const i = MONTHS.indexOf(abbrev.slice(0, 3).toLowerCase());
  return i < 0 ? undefined : i + 1;
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Offset cache: zone → hour bucket (local wall-clock, as a number) → offset minutes. */
const offsetCache = new Map<string, Map<number, number>>();

/**
 * Wall-clock time in `zone` → µs since epoch. Offsets are cached per local hour, so
 * parsing millions of lines costs one luxon call per hour of log.
 */
export function zonedToMicros(
  year: number, month: number, day: number,
  hour: number, minute: number, second: number, micros: number,
  zone = 'UTC',
): number {
  const naiveMs = Date.UTC(year, month - 1, day, hour, minute, second);
  if (zone === 'UTC' || zone === 'Etc/UTC') return naiveMs * 1000 + micros;
  let byHour = offsetCache.get(zone);
  if (!byHour) {
    byHour = new Map();
    offsetCache.set(zone, byHour);
  }
  const hourKey = Math.floor(naiveMs / 3_600_000);
  let offsetMinutes = byHour.get(hourKey);
  if (offsetMinutes === undefined) {
    const dt = DateTime.fromObject({ year, month, day, hour, minute: 0, second: 0 }, { zone });
    offsetMinutes = dt.isValid ? dt.offset : 0;
    byHour.set(hourKey, offsetMinutes);
  }
  return (naiveMs - offsetMinutes * 60_000) * 1000 + micros;
}

/**
 * Year for a year-less `month`/`day` seen in a capture taken at `referenceMicros`: the
 * reference year, or the previous one when the date would lie more than a day after the
 * reference (a December line in a January capture).
 */
export function inferYear(month: number, day: number, referenceMicros: number, zone = 'UTC'): number {
  const ref = DateTime.fromMillis(Math.floor(referenceMicros / 1000), { zone: isValidZone(zone) ? zone : 'UTC' });
  const candidate = ref.set({ month, day });
  return candidate.toMillis() > ref.toMillis() + MICROS_PER_DAY / 1000 ? ref.year - 1 : ref.year;
}

/** µs → `2026-05-17T13:15:00.123456Z` trimmed to milliseconds (the report's ISO form). */
export function microsToIso(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString();
}

/** ISO-8601 / RFC 3339 with zone → µs; keeps sub-millisecond digits. Undefined if invalid. */
export function isoToMicros(text: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s*(Z|[+-]\d\d:?\d\d)?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const micros = Number((frac + '000000').slice(0, 6));
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return ms * 1000 + micros;
}

/**
 * A time a person typed (`--since 2026-05-18 00:15`): a date, optionally with minutes,
 * seconds, fraction and zone. Without a zone it is wall-clock time in `zone`.
 */
export function userTimeToMicros(text: string, zone: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', offset] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const inRange = month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60;
  if (!inRange) return undefined;
  if (offset) return isoToMicros(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? `.${frac}` : ''}${offset}`);
  return zonedToMicros(year, month, day, hour, minute, second, Number((frac + '000000').slice(0, 6)), zone);
}

/** Parse a duration like `4m30s`, `2h33m12.704970756s`, `90s`, `1m` → µs. */
export function parseGoDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|ms|µs|us|ns|m|s)/g;
  let total = 0;
  let matched = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'h' ? n * 3600e6 : unit === 'm' ? n * 60e6 : unit === 's' ? n * 1e6
      : unit === 'ms' ? n * 1e3 : unit === 'ns' ? n / 1e3 : n;
    matched += m[0];
  }
  return matched.length > 0 && matched === text.trim() ? Math.round(total) : undefined;
}

/**
 * Offsets (minutes east of UTC) of the zone abbreviations strftime `%Z` prints for common
 * zones (journalctl short-full, systemctl status, date). Some name several zones (IST:
 * India/Israel/Ireland, CST: US/China, BST: British/Bangladesh); they map to their most
 * common reading and `AMBIGUOUS_ZONE_ABBREVIATIONS` lets callers say so.
 */
export const AMBIGUOUS_ZONE_ABBREVIATIONS: ReadonlySet<string> = new Set(['IST', 'CST', 'BST']);
const ZONE_ABBREVIATIONS: Readonly<Record<string, number>> = {
  IST: 330, CST: -360, BST: 60,
  UTC: 0, GMT: 0, Z: 0, WET: 0, WEST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180,
  MSK: 180, SAST: 120, EST: -300, EDT: -240, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600, AEST: 600, AEDT: 660, ACST: 570, ACDT: 630, AWST: 480, NZST: 720,
  NZDT: 780, JST: 540, KST: 540, HKT: 480, SGT: 480, WIB: 420, PHT: 480, PKT: 300, BRT: -180, ART: -180,
};

// +10  |  -0330  |  +05:30
const NUMERIC_ZONE = /^([+-])(\d\d):?(\d\d)?$/;

/** A printed zone (`AEST`, `+10`, `-0330`, `+05:30`) → minutes east of UTC; undefined when unknown. */
export function printedZoneOffsetMinutes(zone: string): number | undefined {
  const known = ZONE_ABBREVIATIONS[zone.toUpperCase()];
  if (known !== undefined) return known;
  const numeric = NUMERIC_ZONE.exec(zone);
  if (!numeric) return undefined;
  return (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3] ?? 0));
}

/**
 * The IANA zone of a whole-hour UTC offset: `Etc/GMT-10` is UTC+10 (POSIX-style names invert
 * the sign). Undefined for offsets that are not whole hours (they have no such name).
 */
export function fixedOffsetZone(offsetMinutes: number): string | undefined {
  if (offsetMinutes % 60 !== 0) return undefined;
  const hours = offsetMinutes / 60;
  return hours === 0 ? 'UTC' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

/** `Etc/GMT-10` → `UTC+10:00` for people; other zone names as they are. */
export function zoneLabel(zone: string): string {
  const m = /^Etc\/GMT([+-])(\d+)$/.exec(zone);
  if (!m) return zone;
  return `UTC${m[1] === '-' ? '+' : '-'}${m[2]!.padStart(2, '0')}:00`;
}

/**
 * Wall-clock time with a printed zone → µs. An unknown zone falls back to `fallbackZone`; so
 * does an ambiguous one (CST, IST, BST) when `fallbackIsKnown` — the operator said where the
 * host is — and otherwise it takes its most common reading.
 */
export function printedZoneToMicros(
  year: number, month: number, day: number, hour: number, minute: number, second: number, micros: number,
  printedZone: string | undefined, fallbackZone: string, fallbackIsKnown = false,
): number {
  const ambiguous = printedZone !== undefined && AMBIGUOUS_ZONE_ABBREVIATIONS.has(printedZone.toUpperCase());
  const offset = printedZone === undefined || (ambiguous && fallbackIsKnown) ? undefined : printedZoneOffsetMinutes(printedZone);
  if (offset === undefined) return zonedToMicros(year, month, day, hour, minute, second, micros, fallbackZone);
  return zonedToMicros(year, month, day, hour, minute, second, micros, 'UTC') - offset * MICROS_PER_MINUTE;
}
