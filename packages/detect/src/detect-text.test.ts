import { keyFromSecret, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { GreenListMarker } from '@lineage/embed/logits';
import { describe, expect, it } from 'vitest';
import { detectText } from './detect-text.js';
import { detectTokens } from './detect-tokens.js';

const key = keyFromSecret(new Uint8Array(32).fill(41));

describe('detectText and detectTokens', () => {
  it('re-tokenizes text, tests every scheme with auto and corrects each p-value for the number tested', () => {
    using tokenizer = createTokenizer();
    // Marked text over ordinary English words: a flat distribution over the tokens of a sentence list.
    const words = [
      ...new Set(
        tokenizer.encode(
          ' the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her',
        ),
      ),
    ];
    const probabilities = new Float32Array(ORDINARY_VOCAB_SIZE[key.tokenizer]);
    for (const t of words) probabilities[t] = 1;
    const marker = new GreenListMarker({ key, accountId: 'acct-1' });
    const random = new SeededRandom('text');
    const tokens = [words[0] as number, words[1] as number];
    while (tokens.length < 300) tokens.push(marker.sampleFromProbabilities(probabilities, tokens, random));
    const results = detectText({ key, scheme: 'auto', texts: [tokenizer.decode(tokens)] });
    expect(results.map((r) => r.scheme)).toEqual(['kgw', 'gumbel', 'tournament']);
    const [kgw, gumbel] = results as [(typeof results)[0], (typeof results)[0]];
    expect(kgw).toMatchObject({ verdict: 'marked', correction: 'bonferroni over 3 schemes' });
    expect(kgw.pValue).toBeCloseTo(Math.min(1, 3 * (kgw.uncorrectedPValue as number)), 12);
    expect(gumbel.verdict).toBe('not-marked');
    const single = detectTokens({ key, scheme: 'kgw', texts: [tokens] });
    expect(single).toHaveLength(1);
    expect(single[0]).not.toHaveProperty('correction');
  });

  it('refuses unknown schemes and non-string texts with typed errors', () => {
    expect(() => detectTokens({ key, scheme: 'nope' as 'kgw', texts: [] })).toThrow(/unknown scheme "nope"/);
    expect(() => detectText({ key, scheme: 'kgw', texts: [42 as unknown as string] })).toThrow(/text 0 is not a string/);
  });
});
