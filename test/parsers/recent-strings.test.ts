import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RecentStrings } from '../../src/parsers/recent-strings.js';

// Which string object comes back is not observable from JavaScript (strings compare by
// value); its effect, faster map lookups, is measured by `npm run bench`. What a test can
// hold is that no text ever changes, whatever the hits, misses and evictions.
describe('RecentStrings', () => {
  it('gives back an equal text for any sequence, at any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.constantFrom('', 'k8s01', 'k8s02', 'kubelite', 'ä', 'k8s01 '), { maxLength: 60 }), (ways, texts) => {
        const recent = new RecentStrings(ways);
        expect(texts.map((t) => recent.get(`${t}.`.slice(0, -1)))).toEqual(texts);
      }),
    );
  });
});
