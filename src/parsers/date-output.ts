/**
 * The output of `date` saved with a capture (`date > date.txt`), the moment it was taken.
 *
 * Sample (coreutils `date`, C locale, on an AEST node; and `date -Is`):
 *   Mon May 18 01:00:15 AEST 2026
 *   2026-05-18T01:00:15+10:00
 *
 * Output: the moment in µs, used as the year reference of year-less journal and klog lines
 * read after it. Quirks: the classic form prints a zone abbreviation (mapped as the journal
 * parser maps them; an unknown one falls back to `zone`) or none (TZ unset: UTC).
 */
import { isoToMicros, monthFromAbbrev, printedZoneToMicros } from '../model/time.js';

// Mon May 18 01:00:15 AEST 2026  |  Mon May 18 01:00:15 +1000 2026  |  Mon May 18 01:00:15 2026
const CLASSIC = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]?\d) (\d\d):(\d\d):(\d\d)(?: ([A-Z]{2,5}|[+-]\d{4}))? (\d{4})$/;

/** The moment a `date` capture shows; undefined when its first line is not a date. */
export function parseDateOutput(text: string, zone: string): number | undefined {
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  const m = CLASSIC.exec(line);
  if (!m) return isoToMicros(line);
  const month = monthFromAbbrev(m[1]!);
  if (month === undefined) return undefined;
  return printedZoneToMicros(Number(m[7]), month, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]), 0, m[6] ?? 'UTC', zone);
}
