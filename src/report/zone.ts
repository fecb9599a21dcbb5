import { DateTime } from 'luxon';

/**
 * Rendering of report times in the chosen IANA zone, labelled with the zone's abbreviation.
 * ICU gives abbreviations only for locales that use them (`en-US` prints "GMT+10" for
 * Brisbane, `en-AU` prints "AEST"), so the locale is chosen from the zone's region.
 */
const LOCALE_BY_REGION: Array<[RegExp, string]> = [
  [/^Australia\//, 'en-AU'],
  [/^Pacific\/Auckland$/, 'en-NZ'],
  [/^Europe\/(London|Dublin)$/, 'en-GB'],
  [/^Asia\/(Kolkata|Calcutta)$/, 'en-IN'],
  [/^America\/|^US\//, 'en-US'],
  [/^Europe\//, 'en-GB'],
];

function localeFor(zone: string): string {
  return LOCALE_BY_REGION.find(([re]) => re.test(zone))?.[1] ?? 'en-US';
}

export function zoneAbbreviation(zone: string, micros: number): string {
  const dt = DateTime.fromMillis(Math.floor(micros / 1000), { zone, locale: localeFor(zone) });
  return dt.toFormat('ZZZZ');
}

/** `2026-05-18 00:15:02 AEST` */
export function formatInZone(micros: number, zone: string, withSeconds = true): string {
  const dt = DateTime.fromMillis(Math.floor(micros / 1000), { zone, locale: localeFor(zone) });
  return `${dt.toFormat(withSeconds ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm')} ${dt.toFormat('ZZZZ')}`;
}

export function formatIsoInZone(iso: string, zone: string, withSeconds = true): string {
  return formatInZone(Date.parse(iso) * 1000, zone, withSeconds);
}
