import { keyFromSecret, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { GumbelMarker } from './gumbel-marker.js';
import { marginalChiSquare, probabilities } from './marginal.test-support.js';

const key = keyFromSecret(new Uint8Array(32).fill(12));
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];

describe('GumbelMarker', () => {
  const marker = new GumbelMarker({ key, accountId: 'acct-1' });
  const h = key.schemes.gumbel.contextWidth;

  it('is distortion-free: over contexts (keys), the emitted token follows p (chi-square)', () => {
    expect(marginalChiSquare(marker, h)).toBeLessThan(30); // 7 degrees of freedom, 99.99th percentile about 29.9
  }, 180_000); // many sampled keys: 45 s on a quiet 2-core machine, more under load

  it('is deterministic for a context, and falls back to plain sampling on a repeated window', () => {
    const random = new SeededRandom('det');
    const context = [1, 2, 3, 4];
    const first = marker.sampleFromProbabilities(probabilities, context, random);
    for (let i = 0; i < 20; i++) expect(marker.sampleFromProbabilities(probabilities, context, random)).toBe(first);
    const repeated = [1, 2, 3, 4, 9, 1, 2, 3, 4];
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(marker.sampleFromProbabilities(probabilities, repeated, random, 0));
    expect(seen.size).toBeGreaterThan(3);
  });

  it('refuses bad probabilities and context with typed errors', () => {
    const random = new SeededRandom(1);
    expect(() => marker.sampleFromProbabilities(new Float32Array(5), [1, 2, 3, 4], random)).toThrow(/length/);
    const bad = Float32Array.from(probabilities);
    bad[7] = Number.NaN;
    expect(() => marker.sampleFromProbabilities(bad, [1, 2, 3, 4], random)).toThrow(/probability 7/);
    expect(() => marker.sampleFromProbabilities(new Float32Array(V), [1, 2, 3, 4], random)).toThrow(/positive, finite sum/);
    expect(() => marker.sampleFromProbabilities(probabilities, [1, 2, 3, V], random)).toThrow(/outside the vocabulary/);
  });
});
