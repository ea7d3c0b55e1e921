/**
 * Reading mode on synthetic marked text over a small alphabet (many repeated windows): exact
 * and de-duplicated by window, calibrated under H0 even against a suspect that copies from
 * context (where de-duplicating (window, prediction) tuples alone is not), powerful against a
 * suspect that predicts green tokens, and strict about its input.
 */
import {
  binomialTail,
  channelPurposes,
  contextSeed,
  keyFromSecret,
  ksUniform,
  LineageInputError,
  type LineageKey,
  SeededRandom,
} from '@lineage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectGreenList, greenListStatistic } from './green-list-detector.js';
import { readingModeTest, type TopTokenPredictor } from './reading-mode.js';

const V = 40;
const keyOf = (n: number): LineageKey => keyFromSecret(new Uint8Array(32).fill(n % 256).map((b, i) => (i === 0 ? n >> 8 : b)));

/** Green-list-marked text over ids 0 .. V-1 (δ = the key's), every position on the provider key. */
function markedText(key: LineageKey, length: number, seed: string): number[] {
  const statistic = greenListStatistic(key);
  const h = statistic.contextWidth;
  const providerKey = key.prfKey(channelPurposes('kgw').provider);
  const boost = Math.exp(key.schemes.greenList.delta);
  const random = new SeededRandom(seed);
  const tokens: number[] = [];
  const seedWords = new Uint32Array(2);
  const weights = new Float64Array(V);
  for (let i = 0; i < length; i++) {
    if (i < h) {
      tokens.push(Math.floor(random.next() * V));
      continue;
    }
    contextSeed(providerKey, tokens, i - h, h, seedWords);
    let total = 0;
    for (let v = 0; v < V; v++) {
      weights[v] = statistic.score(seedWords[0] as number, seedWords[1] as number, v) === 1 ? boost : 1;
      total += weights[v] as number;
    }
    let u = random.next() * total;
    let v = 0;
    while (v < V - 1 && u >= (weights[v] as number)) u -= weights[v++] as number;
    tokens.push(v);
  }
  return tokens;
}

/** A key-independent suspect: a fixed hash of the last two tokens. */
const hashPredictor: TopTokenPredictor = (context) => {
  const n = context.length;
  return ((context[n - 1] ?? 0) * 31 + (context[n - 2] ?? 0) * 7 + 3) % V;
};

/** A clean suspect with an induction head: repeats what followed the last earlier occurrence of the window. */
const copyPredictor: TopTokenPredictor = (context) => {
  const n = context.length;
  for (let j = n - 1; j >= 2; j--) if (context[j - 2] === context[n - 2] && context[j - 1] === context[n - 1]) return context[j] as number;
  return hashPredictor(context);
};

describe('readingModeTest', () => {
  const key = keyOf(7);
  const texts = [markedText(key, 600, 'a'), markedText(key, 600, 'b')];

  it('scores each window once, at its first occurrence, with the exact binomial tail', () => {
    const r = readingModeTest({ key, scheme: 'kgw', texts, predict: hashPredictor });
    expect(r).toMatchObject({ scheme: 'kgw', channel: 'provider', mode: 'reading', keyId: key.keyId, commitment: key.commitment });
    expect(r.positions).toBe(2 * (600 - 2));
    expect(r.scored + r.repeatedWindows + r.identityPositions).toBe(r.positions);
    const windows = new Set(texts.flatMap((t) => t.slice(2).map((_, i) => `${t[i]},${t[i + 1]}`)));
    expect(r.scored + r.identityPositions).toBe(windows.size);
    const gamma = key.schemes.greenList.gamma;
    expect(r.expected).toBeCloseTo(r.scored * gamma, 9);
    const tail = binomialTail(r.score, r.scored, gamma);
    expect(r.pValue).toBe(tail.pValue);
    expect(r.log10P).toBe(tail.log10P);
    expect(r.schemes).toHaveLength(1);
    // Reading the same texts again adds no tuple.
    const twice = readingModeTest({ key, scheme: 'kgw', texts: [...texts, ...texts], predict: hashPredictor });
    expect([twice.scored, twice.score]).toEqual([r.scored, r.score]);
  });

  it('gives the same result from precomputed predictions', () => {
    const predicted = texts.map((t) => t.map((_, i) => hashPredictor(Uint32Array.from(t.slice(0, i)))));
    const a = readingModeTest({ key, scheme: 'auto', texts, predict: hashPredictor });
    const b = readingModeTest({ key, scheme: 'auto', texts, predicted });
    expect(b).toEqual(a);
    expect(a.schemes.map((s) => s.scheme)).toEqual(['kgw', 'gumbel', 'tournament']);
    expect(a.log10P).toBe(Math.min(...a.schemes.map((s) => s.log10P)));
    expect(a.correction).toBe('bonferroni over 3 schemes');
  });

  it('detects a suspect that predicts green tokens', () => {
    const statistic = greenListStatistic(key);
    const providerKey = key.prfKey(channelPurposes('kgw').provider);
    const seed = new Uint32Array(2);
    const greenPredictor: TopTokenPredictor = (context) => {
      contextSeed(providerKey, context, context.length - 2, 2, seed);
      for (let v = 0; v < V; v++) if (statistic.score(seed[0] as number, seed[1] as number, v) === 1) return v;
      return 0;
    };
    const r = readingModeTest({ key, scheme: 'kgw', texts, predict: greenPredictor });
    expect(r.score).toBe(r.scored);
    expect(r.verdict).toBe('marked');
    expect(r.log10P).toBeLessThan(-100);
  });

  it('stays calibrated against a copying suspect, where (window, prediction) de-duplication is not', () => {
    const pValues: number[] = [];
    let naiveLog10P = 0;
    for (let k = 0; k < 60; k++) {
      const keyK = keyOf(1000 + k);
      const sample = [markedText(keyK, 500, `copy-${k}`)];
      pValues.push(readingModeTest({ key: keyK, scheme: 'kgw', texts: sample, predict: copyPredictor }).pValue);
      if (k < 5) {
        // The naive variant: each (window, predicted token) tuple once, through the ordinary tape.
        const tuples = sample.flatMap((t) =>
          t.slice(2).map((_, j) => [t[j], t[j + 1], copyPredictor(Uint32Array.from(t.slice(0, j + 2)))]),
        );
        naiveLog10P = Math.min(naiveLog10P, detectGreenList({ key: keyK, texts: tuples as number[][] }).log10P);
      }
    }
    expect(naiveLog10P).toBeLessThan(-6);
    expect(Math.min(...pValues)).toBeGreaterThan(1e-3);
    expect(ksUniform(pValues).pValue).toBeGreaterThan(1e-3);
  });

  it('is uniform under H0 for the continuous Gumbel statistic (KS, copying suspect)', () => {
    const pValues = Array.from({ length: 80 }, (_, k) => {
      const keyK = keyOf(2000 + k);
      return readingModeTest({ key: keyK, scheme: 'gumbel', texts: [markedText(keyK, 300, `g-${k}`)], predict: copyPredictor }).pValue;
    });
    expect(ksUniform(pValues).pValue).toBeGreaterThan(0.01);
  });

  it('never throws and keeps its counts consistent on arbitrary token texts (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }), { maxLength: 5 }), (sample) => {
        const r = readingModeTest({ key, scheme: 'auto', texts: sample, predict: hashPredictor, tapeSeed: new Uint8Array(16) });
        for (const s of r.schemes) {
          expect(s.scored + s.repeatedWindows + s.identityPositions).toBe(s.positions);
          expect(s.pValue).toBeGreaterThan(0);
          expect(s.pValue).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses bad input with a clear error', () => {
    const bad = (options: object, message: RegExp) =>
      expect(() => readingModeTest({ key, scheme: 'kgw', texts, ...options } as never)).toThrow(message);
    bad({}, /exactly one of predict/);
    bad({ predict: hashPredictor, predicted: texts }, /exactly one of predict/);
    bad({ predict: () => -1 }, /predict returned -1 for text 0 at position 2/);
    bad({ predict: () => 1.5 }, /not a token id/);
    bad({ predicted: [texts[0]] }, /one array per text \(2\)/);
    bad({ predicted: [texts[0], [1, 2]] }, /prediction array 1 has 2 entries; text 1 has 600 tokens/);
    bad({ predict: hashPredictor, scheme: 'lexical' }, /unknown scheme "lexical"/);
    bad({ predict: hashPredictor, alpha: 0 }, /alpha must be in \(0, 1\)/);
    bad({ predict: hashPredictor, scheme: 'auto', testedSchemes: 2 }, /at least 3/);
    bad({ predict: hashPredictor, texts: [[1, -2]] }, /text 0 holds -2 at position 1/);
    const selfSeeded = keyFromSecret(new Uint8Array(32).fill(9), {
      schemes: { greenList: { contextWidth: 4, gamma: 0.25, delta: 2.5, selfSeeded: true } },
    });
    expect(() => readingModeTest({ key: selfSeeded, scheme: 'kgw', texts, predict: hashPredictor })).toThrow(LineageInputError);
    const auto = readingModeTest({ key: selfSeeded, scheme: 'auto', texts, predict: hashPredictor });
    expect(auto.schemes.map((s) => s.scheme)).toEqual(['gumbel', 'tournament']);
  });
});
