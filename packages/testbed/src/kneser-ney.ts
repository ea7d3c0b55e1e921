/**
 * Interpolated modified Kneser–Ney smoothing (Chen & Goodman 1998, "An Empirical Study of
 * Smoothing Techniques for Language Modeling", §3.4):
 *
 *   P(w | ctx) = max(c(ctx·w) − D(c), 0) / c(ctx) + γ(ctx) · P(w | ctx′)
 *   γ(ctx)     = (D1·N1(ctx) + D2·N2(ctx) + D3+·N3+(ctx)) / c(ctx)
 *
 * with three discounts per level estimated from that level's count-of-counts, and the
 * uniform distribution over the vocabulary below the unigram level so that every token,
 * seen or not, has non-zero probability.
 */
import type { NgramTrie, TrieLevel } from './ngram-trie.js';

/** D1, D2 and D3+ for one level. */
export type Discounts = readonly [number, number, number];

/** Chen & Goodman's estimates from the number of n-grams seen exactly 1, 2, 3 and 4 times. */
export function estimateDiscounts(counts: Uint32Array): Discounts {
  const n = [0, 0, 0, 0, 0];
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (c <= 4) n[c] = (n[c] as number) + 1;
  }
  const [, n1, n2, n3, n4] = n as [number, number, number, number, number];
  const y = n1 / (n1 + 2 * n2);
  const d: [number, number, number] = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
  // Tiny corpora can leave a count-of-count empty; fall back to one absolute discount.
  const valid = d.every((x, k) => Number.isFinite(x) && x > 0 && x < k + 1);
  if (valid) return d;
  const single = Number.isFinite(y) && y > 0 && y < 1 ? y : 0.5;
  return [single, single, single];
}

/** What queries need per context node: the denominator, the back-off weight and per-child cumulative discounted mass. */
export interface SmoothedLevel {
  /** Σ counts of the node's children (0 when it has none). */
  readonly total: Float64Array;
  /** Back-off weight γ; 1 for a node without children, so it passes all mass down. */
  readonly gamma: Float64Array;
  /** Largest discounted count among the node's children (bounds probabilities for rejection sampling). */
  readonly maxDiscounted: Float64Array;
}

export interface Smoothing {
  /** discounts[d] applies to counts at level d (index 0 unused). */
  readonly discounts: readonly Discounts[];
  /** For context levels 0 .. order-1. */
  readonly contexts: readonly SmoothedLevel[];
  /** cumulative[d][x]: discounted mass of node x and its earlier siblings at level d (index 0 unused). */
  readonly cumulative: readonly Float64Array[];
}

export function discounted(count: number, discounts: Discounts): number {
  if (count === 0) return 0;
  return count - (count === 1 ? discounts[0] : count === 2 ? discounts[1] : discounts[2]);
}

export function smooth(trie: NgramTrie): Smoothing {
  const order = trie.order;
  const discounts: Discounts[] = [[0, 0, 0]];
  for (let d = 1; d <= order; d++) discounts.push(estimateDiscounts((trie.levels[d] as TrieLevel).counts));
  const contexts: SmoothedLevel[] = [];
  const cumulative: Float64Array[] = [new Float64Array(0)];
  for (let d = 1; d <= order; d++) cumulative.push(new Float64Array(trie.size(d)));
  for (let d = 0; d < order; d++) {
    const level = trie.levels[d] as TrieLevel;
    const child = trie.levels[d + 1] as TrieLevel;
    const childDiscounts = discounts[d + 1] as Discounts;
    const running = cumulative[d + 1] as Float64Array;
    const size = level.tokens.length;
    const total = new Float64Array(size);
    const gamma = new Float64Array(size);
    const maxDiscounted = new Float64Array(size);
    for (let q = 0; q < size; q++) {
      let sum = 0;
      let mass = 0;
      let largest = 0;
      for (let x = level.childStart[q] as number; x < (level.childStart[q + 1] as number); x++) {
        const c = child.counts[x] as number;
        const d = discounted(c, childDiscounts);
        sum += c;
        mass += d;
        if (d > largest) largest = d;
        running[x] = mass;
      }
      total[q] = sum;
      gamma[q] = sum === 0 ? 1 : (sum - mass) / sum;
      maxDiscounted[q] = largest;
    }
    contexts.push({ total, gamma, maxDiscounted });
  }
  return { discounts, contexts, cumulative };
}
