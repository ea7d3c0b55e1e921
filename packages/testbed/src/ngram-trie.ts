/**
 * The counts of an n-gram model as a sorted trie in flat typed arrays (the layout of SRILM's
 * and KenLM's trie models): level d holds every distinct d-gram, grouped by its (d-1)-gram
 * prefix and sorted by last token, so a child is found by binary search and the whole model
 * is a handful of arrays that save and load without parsing.
 */
import { LineageInputError } from '@lineage/core';

export interface TrieLevel {
  /** Last token of each n-gram at this level. */
  readonly tokens: Int32Array;
  /** Kneser–Ney count: raw count at the top level, continuation count (distinct left neighbours) below. */
  readonly counts: Uint32Array;
  /** Children of node i are next-level nodes childStart[i] .. childStart[i+1]-1 (length size+1; empty at the top). */
  readonly childStart: Uint32Array;
}

export class NgramTrie {
  /** levels[0] is the root (one node, the empty context); levels[order] holds full n-grams. */
  readonly levels: readonly TrieLevel[];

  constructor(levels: readonly TrieLevel[]) {
    this.levels = levels;
  }

  get order(): number {
    return this.levels.length - 1;
  }

  size(depth: number): number {
    return (this.levels[depth] as TrieLevel).tokens.length;
  }

  /** The child of node `node` at `depth` whose last token is `token`, or -1. */
  findChild(depth: number, node: number, token: number): number {
    const parent = this.levels[depth] as TrieLevel;
    const tokens = (this.levels[depth + 1] as TrieLevel).tokens;
    let lo = parent.childStart[node] as number;
    let hi = (parent.childStart[node + 1] as number) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = tokens[mid] as number;
      if (t < token) lo = mid + 1;
      else if (t > token) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** Total n-gram entries over all levels (excluding the root). */
  get entries(): number {
    let total = 0;
    for (let d = 1; d < this.levels.length; d++) total += this.size(d);
    return total;
  }

  /**
   * Checks every structural invariant a query relies on, so a damaged or hand-made trie is
   * refused up front instead of reading out of bounds later. O(entries).
   */
  validate(vocabSize: number): void {
    const fail = (what: string): never => {
      throw new LineageInputError(`invalid n-gram trie: ${what}`);
    };
    const order = this.order;
    if (order < 1) fail('no levels');
    const root = this.levels[0] as TrieLevel;
    if (root.tokens.length !== 1) fail('the root level must hold exactly one node');
    for (let d = 0; d <= order; d++) {
      const level = this.levels[d] as TrieLevel;
      const size = level.tokens.length;
      if (level.counts.length !== size) fail(`level ${d} has ${level.counts.length} counts for ${size} nodes`);
      if (d === order) {
        if (level.childStart.length !== 0) fail('the top level cannot have children');
        continue;
      }
      const childStart = level.childStart;
      const next = (this.levels[d + 1] as TrieLevel).tokens;
      if (childStart.length !== size + 1) fail(`level ${d} child index has the wrong length`);
      if (childStart[0] !== 0 || childStart[size] !== next.length) fail(`level ${d} child index does not cover level ${d + 1}`);
      for (let i = 0; i < size; i++) {
        const start = childStart[i] as number;
        const end = childStart[i + 1] as number;
        if (end < start || end > next.length) fail(`level ${d} child index is out of order or out of range at node ${i}`);
        for (let j = start; j < end; j++) {
          const t = next[j] as number;
          if (t < 0 || t >= vocabSize) fail(`level ${d + 1} token ${t} is outside the vocabulary`);
          if (j > start && t <= (next[j - 1] as number)) fail(`level ${d + 1} children of node ${i} are not strictly sorted`);
        }
      }
      if (d > 0) {
        for (let i = 0; i < size; i++) if ((level.counts[i] as number) === 0) fail(`level ${d} node ${i} has a zero count`);
      }
    }
    const top = this.levels[order] as TrieLevel;
    for (let i = 0; i < top.counts.length; i++) if ((top.counts[i] as number) === 0) fail(`top level node ${i} has a zero count`);
  }
}
