import { createTokenizer } from '@lineage/core/tokenizer';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { IncrementalDetokenizer } from './incremental-detokenizer.js';

const tokenizer = createTokenizer({ encoding: 'o200k_base' });
afterAll(() => tokenizer.dispose());

function pieces(ids: ArrayLike<number>): string[] {
  const detokenizer = new IncrementalDetokenizer(tokenizer);
  const out = Array.from(ids, (id) => detokenizer.push(id));
  out.push(detokenizer.flush());
  return out;
}

describe('IncrementalDetokenizer', () => {
  it('holds back characters split across tokens', () => {
    const ids = tokenizer.encode('🦜 ꙮ');
    expect(ids.length).toBeGreaterThan(3);
    const out = pieces(ids);
    expect(out.join('')).toBe('🦜 ꙮ');
    expect(out.some((piece) => piece === '')).toBe(true);
    expect(out.join('')).not.toContain('\uFFFD');
  });

  it('concatenates to the one-shot decoding, for texts and for arbitrary token sequences', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const out = pieces(tokenizer.encode(text));
        expect(out.join('')).toBe(text.toWellFormed());
        // Only whole characters are emitted: no piece holds a replacement the text lacks.
        if (!text.toWellFormed().includes('\uFFFD')) for (const piece of out) expect(piece).not.toContain('\uFFFD');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: tokenizer.vocabSize - 1 }), { maxLength: 12 }), (ids) => {
        expect(pieces(ids).join('')).toBe(tokenizer.decode(ids));
      }),
      { numRuns: 300 },
    );
  });
});
