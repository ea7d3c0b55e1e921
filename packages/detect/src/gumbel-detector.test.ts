import { keyFromSecret, ksUniform, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { GumbelMarker } from '@lineage/embed/logits';
import { describe, expect, it } from 'vitest';
import { detectGumbel } from './gumbel-detector.js';

const key = keyFromSecret(new Uint8Array(32).fill(13));
const otherKey = keyFromSecret(new Uint8Array(32).fill(14));
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];

describe('detectGumbel', () => {
  it('gives uniform p-values on unmarked text (KS) and holds the nominal rate', () => {
    const random = new SeededRandom('clean');
    const pValues: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const tokens = Array.from({ length: 100 }, () => random.nextInt(V));
      pValues.push(detectGumbel({ key, texts: [tokens] }).pValue);
    }
    expect(ksUniform(pValues).pValue).toBeGreaterThan(1e-3);
    expect(pValues.filter((p) => p <= 0.01).length).toBeLessThanOrEqual(30);
  });

  it('finds Gumbel-sampled text, not with a wrong key, and scores repeated tuples once', () => {
    const random = new SeededRandom('marked');
    const marker = new GumbelMarker({ key, accountId: 'acct-1' });
    // A flat distribution over 2,000 tokens: about 11 bits of entropy per token.
    const probabilities = new Float32Array(V);
    for (let t = 0; t < 2000; t++) probabilities[t * 50] = 1;
    const tokens = [1, 2, 3, 4];
    while (tokens.length < 104) tokens.push(marker.sampleFromProbabilities(probabilities, tokens, random));
    const result = detectGumbel({ key, texts: [tokens] });
    expect(result).toMatchObject({ scheme: 'gumbel', channel: 'provider', verdict: 'marked', expected: result.scored });
    expect(result.scored).toBeGreaterThan(60); // 100 windows less the identity positions
    expect(result.score).toBeGreaterThan(2 * result.scored);
    expect(detectGumbel({ key: otherKey, texts: [tokens] }).verdict).toBe('not-marked');
    expect(detectGumbel({ key, texts: [tokens, tokens] }).scored).toBe(result.scored);
    expect(detectGumbel({ key, texts: [tokens], exclude: [tokens] })).toMatchObject({ scored: 0, pValue: 1 });
  });
});
