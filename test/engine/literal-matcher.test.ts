import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { EventStore } from '../../src/engine/store.js';
import { LiteralMatcher } from '../../src/engine/literal-matcher.js';

/** What find() must return: every literal the text contains, each once. */
function naive(literals: readonly string[], text: string): number[] {
  return literals.flatMap((literal, index) => (literal.length > 0 && text.includes(literal) ? [index] : []));
}

const sorted = (found: number[] | undefined) => [...(found ?? [])].sort((a, b) => a - b);

describe('LiteralMatcher', () => {
  it('finds exactly the literals a text contains (small alphabet: overlaps, repeats, 7-bit fold collisions)', () => {
    // 'a' and '\u00e1' and '\u0161' fold to the same 7 bits; ' ' and 'd' make the "d " block of real literals.
    const char = fc.constantFrom('a', 'b', 'd', 'e', ' ', '\u00e1', '\u0161', 'S');
    const literal = fc.array(char, { minLength: 1, maxLength: 9 }).map((c) => c.join(''));
    const text = fc.array(char, { maxLength: 200 }).map((c) => c.join(''));
    fc.assert(fc.property(fc.array(literal, { minLength: 1, maxLength: 12 }), text, (literals, t) => {
      expect(sorted(new LiteralMatcher(literals).find(t))).toEqual(naive(literals, t));
    }), { numRuns: 3000 });
  });

  it('finds the store’s literals wherever they sit in log-like text', () => {
    const literals = new EventStore().prefilterLiterals;
    const matcher = new LiteralMatcher(literals);
    const words = fc.constantFrom('Started ', 'started ', 'used ', 'ed ', 'd ', 'Stopped', ' ', 'pleg was last seen', 'kubelet', 'Consumed ', 'leader');
    const text = fc.tuple(fc.array(words, { maxLength: 20 }), fc.constantFrom(...literals), fc.array(words, { maxLength: 20 }), fc.boolean())
      .map(([a, l, b, put]) => a.join('') + (put ? l : '') + b.join(''));
    fc.assert(fc.property(text, (t) => {
      expect(sorted(matcher.find(t))).toEqual(naive(literals, t));
    }), { numRuns: 3000 });
  });
});
