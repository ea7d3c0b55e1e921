/**
 * Gumbel / exponential-minimum sampling (Aaronson 2022; Kuditipudi et al. 2023 analyse the
 * same rule): with keyed uniforms r_t from the PRF of the previous h tokens, emit
 * argmax_t r_t^(1/p_t). Over the key this is an exact draw from p, so the text distribution
 * is unchanged (distortion-free), yet the chosen token's r is pushed towards 1, which the
 * detector sums as −log(1 − r).
 *
 * A window repeated within the response would repeat the same choice deterministically, so
 * such a step is drawn plainly from p with the caller's randomness instead. The far tail of
 * the distribution (at most 1e-4 of the mass, `unmarkedFloor`) is drawn plainly too, with
 * exactly its own mass, so the race (and its PRF calls) covers only the head.
 */
import { type GumbelParameters, type LineageKey, prfUniform } from '@lineage/core';
import { checkContext, checkProbabilities, drawAmong, resolveVocabSize, type UniformSource, unmarkedFloor } from './marker-input.js';
import { type MarkedAccountOptions, MarkingChannels } from './marking-channels.js';
import { repeatsEarlierWindow } from './repeated-window.js';

export interface GumbelMarkerOptions extends MarkedAccountOptions {
  readonly key: LineageKey;
  /** Length of the probability vectors (default: the key's tokenizer's ordinary vocabulary). */
  readonly vocabSize?: number;
}

export class GumbelMarker {
  readonly scheme = 'gumbel';
  readonly parameters: GumbelParameters;
  readonly vocabSize: number;
  readonly #channels: MarkingChannels;
  readonly #seed = new Uint32Array(2);

  constructor(options: GumbelMarkerOptions) {
    const { key } = options;
    this.parameters = key.schemes.gumbel;
    this.vocabSize = resolveVocabSize(key, options.vocabSize);
    this.#channels = new MarkingChannels(key, 'gumbel', options);
  }

  /**
   * The next token for `probabilities` (non-negative, any positive total) after `context`.
   * Unmarked steps (short context, repeated window) draw from p with `random`.
   */
  sampleFromProbabilities(probabilities: Float32Array, context: ArrayLike<number>, random: UniformSource, responseStart = 0): number {
    const total = checkProbabilities(probabilities, this.vocabSize);
    const h = this.parameters.contextWidth;
    const n = context.length;
    checkContext(context, h, this.vocabSize);
    if (n < h || repeatsEarlierWindow(context, Math.max(0, responseStart), h)) return drawAmong(probabilities, () => true, total, random);
    const offset = this.#channels.seed(context, h, this.#seed);
    const lo = this.#seed[0] as number;
    const hi = this.#seed[1] as number;
    // Tokens below the floor (together at most 1e-4 of the mass) are drawn, unmarked, with
    // exactly their own mass; the race runs among the rest. The mixture is still exactly p,
    // and the PRF is evaluated only over the head of the distribution.
    const floor = unmarkedFloor(probabilities, total);
    let tail = 0;
    for (let t = 0; t < probabilities.length; t++) {
      const p = probabilities[t] as number;
      if (p > 0 && p < floor) tail += p;
    }
    if (tail > 0 && random.next() * total < tail) return drawAmong(probabilities, (p) => p < floor, tail, random);
    // Maximise log(r)/p. Since log(r) <= r - 1, a token with (r - 1) < best * p cannot win,
    // which skips the logarithm for almost every token once a good candidate is known.
    let best = Number.NEGATIVE_INFINITY;
    let winner = -1;
    for (let t = 0; t < probabilities.length; t++) {
      const raw = probabilities[t] as number;
      // The same test as the tail's, on the same value: every token is in exactly one part.
      if (raw === 0 || raw < floor) continue;
      const p = raw / total;
      const r = prfUniform(lo, hi, t + offset);
      if (r - 1 < best * p) continue;
      const score = Math.log(r) / p;
      if (score > best) {
        best = score;
        winner = t;
      }
    }
    return winner;
  }
}
