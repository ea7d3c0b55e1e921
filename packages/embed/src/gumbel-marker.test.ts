import { keyFromSecret, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { GumbelMarker } from './gumbel-marker.js';

const key = keyFromSecret(new Uint8Array(32).fill(12));
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];
const support = [3, 70, 900, 5000, 12_000, 40_000, 90_000, 150_000];
const weights = [0.3, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02];
const probabilities = new Float32Array(V);
support.forEach((t, i) => {
  probabilities[t] = weights[i] as number;
});

function chiSquare(counts: Map<number, number>, draws: number): number {
  let chi = 0;
  support.forEach((t, i) => {
    const expected = draws * (weights[i] as number);
    chi += ((counts.get(t) ?? 0) - expected) ** 2 / expected;
  });
  return chi;
}

describe('GumbelMarker', () => {
  const marker = new GumbelMarker({ key, accountId: 'acct-1' });
  const h = key.schemes.gumbel.contextWidth;

  it('is distortion-free: over contexts (keys), the emitted token follows p (chi-square)', () => {
    const random = new SeededRandom('marginal');
    const counts = new Map<number, number>();
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      const context = Array.from({ length: h }, () => random.nextInt(V));
      const t = marker.sampleFromProbabilities(probabilities, context, random);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    expect(chiSquare(counts, draws)).toBeLessThan(30); // 7 degrees of freedom, 99.99th percentile about 29.9
  });

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
