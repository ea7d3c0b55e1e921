import { ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discounted, estimateDiscounts } from './kneser-ney.js';
import { trainNgramModel } from './ngram-training.js';

const ENCODING = 'cl100k_base';
const V = ORDINARY_VOCAB_SIZE[ENCODING] + 1;
const B = V - 1;

/** Straightforward interpolated modified Kneser–Ney over Maps, for checking the trie model. */
function referenceModel(documents: number[][], order: number): (context: number[], w: number) => number {
  const stream = [B];
  for (const d of documents) stream.push(...d, B);
  const key = (g: readonly number[]) => g.join(',');
  const raw = new Map<string, number>();
  const left = new Map<string, Set<number>>();
  for (let m = 1; m <= order; m++) {
    for (let i = 0; i + m <= stream.length; i++) {
      const k = key(stream.slice(i, i + m));
      raw.set(k, (raw.get(k) ?? 0) + 1);
      if (!left.has(k)) left.set(k, new Set());
      if (i > 0) left.get(k)?.add(stream[i - 1] as number);
    }
  }
  const count = (g: readonly number[]): number => {
    const k = key(g);
    if (!raw.has(k)) return 0;
    if (g.length === order || (g.length >= 2 && g[0] === B)) return raw.get(k) as number;
    return Math.max(1, left.get(k)?.size ?? 0);
  };
  const discounts = [[0, 0, 0]] as (readonly [number, number, number])[];
  for (let m = 1; m <= order; m++) {
    const counts = [...raw.keys()].filter((k) => k.split(',').length === m).map((k) => count(k.split(',').map(Number)));
    discounts.push(estimateDiscounts(Uint32Array.from(counts)));
  }
  const continuations = (ctx: readonly number[]): number[] => {
    const out: number[] = [];
    for (const k of raw.keys()) {
      const g = k.split(',').map(Number);
      if (g.length === ctx.length + 1 && key(g.slice(0, -1)) === key(ctx)) out.push(g[g.length - 1] as number);
    }
    return out;
  };
  const types = new Set(stream).size;
  const floor = (w: number) => (stream.includes(w) ? 1 / (types + 1) : 1 / ((types + 1) * (V - types)));
  const p = (ctx: readonly number[], w: number): number => {
    const lower = ctx.length === 0 ? floor(w) : p(ctx.slice(1), w);
    const children = continuations(ctx);
    const d = discounts[ctx.length + 1] as readonly [number, number, number];
    let total = 0;
    let mass = 0;
    for (const c of children) {
      const n = count([...ctx, c]);
      total += n;
      mass += discounted(n, d);
    }
    if (total === 0) return lower;
    return discounted(count([...ctx, w]), d) / total + ((total - mass) / total) * lower;
  };
  return (context, w) => p(context.slice(Math.max(0, context.length - (order - 1))), w);
}

const documentsArb = fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 25 }), { minLength: 1, maxLength: 8 });

describe('NgramModel', () => {
  it('matches a brute-force modified Kneser–Ney model on small corpora (property)', () => {
    fc.assert(
      fc.property(
        documentsArb,
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 6 }),
        (documents, order, context) => {
          const model = trainNgramModel(documents, { order, encoding: ENCODING });
          const reference = referenceModel(documents, order);
          const ctx = context.map((t) => (t === 8 ? B : t));
          for (const w of [0, 1, 2, 3, 4, 5, 6, 7, 500, B]) {
            expect(model.logProb(ctx, w)).toBeCloseTo(Math.log(reference(ctx, w)), 10);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives a dense distribution that sums to one and agrees with logProb', () => {
    const random = new SeededRandom('dense');
    const documents = Array.from({ length: 40 }, () => Array.from({ length: 30 }, () => random.nextInt(50)));
    const model = trainNgramModel(documents, { order: 4, encoding: ENCODING });
    for (const context of [[], [1], [3, 4, 5], documents[0]?.slice(0, 10) ?? [], [B, 7]]) {
      const dense = model.distribution(context);
      let sum = 0;
      for (const p of dense) sum += p;
      expect(sum).toBeCloseTo(1, 5);
      for (const w of [0, 1, 7, 49, 60, 90_000, B]) expect(Math.log(dense[w] as number)).toBeCloseTo(model.logProb(context, w), 4);
      const top = model.topLogProbs(context, 5);
      expect(top).toHaveLength(5);
      const best = dense.reduce((bi, p, i, a) => (p > (a[bi] as number) ? i : bi), 0);
      expect(top[0]?.token).toBe(best);
      expect(model.sample(context, random, { temperature: 0 })).toBe(best);
    }
  });

  it('samples exactly the dense distribution for every sampling mode (chi-square at a fixed seed)', () => {
    const random = new SeededRandom('modes');
    const documents = Array.from({ length: 60 }, () => Array.from({ length: 20 }, () => random.nextInt(12)));
    const model = trainNgramModel(documents, { order: 3, encoding: ENCODING });
    const context = documents[3]?.slice(0, 5) ?? [];
    const modes = [
      {},
      { temperature: 0.6 },
      { temperature: 0.25 },
      { temperature: 1.5 },
      { topP: 0.8 },
      { temperature: 0.7, topP: 0.9 },
      { allowBoundary: false },
    ];
    for (const mode of modes) {
      const dense = model.distribution(context, mode);
      const draws = 20_000;
      const observed = new Map<number, number>();
      for (let i = 0; i < draws; i++) {
        const t = model.sample(context, random, mode);
        expect(dense[t]).toBeGreaterThan(0);
        observed.set(t, (observed.get(t) ?? 0) + 1);
      }
      // Chi-square over the seen tokens, with all unseen-in-training tokens pooled into one cell.
      let chi = 0;
      let cells = 0;
      let pooledExpected = draws;
      let pooledObserved = draws;
      for (let t = 0; t < 12; t++) {
        const e = draws * (dense[t] as number);
        const o = observed.get(t) ?? 0;
        pooledExpected -= e;
        pooledObserved -= o;
        if (e === 0) continue;
        chi += (o - e) ** 2 / e;
        cells++;
      }
      if (pooledExpected > 5) {
        chi += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
        cells++;
      }
      // 99.99th percentile of chi-square with <= 12 degrees of freedom is about 37.
      expect(chi, JSON.stringify(mode)).toBeLessThan(37);
      expect(cells).toBeGreaterThan(2);
    }
  });

  it('stays a proper distribution at any temperature, and repeated temperatures give identical results', () => {
    const random = new SeededRandom('cold');
    const documents = Array.from({ length: 40 }, () => Array.from({ length: 30 }, () => random.nextInt(60)));
    const model = trainNgramModel(documents, { order: 4, encoding: ENCODING });
    const context = documents[1]?.slice(0, 6) ?? [];
    const greedy = model.sample(context, random, { temperature: 0 });
    for (const temperature of [1e-4, 1e-3, 0.01, 0.04, 0.3, 1.9]) {
      for (const options of [{ temperature }, { temperature, topP: 0.5 }, { temperature, allowBoundary: false }]) {
        const dense = model.distribution(context, options);
        let sum = 0;
        for (const p of dense) sum += p;
        expect(sum, JSON.stringify(options)).toBeCloseTo(1, 5);
        expect(dense.every((p) => Number.isFinite(p) && p >= 0)).toBe(true);
        if (temperature <= 0.01) {
          expect(dense[greedy]).toBeGreaterThan(0.99);
          expect(model.sample(context, random, options)).toBe(greedy);
        }
      }
    }
    const first = model.distribution(context, { temperature: 0.7 });
    for (const temperature of [0.2, 0.3, 0.4, 0.5, 0.6]) model.distribution(context, { temperature });
    expect(model.distribution(context, { temperature: 0.7 })).toEqual(first);
  });

  it('never draws the boundary when allowBoundary is false, and top-p keeps only the nucleus', () => {
    const random = new SeededRandom('nucleus');
    const model = trainNgramModel(
      [
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 4],
      ],
      { order: 3, encoding: ENCODING },
    );
    const nucleus = model.distribution([1, 2], { topP: 0.5 });
    expect([...nucleus.keys()].filter((t) => (nucleus[t] as number) > 0)).toEqual([3]);
    // Ties at the cut are all kept: after "1" the continuations 2 (x4) dominate; after an unseen context all unseen tokens tie.
    const wide = model.distribution([9], { topP: 0.999 });
    expect([...wide].filter((p) => p > 0).length).toBeGreaterThan(100_000);
    for (let i = 0; i < 2000; i++) expect(model.sample([1, 2], random, { allowBoundary: false })).not.toBe(B);
  });

  it('refuses bad options and tokens with clear errors', () => {
    const model = trainNgramModel([[1, 2, 3]], { order: 2, encoding: ENCODING });
    expect(() => model.logProb([], V)).toThrow(/outside the vocabulary/);
    expect(() => model.distribution([], { temperature: 3 })).toThrow(/temperature/);
    expect(() => model.distribution([], { topP: 0 })).toThrow(/topP/);
    expect(() => trainNgramModel([[1]], { order: 9 })).toThrow(/order/);
    expect(() => trainNgramModel([[V]], { encoding: ENCODING })).toThrow(/outside/);
    expect(() => trainNgramModel([])).toThrow(/zero documents/);
  });
});
