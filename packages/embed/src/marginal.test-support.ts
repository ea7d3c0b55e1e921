/**
 * The distortion-freeness check the Gumbel and tournament tests share: a fixed 8-token
 * distribution, many random contexts (each a fresh PRF seed, as a fresh key would be), and a
 * chi-square of the emitted tokens against p.
 */
import { ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import type { UniformSource } from './marker-input.js';

export const support = [3, 70, 900, 5000, 12_000, 40_000, 90_000, 150_000];
export const weights = [0.3, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02];
export const probabilities = new Float32Array(ORDINARY_VOCAB_SIZE.o200k_base);
support.forEach((t, i) => {
  probabilities[t] = weights[i] as number;
});

/** Chi-square (7 degrees of freedom) of `draws` tokens, each sampled after a random h-token context. */
export function marginalChiSquare(
  marker: { sampleFromProbabilities(p: Float32Array, context: ArrayLike<number>, random: UniformSource): number },
  h: number,
  draws = 20_000,
): number {
  const random = new SeededRandom('marginal');
  const counts = new Map<number, number>();
  for (let i = 0; i < draws; i++) {
    const context = Array.from({ length: h }, () => random.nextInt(probabilities.length));
    const t = marker.sampleFromProbabilities(probabilities, context, random);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  let chi = 0;
  support.forEach((t, i) => {
    const expected = draws * (weights[i] as number);
    chi += ((counts.get(t) ?? 0) - expected) ** 2 / expected;
  });
  return chi;
}
