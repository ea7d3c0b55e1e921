import { binomialTail, keyFromSecret, ksUniform, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { GreenListMarker } from '@lineage/embed/logits';
import { describe, expect, it } from 'vitest';
import { detectGreenList } from './green-list-detector.js';

const key = keyFromSecret(new Uint8Array(32).fill(3));
const otherKey = keyFromSecret(new Uint8Array(32).fill(4));
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];

/** Exactly uniform under H0: P(X > k) + U · P(X = k). */
function randomizedPValue(k: number, n: number, p: number, u: number): number {
  const above = k + 1 > n ? 0 : binomialTail(k + 1, n, p).pValue;
  return above + u * (binomialTail(k, n, p).pValue - above);
}

/** Texts drawn from a flat distribution, marked or not, 150 tokens each. */
function texts(count: number, seed: string, marker?: GreenListMarker): number[][] {
  const random = new SeededRandom(seed);
  const flat = new Float32Array(V).fill(1 / V);
  return Array.from({ length: count }, () => {
    const tokens = [random.nextInt(V), random.nextInt(V)];
    while (tokens.length < 150) tokens.push(marker ? marker.sampleFromProbabilities(flat, tokens, random) : random.nextInt(V));
    return tokens;
  });
}

describe('detectGreenList', () => {
  it('is calibrated on unmarked text: randomized p-values pass a KS test and reported ones hold the nominal rate', () => {
    const random = new SeededRandom('u');
    const randomized: number[] = [];
    let falsePositives = 0;
    for (const tokens of texts(1500, 'clean')) {
      const result = detectGreenList({ key, texts: [tokens] });
      randomized.push(randomizedPValue(result.score, result.scored, key.schemes.greenList.gamma, random.next()));
      if (result.pValue <= 0.01) falsePositives++;
    }
    expect(ksUniform(randomized).pValue).toBeGreaterThan(1e-3);
    expect(falsePositives).toBeLessThanOrEqual(30); // 1% of 1,500 is 15; binomial 99.99th percentile is about 31
  });

  it('finds marked text and not with a wrong key, with the contract fields', () => {
    const marker = new GreenListMarker({ key, accountId: 'acct-1' });
    const [tokens] = texts(1, 'marked', marker) as [number[]];
    const result = detectGreenList({ key, texts: [tokens] });
    expect(result).toMatchObject({ scheme: 'kgw', channel: 'provider', verdict: 'marked', keyId: key.keyId, commitment: key.commitment });
    // 148 windows; about a quarter are identity positions, which the provider test leaves out.
    expect(result.scored).toBeGreaterThan(90);
    expect(result.scored).toBeLessThan(140);
    expect(result.expected).toBeCloseTo(0.25 * result.scored);
    expect(result.log10P).toBeLessThan(-6);
    expect(detectGreenList({ key: otherKey, texts: [tokens] }).verdict).toBe('not-marked');
  });

  it('scores a repeated tuple once across all texts and never scores excluded prompt windows', () => {
    const [tokens] = texts(1, 'dup') as [number[]];
    const once = detectGreenList({ key, texts: [tokens] });
    const twice = detectGreenList({ key, texts: [tokens, tokens] });
    expect(twice.scored).toBe(once.scored);
    expect(twice.score).toBe(once.score);
    expect(detectGreenList({ key, texts: [tokens], exclude: [tokens] }).scored).toBe(0);
    expect(() => detectGreenList({ key, texts: [tokens], alpha: 0 })).toThrow(/alpha/);
  });
});
