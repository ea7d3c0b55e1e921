/**
 * Tournament sampling (Dathathri et al., "Scalable watermarking for identifying large
 * language model outputs", Nature 2024 — SynthID-Text), in its vectorised two-leaf form:
 * each of m layers carries a keyed bit g_l(t) per token, and the distribution is updated
 * layer by layer as p ← p · (1 + g_l − E_p[g_l]), which is exactly the law of the winner of a
 * knockout between two independent draws that prefers g = 1. Over the key the output follows
 * p (non-distortionary); the emitted token's bits lean towards 1, which the detector counts.
 *
 * The m bits of a token are the low m bits of one keyed PRF word (m ≤ 32). The far tail of
 * the distribution (at most 1e-4 of the mass, `unmarkedFloor`) is left out of the update (it
 * is still drawn, unmarked, with its own mass), which bounds the work per step by the head.
 */
import { LineageInputError, type LineageKey, prfWord, type TournamentParameters } from '@lineage/core';
import { checkContext, checkProbabilities, drawAmong, resolveVocabSize, type UniformSource, unmarkedFloor } from './marker-input.js';
import { type MarkedAccountOptions, MarkingChannels } from './marking-channels.js';
import { repeatsEarlierWindow } from './repeated-window.js';

export interface TournamentMarkerOptions extends MarkedAccountOptions {
  readonly key: LineageKey;
  /** Length of the probability vectors (default: the key's tokenizer's ordinary vocabulary). */
  readonly vocabSize?: number;
}

export class TournamentMarker {
  readonly scheme = 'tournament';
  readonly parameters: TournamentParameters;
  readonly vocabSize: number;
  readonly #channels: MarkingChannels;
  readonly #seed = new Uint32Array(2);
  #ids = new Int32Array(1024);
  #mass = new Float64Array(1024);
  #words = new Uint32Array(1024);

  constructor(options: TournamentMarkerOptions) {
    const { key } = options;
    this.parameters = key.schemes.tournament;
    if (!(this.parameters.layers >= 1 && this.parameters.layers <= 32))
      throw new LineageInputError('tournament layers must be from 1 to 32');
    this.vocabSize = resolveVocabSize(key, options.vocabSize);
    this.#channels = new MarkingChannels(key, 'tournament', options);
  }

  sampleFromProbabilities(probabilities: Float32Array, context: ArrayLike<number>, random: UniformSource, responseStart = 0): number {
    const total = checkProbabilities(probabilities, this.vocabSize);
    const { contextWidth: h, layers } = this.parameters;
    const n = context.length;
    checkContext(context, h, this.vocabSize);
    const marked = n >= h && !repeatsEarlierWindow(context, Math.max(0, responseStart), h);
    const offset = marked ? this.#channels.seed(context, h, this.#seed) : 0;
    const lo = this.#seed[0] as number;
    const hi = this.#seed[1] as number;

    // Split the mass: tokens in the tournament, and a negligible remainder drawn unmarked.
    const floor = marked ? unmarkedFloor(probabilities, total) : 0;
    let count = 0;
    let kept = 0;
    for (let t = 0; t < probabilities.length; t++) {
      const p = probabilities[t] as number;
      if (p === 0 || (marked && p < floor)) continue;
      if (count === this.#ids.length) this.#grow();
      this.#ids[count] = t;
      this.#mass[count] = p / total;
      if (marked) this.#words[count] = prfWord(lo, hi, t + offset);
      kept += p / total;
      count++;
    }
    // The tail's own sum decides (not 1 − kept, which rounding can push above zero when there is no tail).
    if (marked) {
      let tail = 0;
      for (let t = 0; t < probabilities.length; t++) {
        const p = probabilities[t] as number;
        if (p > 0 && p < floor) tail += p;
      }
      if (tail > 0 && random.next() * total < tail) return drawAmong(probabilities, (p) => p < floor, tail, random);
    }
    const ids = this.#ids;
    const mass = this.#mass;
    const words = this.#words;
    for (let i = 0; i < count; i++) mass[i] = (mass[i] as number) / kept;
    if (marked) {
      for (let layer = 0; layer < layers; layer++) {
        let g = 0;
        for (let i = 0; i < count; i++) if (((words[i] as number) >>> layer) & 1) g += mass[i] as number;
        for (let i = 0; i < count; i++) mass[i] = (mass[i] as number) * (1 + (((words[i] as number) >>> layer) & 1) - g);
      }
    }
    let u = random.next();
    for (let i = 0; i < count - 1; i++) {
      u -= mass[i] as number;
      if (u < 0) return ids[i] as number;
    }
    return ids[count - 1] as number;
  }

  #grow(): void {
    const size = this.#ids.length * 2;
    const ids = new Int32Array(size);
    ids.set(this.#ids);
    const mass = new Float64Array(size);
    mass.set(this.#mass);
    const words = new Uint32Array(size);
    words.set(this.#words);
    this.#ids = ids;
    this.#mass = mass;
    this.#words = words;
  }
}
