/**
 * Counting for Kneser–Ney: every distinct n-gram of a token stream up to the model order,
 * with raw counts for full-order n-grams and continuation counts (number of distinct left
 * neighbours, Kneser & Ney 1995) for shorter ones.
 *
 * Positions are sorted by their next `order` tokens with an LSD radix sort (one counting
 * pass per token, O(order × (n + V))), so each trie level comes out already grouped and
 * sorted; continuation counts follow suffix links, one binary search per n-gram.
 */
import { NgramTrie, type TrieLevel } from './ngram-trie.js';

/** `boundary` is the paragraph-boundary token (see withContinuationCounts). */
export function countNgrams(stream: Int32Array, order: number, vocabSize: number, boundary: number): NgramTrie {
  const n = stream.length;
  const sorted = sortPositions(stream, order, vocabSize);

  const tokens: Int32Array[] = [];
  const raw: Uint32Array[] = [];
  const childStart: Uint32Array[] = [];
  const sizes = new Int32Array(order + 2);
  for (let d = 0; d <= order; d++) {
    const capacity = d === 0 ? 1 : n;
    tokens.push(new Int32Array(capacity));
    raw.push(new Uint32Array(capacity));
    childStart.push(new Uint32Array(d === order ? 0 : capacity + 1));
  }
  (tokens[0] as Int32Array)[0] = -1;
  sizes[0] = 1;

  const current = new Int32Array(order + 1);
  let previous = -1;
  let previousAvailable = 0;
  for (let i = 0; i < n; i++) {
    const p = sorted[i] as number;
    const available = Math.min(order, n - p);
    let common = 0;
    if (previous >= 0) {
      const limit = Math.min(available, previousAvailable);
      while (common < limit && stream[p + common] === stream[previous + common]) common++;
    }
    for (let d = common + 1; d <= available; d++) {
      const node = sizes[d] as number;
      (tokens[d] as Int32Array)[node] = stream[p + d - 1] as number;
      if (d < order) (childStart[d] as Uint32Array)[node] = sizes[d + 1] as number;
      current[d] = node;
      sizes[d] = node + 1;
    }
    for (let d = 1; d <= available; d++) {
      const counts = raw[d] as Uint32Array;
      const node = current[d] as number;
      counts[node] = (counts[node] as number) + 1;
    }
    (raw[0] as Uint32Array)[0] = ((raw[0] as Uint32Array)[0] as number) + 1;
    previous = p;
    previousAvailable = available;
  }

  const levels: TrieLevel[] = [];
  for (let d = 0; d <= order; d++) {
    const size = sizes[d] as number;
    const starts = d === order ? new Uint32Array(0) : (childStart[d] as Uint32Array).slice(0, size + 1);
    if (d < order) starts[size] = sizes[d + 1] as number;
    levels.push({ tokens: (tokens[d] as Int32Array).slice(0, size), counts: (raw[d] as Uint32Array).slice(0, size), childStart: starts });
  }
  const trie = new NgramTrie(levels);
  return new NgramTrie(withContinuationCounts(trie, boundary));
}

/** Positions 0..n-1 sorted by the `order` tokens starting there; running off the end sorts first. */
function sortPositions(stream: Int32Array, order: number, vocabSize: number): Uint32Array {
  const n = stream.length;
  let from = new Uint32Array(n);
  let to = new Uint32Array(n);
  for (let i = 0; i < n; i++) from[i] = i;
  const buckets = new Uint32Array(vocabSize + 2);
  for (let digit = order - 1; digit >= 0; digit--) {
    buckets.fill(0);
    for (let i = 0; i < n; i++) {
      const at = (from[i] as number) + digit;
      const key = at < n ? (stream[at] as number) + 2 : 1;
      buckets[key] = (buckets[key] as number) + 1;
    }
    for (let b = 1; b < buckets.length; b++) buckets[b] = (buckets[b] as number) + (buckets[b - 1] as number);
    // buckets[k] now holds the end of bucket k; walk backwards for a stable sort.
    for (let i = n - 1; i >= 0; i--) {
      const p = from[i] as number;
      const at = p + digit;
      const key = at < n ? (stream[at] as number) + 2 : 1;
      const slot = (buckets[key] as number) - 1;
      buckets[key] = slot;
      to[slot] = p;
    }
    [from, to] = [to, from];
  }
  return from;
}

/**
 * Replaces counts below the top level by continuation counts. The suffix of a (d+1)-gram
 * x·g is g, found as the child of its parent's suffix, so each n-gram costs one search.
 *
 * N-grams of two or more tokens that start with the boundary keep their raw counts, as
 * KenLM does for n-grams starting with <s>: the token before a paragraph start is almost
 * always a full stop or a quote, so counting distinct left neighbours would flatten how
 * paragraphs begin. (They form one contiguous block per level: the boundary's descendants.)
 */
function withContinuationCounts(trie: NgramTrie, boundary: number): TrieLevel[] {
  const order = trie.order;
  const levels = trie.levels.map((level) => ({ ...level }));
  let boundaryFrom = trie.findChild(0, 0, boundary);
  let boundaryTo = boundaryFrom + 1;
  let suffix = new Int32Array(trie.size(1)); // level-1 suffixes are all the root
  for (let d = 1; d < order; d++) {
    const level = trie.levels[d] as TrieLevel;
    const next = trie.levels[d + 1] as TrieLevel;
    const continuation = new Uint32Array(level.tokens.length);
    const nextSuffix = new Int32Array(next.tokens.length);
    for (let q = 0; q < level.tokens.length; q++) {
      const sq = suffix[q] as number;
      for (let x = level.childStart[q] as number; x < (level.childStart[q + 1] as number); x++) {
        const s = trie.findChild(d - 1, sq, next.tokens[x] as number);
        nextSuffix[x] = s;
        continuation[s] = (continuation[s] as number) + 1;
      }
    }
    if (d >= 2 && boundaryFrom >= 0) continuation.set(level.counts.subarray(boundaryFrom, boundaryTo), boundaryFrom);
    // Only an n-gram seen solely at the very start of the stream can have no left neighbour.
    for (let i = 0; i < continuation.length; i++) if (continuation[i] === 0) continuation[i] = 1;
    levels[d] = { ...level, counts: continuation };
    suffix = nextSuffix;
    if (boundaryFrom >= 0) {
      [boundaryFrom, boundaryTo] = [level.childStart[boundaryFrom] as number, level.childStart[boundaryTo] as number];
    }
  }
  return levels;
}
