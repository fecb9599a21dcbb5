import { describe, expect, it } from 'vitest';
import { fixedOffsetZone, isValidZone, zonedToMicros, zoneLabel } from '../../src/model/time.js';

describe('fixed-offset zones', () => {
  it('names whole-hour offsets with IANA Etc/GMT (sign inverted) and labels them for people', () => {
    expect(fixedOffsetZone(600)).toBe('Etc/GMT-10');
    expect(fixedOffsetZone(-300)).toBe('Etc/GMT+5');
    expect(fixedOffsetZone(0)).toBe('UTC');
    expect(fixedOffsetZone(330)).toBeUndefined();
    expect(zoneLabel('Etc/GMT-10')).toBe('UTC+10:00');
    expect(zoneLabel('Etc/GMT+5')).toBe('UTC-05:00');
    expect(zoneLabel('Australia/Brisbane')).toBe('Australia/Brisbane');
  });

  it('the names are zones the converters accept, with the offset they say', () => {
    const zone = fixedOffsetZone(600)!;
    expect(isValidZone(zone)).toBe(true);
    expect(zonedToMicros(2026, 6, 5, 6, 0, 0, 0, zone)).toBe(Date.UTC(2026, 5, 4, 20, 0, 0) * 1000);
  });
});
