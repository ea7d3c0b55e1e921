import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extendForm, normalizeWord, wordHash } from './word-form.js';

/** FNV-1a over UTF-16 code units, written out: what wordHash must equal on the normalized word. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const word = fc.oneof(
  fc.stringMatching(/^[A-Za-z'\u2019-]{0,12}$/),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('İstanbul', 'ΣΑΣ', 'Straße', 'DON\u2019T', 'ǅ', '\u{10400}'),
);

describe('word forms', () => {
  it('hashes a word as written to the FNV-1a of its normalized form', () => {
    fc.assert(
      fc.property(word, (w) => {
        expect(wordHash(w)).toBe(fnv1a(normalizeWord(w)));
      }),
      { numRuns: 2000 },
    );
  });

  it('extends a form hash by one word as if the normalized form were joined by a space', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(extendForm(wordHash(a), b)).toBe(fnv1a(`${normalizeWord(a)} ${normalizeWord(b)}`));
      }),
      { numRuns: 1000 },
    );
  });
});
