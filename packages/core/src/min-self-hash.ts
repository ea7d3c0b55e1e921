/**
 * The self-seeded green list's anchor (Kirchenbauer et al., "On the Reliability of
 * Watermarks for Large Language Models", ICLR 2024: Min-SelfHash). Each token has a keyed
 * rank; the green status of a candidate t after window w is seeded by the anchor, the token
 * of smallest rank among w and t itself (ties: the smaller id). The candidate joins its own
 * seed, and an edit to the window changes the seed only when it removes or undercuts the
 * anchor, which makes the mark survive more paraphrasing than a hash of the whole window.
 *
 * Detection scores each (anchor, token) pair once (two tuples with the same pair share their
 * green status). The ranks come from their own key, independent of every green-list key, so
 * which pairs are scored never depends on the green lists and the binomial null stays exact.
 */
import type { LineageKey } from './lineage-key.js';
import { contextSeed, prfWord } from './prf.js';

export class MinSelfHash {
  readonly #lo: number;
  readonly #hi: number;

  constructor(key: LineageKey) {
    const seed = new Uint32Array(2);
    contextSeed(key.prfKey('self-hash-rank'), [], 0, 0, seed);
    this.#lo = seed[0] as number;
    this.#hi = seed[1] as number;
  }

  rank(token: number): number {
    return prfWord(this.#lo, this.#hi, token);
  }

  /** The anchor of the window `tokens[start .. start + width)` alone. */
  windowAnchor(tokens: ArrayLike<number>, start: number, width: number): number {
    let anchor = tokens[start] as number;
    let best = this.rank(anchor);
    for (let i = start + 1; i < start + width; i++) {
      const t = tokens[i] as number;
      const r = this.rank(t);
      if (r < best || (r === best && t < anchor)) {
        anchor = t;
        best = r;
      }
    }
    return anchor;
  }

  /** The anchor once the candidate joins a window whose own anchor is `windowAnchor`. */
  anchor(windowAnchor: number, candidate: number): number {
    const a = this.rank(windowAnchor);
    const c = this.rank(candidate);
    return c < a || (c === a && candidate < windowAnchor) ? candidate : windowAnchor;
  }
}
