/**
 * The green-list watermark (Kirchenbauer et al., "A Watermark for Large Language Models",
 * ICML 2023): at each step a keyed PRF of the previous h tokens splits the vocabulary into a
 * green fraction γ and the rest, and green logits get +δ. Most positions use the provider
 * key that every account shares, so a student distilled from many accounts still inherits
 * one consistent bias; identity positions use the account's digit or campaign key instead
 * (marking-channels.ts; DESIGN.md, "Three channels").
 *
 * With `selfSeeded`, the green status of a candidate is seeded by the Min-SelfHash anchor of
 * the window plus the candidate (@lineage/core min-self-hash.ts) instead of the whole window.
 *
 * A context window that already occurred earlier in the same response is left unbiased:
 * repeating it would only amplify one choice (and detection scores each tuple once anyway).
 */
import {
  contextSeed,
  type GreenListParameters,
  greenThreshold,
  LineageInputError,
  type LineageKey,
  MinSelfHash,
  prfWord,
} from '@lineage/core';
import { SimdGreenList } from './green-list-simd.js';
import { checkContext, resolveVocabSize, type UniformSource } from './marker-input.js';
import { type MarkedAccountOptions, MarkingChannels } from './marking-channels.js';
import { repeatsEarlierWindow } from './repeated-window.js';

export type { UniformSource } from './marker-input.js';

export interface GreenListMarkerOptions extends MarkedAccountOptions {
  readonly key: LineageKey;
  /**
   * Length of the logits the pipeline produces. Default: the key's tokenizer's ordinary
   * vocabulary; a model with extra ids (special tokens, an end token) passes its own size.
   */
  readonly vocabSize?: number;
}

const MAX_DRAWS = 1_000_000;

export class GreenListMarker {
  readonly scheme = 'kgw';
  readonly parameters: GreenListParameters;
  readonly vocabSize: number;
  readonly #channels: MarkingChannels;
  readonly #threshold: number;
  readonly #boost: number;
  readonly #seed = new Uint32Array(2);
  #offset = 0;
  readonly #selfHash: MinSelfHash | undefined;
  readonly #anchorSeed = new Uint32Array(2);
  readonly #tokenSeed = new Uint32Array(2);
  readonly #one = new Uint32Array(1);
  #windowAnchor = 0;
  #simd: SimdGreenList | undefined | null = null;
  #green: Uint8Array | undefined;

  constructor(options: GreenListMarkerOptions) {
    const { key } = options;
    this.parameters = key.schemes.greenList;
    this.#selfHash = this.parameters.selfSeeded ? new MinSelfHash(key) : undefined;
    this.vocabSize = resolveVocabSize(key, options.vocabSize);
    this.#channels = new MarkingChannels(key, 'kgw', options);
    this.#threshold = greenThreshold(this.parameters.gamma);
    this.#boost = Math.exp(this.parameters.delta);
  }

  /** Whether `token` is green after the last h tokens of `context` on the channel that position carries. */
  isGreen(context: ArrayLike<number>, token: number): boolean {
    const h = this.parameters.contextWidth;
    checkContext(context, h, this.vocabSize);
    if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize)
      throw new LineageInputError(`token ${token} is outside the vocabulary`);
    this.#offset = this.#channels.seed(context, h, this.#seed);
    if (this.#selfHash) this.#anchorWindow(context, h);
    return this.#word(token) < this.#threshold;
  }

  /**
   * Adds δ in place to the logits of green tokens. Returns false (logits untouched) when the
   * step is not marked: fewer than h tokens of context, or a window repeated within the
   * response that starts at `responseStart`.
   */
  processLogits(logits: Float32Array, context: ArrayLike<number>, responseStart = 0): boolean {
    // The SIMD pass checks finiteness itself and leaves the logits untouched on a bad one.
    if (this.#simd === null) this.#simd = this.#selfHash || this.#threshold >= 2 ** 32 ? undefined : SimdGreenList.create(this.vocabSize);
    this.#checkLogits(logits, this.#simd === undefined);
    if (!this.#seeds(context, responseStart)) {
      if (this.#simd) this.#checkFinite(logits);
      return false;
    }
    // As int32 (small integers to V8) so the loop below never converts a double.
    const lo = (this.#seed[0] as number) | 0;
    const hi = (this.#seed[1] as number) | 0;
    const threshold = this.#threshold;
    // δ as a 32-bit float, as the SIMD pass adds it, so both paths give the same logits.
    const delta = Math.fround(this.parameters.delta);
    const offset = this.#offset;
    if (this.#simd) {
      const bad = this.#simd.mark(logits, lo, hi, offset, threshold, delta);
      if (bad >= 0) throw new LineageInputError(`logit ${bad} is ${logits[bad]}; logits must be finite or -Infinity`);
      return true;
    }
    if (this.#selfHash) {
      for (let t = 0; t < logits.length; t++) if (this.#word(t) < threshold) logits[t] = (logits[t] as number) + delta;
      return true;
    }
    // prfWord inlined (two rounds of lowbias32): this loop is the whole cost of a step.
    const n = logits.length;
    for (let t = 0; t < n; t++) {
      let x = (t + offset) ^ lo;
      x ^= x >>> 16;
      x = Math.imul(x, 0x7feb352d);
      x ^= x >>> 15;
      x = Math.imul(x, 0x846ca68b);
      x ^= x >>> 16;
      x ^= hi;
      x ^= x >>> 16;
      x = Math.imul(x, 0x7feb352d);
      x ^= x >>> 15;
      x = Math.imul(x, 0x846ca68b);
      x ^= x >>> 16;
      if (x >>> 0 < threshold) logits[t] = (logits[t] as number) + delta;
    }
    return true;
  }

  /**
   * Samples from probabilities with green tokens weighted by e^δ (the same as adding δ to the
   * logits before softmax), for pipelines that hold probabilities rather than logits.
   */
  sampleFromProbabilities(probabilities: Float32Array, context: ArrayLike<number>, random: UniformSource, responseStart = 0): number {
    this.#checkLogits(probabilities);
    const marked = this.#seeds(context, responseStart);
    const threshold = this.#threshold;
    this.#green ??= new Uint8Array(this.vocabSize);
    const green = this.#green;
    let total = 0;
    for (let t = 0; t < probabilities.length; t++) {
      const p = probabilities[t] as number;
      if (!(p >= 0)) throw new LineageInputError(`probability ${t} is ${p}; probabilities must be non-negative numbers`);
      const isGreen = marked && p > 0 && this.#word(t) < threshold ? 1 : 0;
      green[t] = isGreen;
      total += isGreen ? p * this.#boost : p;
    }
    if (!(total > 0 && Number.isFinite(total))) throw new LineageInputError('probabilities must have a positive, finite sum');
    let u = random.next() * total;
    let last = -1;
    for (let t = 0; t < probabilities.length; t++) {
      const p = probabilities[t] as number;
      if (p === 0) continue;
      const w = green[t] ? p * this.#boost : p;
      last = t;
      if (u < w) return t;
      u -= w;
    }
    return last;
  }

  /**
   * Samples the marked distribution by rejection from the pipeline's own sampler: draw from
   * the unmarked distribution, keep a green token, keep a red one with probability e^−δ.
   * Accepted tokens follow p·e^δ (green) vs p (red), exactly what `sampleFromProbabilities`
   * draws, at an expected e^δ / (1 + (e^δ − 1)·P(green)) draws and no pass over the vocabulary.
   */
  sampleWithDraw(drawUnmarked: () => number, context: ArrayLike<number>, random: UniformSource, responseStart = 0): number {
    const marked = this.#seeds(context, responseStart);
    const keepRed = 1 / this.#boost;
    // δ <= 10 bounds the expected number of draws by e^10 ≈ 22,026 even when every proposal
    // is red; missing 10^6 in a row then has probability below e^-45.
    for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
      const t = drawUnmarked();
      if (!Number.isInteger(t) || t < 0 || t >= this.vocabSize)
        throw new LineageInputError(`the unmarked sampler returned ${t}, outside the vocabulary`);
      if (!marked || this.#word(t) < this.#threshold || random.next() < keepRed) return t;
    }
    throw new LineageInputError(`no draw accepted in ${MAX_DRAWS} tries: the sampler or random source is not random`);
  }

  /** Computes the context seed; false when this step is left unmarked. */
  #seeds(context: ArrayLike<number>, responseStart: number): boolean {
    const h = this.parameters.contextWidth;
    const n = context.length;
    checkContext(context, h, this.vocabSize);
    if (n < h || repeatsEarlierWindow(context, Math.max(0, responseStart), h)) return false;
    this.#offset = this.#channels.seed(context, h, this.#seed);
    if (this.#selfHash) this.#anchorWindow(context, h);
    return true;
  }

  /** Self-seeded: the window's anchor and its seed under the step's channel key. */
  #anchorWindow(context: ArrayLike<number>, h: number): void {
    this.#windowAnchor = (this.#selfHash as MinSelfHash).windowAnchor(context, context.length - h, h);
    this.#one[0] = this.#windowAnchor;
    contextSeed(this.#channels.channelKey, this.#one, 0, 1, this.#anchorSeed);
  }

  /** The keyed word of token t at the step last seeded (green when below the threshold). */
  #word(t: number): number {
    const x = t + this.#offset;
    if (!this.#selfHash) return prfWord(this.#seed[0] as number, this.#seed[1] as number, x);
    const anchor = this.#selfHash.anchor(this.#windowAnchor, t);
    if (anchor === this.#windowAnchor) return prfWord(this.#anchorSeed[0] as number, this.#anchorSeed[1] as number, x);
    this.#one[0] = anchor;
    contextSeed(this.#channels.channelKey, this.#one, 0, 1, this.#tokenSeed);
    return prfWord(this.#tokenSeed[0] as number, this.#tokenSeed[1] as number, x);
  }

  #checkLogits(values: Float32Array, finite = true): void {
    if (!(values instanceof Float32Array)) throw new LineageInputError('logits must be a Float32Array');
    if (values.length !== this.vocabSize) {
      throw new LineageInputError(`logits have length ${values.length}, but the vocabulary has ${this.vocabSize} ids`);
    }
    if (finite) this.#checkFinite(values);
  }

  #checkFinite(values: Float32Array): void {
    // -Infinity is a legitimate mask; NaN and +Infinity are not (one comparison catches both).
    for (let t = 0; t < values.length; t++) {
      const x = values[t] as number;
      if (!(x < Number.POSITIVE_INFINITY)) throw new LineageInputError(`logit ${t} is ${x}; logits must be finite or -Infinity`);
    }
  }
}
