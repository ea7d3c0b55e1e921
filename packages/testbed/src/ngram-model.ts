/**
 * A token-level n-gram language model with interpolated modified Kneser–Ney smoothing over
 * tiktoken ids, plus one boundary token that ends a paragraph (and a response).
 *
 * The next-token distribution has a structure the model exploits: it is
 *   P(w | ctx) = S · base(w) + sparse(w)
 * where base is the smoothed unigram (the same for every context), S the product of the
 * back-off weights of the longer contexts, and sparse is non-zero only on tokens seen after
 * those contexts. Plain sampling walks the back-off chain (O(order · log n)); temperature
 * reuses a cached base^(1/T); top-p merges the sorted sparse tokens with the precomputed base
 * order and stops at the nucleus. Only `distribution` writes all V entries.
 */
import { endianness } from 'node:os';
import { type EncodingName, LineageInputError, ORDINARY_VOCAB_SIZE } from '@lineage/core';
import { discounted, type SmoothedLevel, type Smoothing, smooth } from './kneser-ney.js';
import type { LanguageModel, SamplingOptions, TokenLogProb, UniformSource } from './language-model.js';
import type { NgramTrie, TrieLevel } from './ngram-trie.js';
import { resolveSamplingOptions } from './sampling-options.js';

/** Where a model came from; saved with it. */
export interface NgramModelInfo {
  readonly encoding: EncodingName;
  /** Tokens in the training stream, boundaries included. */
  readonly trainingTokens: number;
  /** Paragraphs (documents) in the training stream. */
  readonly documents: number;
  /** Free-form provenance, e.g. "brown train split, seed 1". */
  readonly source: string;
  readonly createdAt: string;
}

export class NgramModel implements LanguageModel {
  readonly encoding: EncodingName;
  readonly vocabSize: number;
  readonly boundaryId: number;
  readonly order: number;
  readonly trie: NgramTrie;
  readonly info: NgramModelInfo;
  readonly #smoothing: Smoothing;
  /** Smoothed unigram over the whole vocabulary, floor included (see #floor). */
  readonly #base: Float64Array;
  #baseOrder: Int32Array | undefined;
  readonly #powered = new Map<number, PoweredBase>();
  // Scratch for one call: the context nodes found and the sparse part of the distribution.
  readonly #contextNodes: Int32Array;
  #contextCount = 0;
  #scale = 1;
  readonly #extra: Float64Array;
  readonly #isTouched: Uint8Array;
  #touched: Int32Array;
  #touchedCount = 0;
  #nucleusTokens = new Int32Array(1024);
  #nucleusWeights = new Float64Array(1024);
  readonly #maxBase: number;
  /** The larger of the two floor values (seen and unseen ids). */
  readonly #maxFloor: number;

  /** Prefer `trainNgramModel` or `loadModelFile`; the trie is validated here. */
  constructor(trie: NgramTrie, info: NgramModelInfo) {
    this.encoding = info.encoding;
    this.vocabSize = ORDINARY_VOCAB_SIZE[info.encoding] + 1;
    this.boundaryId = this.vocabSize - 1;
    // The nucleus sort packs token ids into the low mantissa bits of a little-endian double.
    if (this.vocabSize > TOKEN_MASK + 1 || endianness() !== 'LE')
      throw new LineageInputError('NgramModel needs ids below 2^18 on a little-endian machine');
    trie.validate(this.vocabSize);
    this.order = trie.order;
    this.trie = trie;
    this.info = info;
    this.#smoothing = smooth(trie);
    this.#base = this.#unigram();
    this.#maxBase = this.#base.reduce((largest, p) => Math.max(largest, p), 0);
    this.#maxFloor = Math.max(this.#floor(true), this.#floor(false));
    this.#contextNodes = new Int32Array(this.order);
    this.#extra = new Float64Array(this.vocabSize);
    this.#isTouched = new Uint8Array(this.vocabSize);
    this.#touched = new Int32Array(1024);
  }

  logProb(context: ArrayLike<number>, token: number): number {
    this.#checkToken(token);
    this.#findContexts(context);
    return Math.log(this.#probability(token));
  }

  /** P(token | the contexts last found by #findContexts). */
  #probability(token: number): number {
    let p = this.#floor(this.trie.findChild(0, 0, token) >= 0);
    for (let k = 0; k < this.#contextCount; k++) {
      const node = this.#contextNodes[k] as number;
      const { total, gamma } = this.#smoothing.contexts[k] as SmoothedLevel;
      const sum = total[node] as number;
      if (sum === 0) continue;
      const child = this.trie.findChild(k, node, token);
      const count = child < 0 ? 0 : ((this.trie.levels[k + 1] as TrieLevel).counts[child] as number);
      p = discounted(count, this.#smoothing.discounts[k + 1] as readonly [number, number, number]) / sum + (gamma[node] as number) * p;
    }
    return p;
  }

  /** An upper bound on every P(w | current contexts): each level's largest term, summed. */
  #probabilityBound(): number {
    let bound = this.#maxFloor;
    for (let k = 0; k < this.#contextCount; k++) {
      const node = this.#contextNodes[k] as number;
      const { total, gamma, maxDiscounted } = this.#smoothing.contexts[k] as SmoothedLevel;
      const sum = total[node] as number;
      if (sum === 0) continue;
      bound = (maxDiscounted[node] as number) / sum + (gamma[node] as number) * bound;
    }
    return Math.min(1, bound);
  }

  topLogProbs(context: ArrayLike<number>, k: number): TokenLogProb[] {
    if (!Number.isSafeInteger(k) || k < 0) throw new LineageInputError(`k must be a non-negative integer, got ${k}`);
    this.#buildSparse(context);
    const candidates: TokenLogProb[] = [];
    const push = (token: number): void => {
      candidates.push({ token, logProb: Math.log(this.#scale * (this.#base[token] as number) + (this.#extra[token] as number)) });
    };
    for (let i = 0; i < this.#touchedCount; i++) push(this.#touched[i] as number);
    const order = this.#orderOfBase();
    for (let i = 0, added = 0; i < order.length && added < k; i++) {
      const token = order[i] as number;
      if (this.#isTouched[token]) continue;
      push(token);
      added++;
    }
    this.#clearSparse();
    candidates.sort((a, b) => b.logProb - a.logProb || a.token - b.token);
    return candidates.slice(0, k);
  }

  distribution(context: ArrayLike<number>, options: SamplingOptions = {}, out?: Float32Array): Float32Array {
    const { temperature, topP, allowBoundary } = resolveSamplingOptions(options);
    const result = out ?? new Float32Array(this.vocabSize);
    if (result.length !== this.vocabSize) throw new LineageInputError(`out must have length ${this.vocabSize}`);
    if (temperature === 0) {
      result.fill(0);
      result[this.#greedy(context, allowBoundary)] = 1;
      return result;
    }
    if (topP < 1) {
      const kept = this.#nucleus(context, temperature, topP, allowBoundary);
      result.fill(0);
      for (let i = 0; i < kept.count; i++) result[this.#nucleusTokens[i] as number] = (this.#nucleusWeights[i] as number) / kept.mass;
      return result;
    }
    this.#buildSparse(context);
    const { table, scale } = this.#temper(temperature);
    // The total is known from the table's total and the sparse tokens, so one pass writes the
    // normalised values.
    let mass = scale * table.total;
    for (let i = 0; i < this.#touchedCount; i++) {
      const t = this.#touched[i] as number;
      mass += (this.#extra[t] as number) - scale * (table.weights[t] as number);
    }
    if (!allowBoundary) {
      const b = this.boundaryId;
      mass -= this.#isTouched[b] === 1 ? (this.#extra[b] as number) : scale * (table.weights[b] as number);
    }
    const factor = scale / mass;
    const weights = table.weights;
    for (let w = 0; w < result.length; w++) result[w] = factor * (weights[w] as number);
    for (let i = 0; i < this.#touchedCount; i++) {
      const t = this.#touched[i] as number;
      result[t] = (this.#extra[t] as number) / mass;
    }
    if (!allowBoundary) result[this.boundaryId] = 0;
    this.#clearSparse();
    return result;
  }

  /**
   * After #buildSparse: weights (P(w) / Pmax)^(1/T), relative to the most probable token so
   * the largest is exactly 1 and no temperature, however low, underflows every weight to 0.
   * Sparse tokens' weights go into #extra; every other token's is scale × table.weights[w].
   */
  #temper(temperature: number): { table: PoweredBase; scale: number } {
    const table = this.#poweredBase(temperature);
    const inverse = 1 / temperature;
    let largest = this.#scale * this.#maxBase;
    for (let i = 0; i < this.#touchedCount; i++) {
      const t = this.#touched[i] as number;
      const p = this.#scale * (this.#base[t] as number) + (this.#extra[t] as number);
      if (p > largest) largest = p;
    }
    for (let i = 0; i < this.#touchedCount; i++) {
      const t = this.#touched[i] as number;
      const relative = (this.#scale * (this.#base[t] as number) + (this.#extra[t] as number)) / largest;
      this.#extra[t] = temperature === 1 ? relative : relative ** inverse; // reused as the weight until #clearSparse
    }
    const baseRelative = (this.#scale * this.#maxBase) / largest;
    return { table, scale: temperature === 1 ? baseRelative : baseRelative ** inverse };
  }

  sample(context: ArrayLike<number>, random: UniformSource, options: SamplingOptions = {}): number {
    const { temperature, topP, allowBoundary } = resolveSamplingOptions(options);
    if (temperature === 0) return this.#greedy(context, allowBoundary);
    if (topP < 1) return this.#sampleNucleus(context, random, { temperature, topP, allowBoundary });
    if (temperature === 1) return this.#sampleBackoff(context, random, allowBoundary);
    // Below T = 0.05 acceptance (P / M)^(1/T − 1) is mostly negligible: compute weights instead.
    if (temperature < 1 && temperature >= 0.05) {
      const token = this.#sampleSharpened(context, random, temperature, allowBoundary);
      if (token >= 0) return token;
    }
    return this.#sampleTempered(context, random, temperature, allowBoundary);
  }

  /**
   * T < 1 by rejection: propose w from P (the cheap back-off walk), accept with probability
   * (P(w) / M)^(1/T − 1), where M bounds every P(w). Accepted tokens follow P^(1/T) exactly.
   * Returns -1 when acceptance is too rare in this context; the caller then computes weights.
   */
  #sampleSharpened(context: ArrayLike<number>, random: UniformSource, temperature: number, allowBoundary: boolean): number {
    const exponent = 1 / temperature - 1;
    this.#findContexts(context);
    const bound = this.#probabilityBound();
    for (let attempt = 0; attempt < 64; attempt++) {
      const token = this.#walkBackoff(random, allowBoundary);
      if (random.next() < (this.#probability(token) / bound) ** exponent) return token;
    }
    return -1;
  }

  /** Walks the back-off chain: at each context keep a seen continuation with probability 1 − γ, else back off. */
  #sampleBackoff(context: ArrayLike<number>, random: UniformSource, allowBoundary: boolean): number {
    this.#findContexts(context);
    return this.#walkBackoff(random, allowBoundary);
  }

  #walkBackoff(random: UniformSource, allowBoundary: boolean): number {
    for (;;) {
      let token = -1;
      for (let k = this.#contextCount - 1; k >= 0 && token < 0; k--) {
        const node = this.#contextNodes[k] as number;
        const { total, gamma } = this.#smoothing.contexts[k] as SmoothedLevel;
        const sum = total[node] as number;
        if (sum === 0 || random.next() < (gamma[node] as number)) continue;
        token = this.#pickChild(k, node, random.next() * sum * (1 - (gamma[node] as number)));
      }
      if (token < 0) token = this.#sampleFloor(random);
      if (allowBoundary || token !== this.boundaryId) return token;
    }
  }

  /** The child of `node` whose cumulative discounted mass first exceeds `target`. */
  #pickChild(depth: number, node: number, target: number): number {
    const level = this.trie.levels[depth] as TrieLevel;
    const cumulative = this.#smoothing.cumulative[depth + 1] as Float64Array;
    let lo = level.childStart[node] as number;
    let hi = (level.childStart[node + 1] as number) - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return (this.trie.levels[depth + 1] as TrieLevel).tokens[lo] as number;
  }

  /** Temperature without top-p: exact weights on the sparse tokens, rejection from the cached base table elsewhere. */
  #sampleTempered(context: ArrayLike<number>, random: UniformSource, temperature: number, allowBoundary: boolean): number {
    this.#buildSparse(context);
    const { table, scale } = this.#temper(temperature);
    const excluded = (t: number): boolean => this.#isTouched[t] === 1 || (!allowBoundary && t === this.boundaryId);
    let restBase = table.total;
    let sparseMass = 0;
    for (let i = 0; i < this.#touchedCount; i++) {
      const t = this.#touched[i] as number;
      restBase -= table.weights[t] as number;
      if (!allowBoundary && t === this.boundaryId) this.#extra[t] = 0;
      sparseMass += this.#extra[t] as number;
    }
    if (!allowBoundary && this.#isTouched[this.boundaryId] === 0) restBase -= table.weights[this.boundaryId] as number;
    restBase = Math.max(restBase, 0);
    let u = random.next() * (sparseMass + scale * restBase);
    let token = -1;
    for (let i = 0; i < this.#touchedCount && token < 0; i++) {
      const t = this.#touched[i] as number;
      const q = this.#extra[t] as number;
      if (q === 0) continue;
      if (u < q) token = t;
      else u -= q;
    }
    for (let attempt = 0; token < 0 && attempt < 10_000; attempt++) {
      const candidate = upperBound(table.cumulative, random.next() * table.total);
      if (!excluded(candidate)) token = candidate;
    }
    if (token < 0) token = this.#linearDraw(table.weights, excluded, random.next() * restBase);
    this.#clearSparse();
    return token;
  }

  /** Exact fallback when rejection keeps failing (almost all base mass sits on sparse tokens). */
  #linearDraw(weights: Float64Array, excluded: (t: number) => boolean, target: number): number {
    let last = -1;
    for (let t = 0; t < weights.length; t++) {
      if (excluded(t)) continue;
      last = t;
      target -= weights[t] as number;
      if (target < 0) return t;
    }
    return last;
  }

  #sampleNucleus(context: ArrayLike<number>, random: UniformSource, options: Required<SamplingOptions>): number {
    const kept = this.#nucleus(context, options.temperature, options.topP, options.allowBoundary);
    let u = random.next() * kept.mass;
    for (let i = 0; i < kept.count - 1; i++) {
      const w = this.#nucleusWeights[i] as number;
      if (u < w) return this.#nucleusTokens[i] as number;
      u -= w;
    }
    return this.#nucleusTokens[kept.count - 1] as number;
  }

  /**
   * The top-p nucleus in decreasing order of weight p^(1/T): the sparse tokens sorted, merged
   * with the base tokens in their precomputed order, until the mass reaches topP of the total;
   * every token tied with the last one taken is kept too, so the set does not depend on order.
   */
  #nucleus(context: ArrayLike<number>, temperature: number, topP: number, allowBoundary: boolean): { count: number; mass: number } {
    this.#buildSparse(context);
    const { table, scale } = this.#temper(temperature);
    const baseWeights = table.weights;
    const allowed = (t: number): boolean => allowBoundary || t !== this.boundaryId;
    // Sparse tokens sorted by weight with a native numeric sort: each key is the weight with
    // its lowest 18 mantissa bits replaced by the token id (a relative change below 2^-34).
    const keys = new Float64Array(this.#touchedCount);
    const keyWords = new Uint32Array(keys.buffer);
    let sparseCount = 0;
    let total = scale * table.total;
    for (let i = 0; i < this.#touchedCount; i++) {
      const t = this.#touched[i] as number;
      total -= scale * (baseWeights[t] as number);
      if (allowed(t)) {
        const weight = this.#extra[t] as number;
        keys[sparseCount] = weight;
        keyWords[2 * sparseCount] = (((keyWords[2 * sparseCount] as number) & ~TOKEN_MASK) | t) >>> 0;
        sparseCount++;
        total += weight;
      }
    }
    if (!allowBoundary && this.#isTouched[this.boundaryId] === 0) total -= scale * (baseWeights[this.boundaryId] as number);
    keys.subarray(0, sparseCount).sort();
    let si = sparseCount - 1;
    const sparseToken = (): number => (keyWords[2 * si] as number) & TOKEN_MASK;
    const order = this.#orderOfBase();
    const target = topP * total;
    let mass = 0;
    let count = 0;
    let bi = 0;
    let threshold = -1;
    const nextBase = (): number => {
      while (bi < order.length && (this.#isTouched[order[bi] as number] === 1 || !allowed(order[bi] as number))) bi++;
      return bi < order.length ? scale * (baseWeights[order[bi] as number] as number) : -1;
    };
    for (;;) {
      const fromSparse = si >= 0 ? (this.#extra[sparseToken()] as number) : -1;
      const fromBase = nextBase();
      const weight = Math.max(fromSparse, fromBase);
      if (weight < 0 || (threshold >= 0 && weight < threshold)) break;
      let token: number;
      if (fromSparse >= fromBase) {
        token = sparseToken();
        si--;
      } else token = order[bi++] as number;
      this.#ensureNucleusCapacity(count + 1);
      this.#nucleusTokens[count] = token;
      this.#nucleusWeights[count] = weight;
      count++;
      mass += weight;
      if (threshold < 0 && mass >= target) threshold = weight;
    }
    this.#clearSparse();
    return { count, mass };
  }

  #ensureNucleusCapacity(size: number): void {
    if (size <= this.#nucleusTokens.length) return;
    const capacity = Math.max(size, this.#nucleusTokens.length * 2);
    const tokens = new Int32Array(capacity);
    tokens.set(this.#nucleusTokens);
    const weights = new Float64Array(capacity);
    weights.set(this.#nucleusWeights);
    this.#nucleusTokens = tokens;
    this.#nucleusWeights = weights;
  }

  /** The most probable token (lowest id on ties). */
  #greedy(context: ArrayLike<number>, allowBoundary: boolean): number {
    this.#buildSparse(context);
    let best = -1;
    let bestP = -1;
    const consider = (t: number): void => {
      if (!allowBoundary && t === this.boundaryId) return;
      const p = this.#scale * (this.#base[t] as number) + (this.#extra[t] as number);
      if (p > bestP || (p === bestP && t < best)) {
        best = t;
        bestP = p;
      }
    };
    for (let i = 0; i < this.#touchedCount; i++) consider(this.#touched[i] as number);
    const order = this.#orderOfBase();
    for (let i = 0; i < order.length; i++) {
      const t = order[i] as number;
      if (this.#isTouched[t] === 1 || (!allowBoundary && t === this.boundaryId)) continue;
      // Later base tokens have lower base (or an equal one and a higher id) and no sparse part.
      consider(t);
      break;
    }
    this.#clearSparse();
    return best;
  }

  /** Nodes for the longest contexts present: contextNodes[k] is the node of the last k tokens. */
  #findContexts(context: ArrayLike<number>): void {
    const length = context.length;
    this.#contextNodes[0] = 0;
    let found = 1;
    for (let k = 1; k < this.order && k <= length; k++) {
      let node = 0;
      for (let j = 0; j < k && node >= 0; j++) node = this.trie.findChild(j, node, context[length - k + j] as number);
      if (node < 0) break;
      this.#contextNodes[k] = node;
      found = k + 1;
    }
    this.#contextCount = found;
  }

  /** Fills #extra with the sparse part and #scale with S for the current context. */
  #buildSparse(context: ArrayLike<number>): void {
    this.#findContexts(context);
    const contexts = this.#smoothing.contexts;
    let above = 1; // product of γ over the longer contexts already visited
    for (let k = this.#contextCount - 1; k >= 1; k--) {
      const node = this.#contextNodes[k] as number;
      const { total, gamma } = contexts[k] as SmoothedLevel;
      const sum = total[node] as number;
      if (sum === 0) continue;
      const level = this.trie.levels[k] as TrieLevel;
      const child = this.trie.levels[k + 1] as TrieLevel;
      const discounts = this.#smoothing.discounts[k + 1] as readonly [number, number, number];
      const weight = above / sum;
      for (let x = level.childStart[node] as number; x < (level.childStart[node + 1] as number); x++) {
        const t = child.tokens[x] as number;
        if (this.#isTouched[t] === 0) {
          this.#isTouched[t] = 1;
          if (this.#touchedCount === this.#touched.length) {
            const grown = new Int32Array(this.#touched.length * 2);
            grown.set(this.#touched);
            this.#touched = grown;
          }
          this.#touched[this.#touchedCount++] = t;
        }
        this.#extra[t] = (this.#extra[t] as number) + weight * discounted(child.counts[x] as number, discounts);
      }
      above *= gamma[node] as number;
    }
    this.#scale = above;
  }

  #clearSparse(): void {
    for (let i = 0; i < this.#touchedCount; i++) {
      const t = this.#touched[i] as number;
      this.#extra[t] = 0;
      this.#isTouched[t] = 0;
    }
    this.#touchedCount = 0;
  }

  /**
   * The distribution below the unigram level, KenLM's closed vocabulary with <unk>: uniform
   * over the S token types seen in training plus one "unseen" class, whose share is spread
   * evenly over the unseen ids. Uniform over all ids instead would put most of the back-off
   * mass on the ~80% of o200k ids that never occur in English (CJK, code, …) and fill samples
   * with them.
   */
  #floor(seen: boolean): number {
    const types = this.trie.size(1);
    const unseen = this.vocabSize - types;
    return seen ? 1 / (types + 1) : unseen > 0 ? 1 / ((types + 1) * unseen) : 0;
  }

  #sampleFloor(random: UniformSource): number {
    const level1 = this.trie.levels[1] as TrieLevel;
    const types = level1.tokens.length;
    const pick = Math.floor(random.next() * (types + 1));
    if (pick < types || types === this.vocabSize) return level1.tokens[Math.min(pick, types - 1)] as number;
    for (;;) {
      const token = Math.min(this.vocabSize - 1, Math.floor(random.next() * this.vocabSize));
      if (this.trie.findChild(0, 0, token) < 0) return token;
    }
  }

  #unigram(): Float64Array {
    const base = new Float64Array(this.vocabSize);
    const { total, gamma } = this.#smoothing.contexts[0] as SmoothedLevel;
    const sum = total[0] as number;
    const backoff = gamma[0] as number;
    base.fill(backoff * this.#floor(false));
    const level1 = this.trie.levels[1] as TrieLevel;
    const discounts = this.#smoothing.discounts[1] as readonly [number, number, number];
    const seenFloor = backoff * this.#floor(true);
    for (let x = 0; x < level1.tokens.length; x++) {
      const t = level1.tokens[x] as number;
      base[t] = discounted(level1.counts[x] as number, discounts) / sum + seenFloor;
    }
    return base;
  }

  /** Token ids by decreasing base probability, lowest id first on ties. Built on first use. */
  #orderOfBase(): Int32Array {
    if (this.#baseOrder) return this.#baseOrder;
    const level1 = this.trie.levels[1] as TrieLevel;
    const seen = Array.from(level1.tokens).sort((a, b) => (this.#base[b] as number) - (this.#base[a] as number) || a - b);
    const order = new Int32Array(this.vocabSize);
    order.set(seen);
    const isSeen = new Uint8Array(this.vocabSize);
    for (const t of seen) isSeen[t] = 1;
    let at = seen.length;
    for (let t = 0; t < this.vocabSize; t++) if (isSeen[t] === 0) order[at++] = t;
    this.#baseOrder = order;
    return order;
  }

  /**
   * (base / max base)^(1/T) and its running sum in id order, for the last few temperatures
   * (interleaved requests with different temperatures must not recompute it at every token).
   */
  #poweredBase(temperature: number): PoweredBase {
    const cached = this.#powered.get(temperature);
    if (cached) return cached;
    const inverse = 1 / temperature;
    const weights = new Float64Array(this.vocabSize);
    const cumulative = new Float64Array(this.vocabSize);
    let running = 0;
    for (let w = 0; w < this.vocabSize; w++) {
      const relative = (this.#base[w] as number) / this.#maxBase;
      const v = temperature === 1 ? relative : relative ** inverse;
      weights[w] = v;
      running += v;
      cumulative[w] = running;
    }
    const table = { weights, cumulative, total: running };
    if (this.#powered.size >= POWERED_CACHE_SIZE) this.#powered.delete(this.#powered.keys().next().value as number);
    this.#powered.set(temperature, table);
    return table;
  }

  #checkToken(token: number): void {
    if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize) {
      throw new LineageInputError(`token ${token} is outside the vocabulary (0 .. ${this.vocabSize - 1})`);
    }
  }
}

const TOKEN_MASK = 0x3ffff; // 18 bits: every encoding's ids fit
const POWERED_CACHE_SIZE = 4;

interface PoweredBase {
  readonly weights: Float64Array;
  readonly cumulative: Float64Array;
  readonly total: number;
}

/** First index whose cumulative value exceeds `target` (clamped to the last index). */
function upperBound(cumulative: Float64Array, target: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
