/**
 * The scoring tape: within one test, each (context window, token) tuple is scored once,
 * across all texts of the test, and tuples that occur in the probe prompts are not scored
 * at all. Without it, repeated text (and a clean model echoing watermarked prompts) inflates
 * the statistic and a clean model looks radioactive (Sander et al., "Watermarking Makes
 * Language Models Radioactive", 2024, de-duplication of scored tuples).
 *
 * Tuples are stored as 64-bit SipHash fingerprints under a tape seed that is independent of
 * the watermark key, so which tuples are scored never depends on the key and the null
 * distribution stays exact. The default seed is random per tape (crafted inputs cannot
 * target the hash table); pass `seed` for bit-for-bit reproducible runs. Two distinct tuples
 * share a fingerprint with probability about n^2 / 2^65 (3e-6 at n = 1e7); the only effect is
 * one tuple not scored. Memory: 16-32 bytes per distinct tuple (see FingerprintSet).
 */
import { randomBytes } from 'node:crypto';
import { LineageInputError } from './errors.js';
import { FingerprintSet } from './fingerprint-set.js';
import { type SipKey, sipHash24Words, sipKeyFromBytes } from './siphash.js';

export interface ScoringTapeOptions {
  /** h: context tokens before the scored token (the tuple is h + 1 tokens). */
  readonly contextWidth: number;
  /** 16-byte fingerprint seed; default random. Never derive it from the watermark key. */
  readonly seed?: Uint8Array;
  /** Refuse more distinct tuples than this (default 2^27: a 2 GiB table, 3 GiB while doubling). */
  readonly maxTuples?: number;
  /** Tuples the caller expects (sizes the table up front, up to 2^22, so it rarely doubles). */
  readonly expectedTuples?: number;
}

export class ScoringTape {
  readonly contextWidth: number;
  readonly #key: SipKey;
  readonly #seen: FingerprintSet;
  readonly #excluded: FingerprintSet;
  readonly #fingerprint = new Uint32Array(2);
  #duplicates = 0;
  #excludedHits = 0;

  constructor(options: ScoringTapeOptions) {
    const { contextWidth } = options;
    if (!Number.isInteger(contextWidth) || contextWidth < 0 || contextWidth > 64) {
      throw new LineageInputError(`contextWidth must be an integer from 0 to 64, got ${contextWidth}`);
    }
    this.contextWidth = contextWidth;
    this.#key = sipKeyFromBytes(options.seed ?? randomBytes(16));
    const limits = options.maxTuples === undefined ? {} : { maxSize: options.maxTuples };
    const expected = Math.min(Math.max(0, Math.floor(options.expectedTuples ?? 0)), 2 ** 22);
    this.#seen = new FingerprintSet({ ...limits, initialCapacity: expected });
    this.#excluded = new FingerprintSet(limits);
  }

  /** Tuples admitted so far (scored once each). */
  get admitted(): number {
    return this.#seen.size;
  }

  /** Tuples refused because they were already scored in this test. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /** Tuples refused because they occur in an excluded (prompt) text. */
  get excludedHits(): number {
    return this.#excludedHits;
  }

  /** Bytes held by the two fingerprint tables. */
  get memoryBytes(): number {
    return this.#seen.memoryBytes + this.#excluded.memoryBytes;
  }

  /** Marks every tuple of a prompt's token ids as never to be scored. */
  exclude(tokens: ArrayLike<number>): void {
    for (let i = this.contextWidth; i < tokens.length; i++) {
      this.#hash(tokens, i - this.contextWidth, this.contextWidth + 1);
      this.#excluded.add(this.#fingerprint[0] as number, this.#fingerprint[1] as number);
    }
  }

  /** Marks one tuple given as a run of 32-bit words as never to be scored. */
  excludeWords(words: ArrayLike<number>, start: number, length: number): void {
    this.#hash(words, start, length);
    this.#excluded.add(this.#fingerprint[0] as number, this.#fingerprint[1] as number);
  }

  /**
   * Whether the tuple ending at `index` (tokens[index - h .. index]) should be scored:
   * true the first time it is seen in this test, unless excluded. Positions with fewer than
   * h tokens before them have no full window and are never scored.
   */
  admit(tokens: ArrayLike<number>, index: number): boolean {
    if (index < this.contextWidth || index >= tokens.length) return false;
    return this.admitWords(tokens, index - this.contextWidth, this.contextWidth + 1);
  }

  /** The same for a tuple given as any run of 32-bit words (e.g. hashed words and a set id). */
  admitWords(words: ArrayLike<number>, start: number, length: number): boolean {
    this.#hash(words, start, length);
    const lo = this.#fingerprint[0] as number;
    const hi = this.#fingerprint[1] as number;
    if (this.#excluded.size > 0 && this.#excluded.has(lo, hi)) {
      this.#excludedHits++;
      return false;
    }
    if (!this.#seen.add(lo, hi)) {
      this.#duplicates++;
      return false;
    }
    return true;
  }

  #hash(words: ArrayLike<number>, start: number, length: number): void {
    sipHash24Words(this.#key, words, start, length, this.#fingerprint);
  }
}
