import { keyFromSecret, type LineageKey, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { GreenListMarker } from './green-list-marker.js';

const key: LineageKey = keyFromSecret(new Uint8Array(32).fill(7));
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];

describe('GreenListMarker', () => {
  const marker = new GreenListMarker({ key, accountId: 'acct-1' });
  const { contextWidth: h, gamma, delta } = key.schemes.greenList;

  it('adds δ to exactly the green logits, about a fraction γ of the vocabulary', () => {
    const context = [5, 17, 99, 1234];
    const logits = new Float32Array(V).fill(0.5);
    expect(marker.processLogits(logits, context)).toBe(true);
    let green = 0;
    for (let t = 0; t < V; t++) {
      const expected = marker.isGreen(context, t) ? Math.fround(0.5 + delta) : 0.5;
      if (logits[t] !== expected) throw new Error(`token ${t}: ${logits[t]} != ${expected}`);
      if (marker.isGreen(context, t)) green++;
    }
    // Binomial(V, γ): 6 standard deviations is about 1,100 tokens.
    expect(Math.abs(green - gamma * V)).toBeLessThan(6 * Math.sqrt(V * gamma * (1 - gamma)));
  });

  it('leaves a step unmarked without a full window or when the window repeats within the response', () => {
    const logits = new Float32Array(V);
    expect(marker.processLogits(logits, [1].slice(0, h - 1))).toBe(false);
    expect(logits.every((x) => x === 0)).toBe(true);
    const response = [9, 8, 1, 2, 3, 1, 2];
    expect(marker.processLogits(logits, response, 2)).toBe(false); // "1 2" already ended at position 4
    expect(marker.processLogits(logits, response, 4)).toBe(false); // the window ending at 4 ("1 2") was the response's first step
    expect(marker.processLogits(logits, response, 5)).toBe(true); // that step came before the response
  });

  it('samples green tokens at the analytic rate γe^δ / (γe^δ + 1 − γ) on a flat distribution', () => {
    const random = new SeededRandom('rate');
    const draws = 20_000;
    let green = 0;
    for (let i = 0; i < draws; i++) {
      const context = [random.nextInt(V), random.nextInt(V)];
      const t = marker.sampleWithDraw(() => random.nextInt(V), context, random);
      if (marker.isGreen(context, t)) green++;
    }
    const rate = (gamma * Math.exp(delta)) / (gamma * Math.exp(delta) + 1 - gamma);
    expect(Math.abs(green / draws - rate)).toBeLessThan(5 * Math.sqrt((rate * (1 - rate)) / draws));
  });

  it('draws the same marked distribution by rejection from an unmarked sampler (chi-square)', () => {
    const random = new SeededRandom('rejection');
    // A small skewed distribution over 8 tokens of the vocabulary.
    const support = [3, 70, 900, 5000, 12_000, 40_000, 90_000, 150_000];
    const weights = [0.3, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02];
    const probabilities = new Float32Array(V);
    support.forEach((t, i) => {
      probabilities[t] = weights[i] as number;
    });
    const context = [11, 22];
    const drawUnmarked = () => {
      let u = random.next();
      for (let i = 0; i < support.length; i++) {
        u -= weights[i] as number;
        if (u < 0) return support[i] as number;
      }
      return support[support.length - 1] as number;
    };
    const boosted = support.map((t, i) => (weights[i] as number) * (marker.isGreen(context, t) ? Math.exp(delta) : 1));
    const total = boosted.reduce((a, b) => a + b, 0);
    const draws = 4_000;
    for (const sampler of [
      () => marker.sampleWithDraw(drawUnmarked, context, random),
      () => marker.sampleFromProbabilities(probabilities, context, random),
    ]) {
      const counts = new Map<number, number>();
      for (let i = 0; i < draws; i++) {
        const t = sampler();
        counts.set(t, (counts.get(t) ?? 0) + 1);
      }
      let chi = 0;
      support.forEach((t, i) => {
        const expected = (draws * (boosted[i] as number)) / total;
        chi += ((counts.get(t) ?? 0) - expected) ** 2 / expected;
      });
      expect(chi).toBeLessThan(30); // chi-square, 7 degrees of freedom: 99.99th percentile is about 29.9
    }
  });

  it('refuses bad logits, probabilities and context with typed errors, before touching anything', () => {
    const logits = new Float32Array(V);
    expect(() => marker.processLogits(new Float32Array(V - 1), [1, 2])).toThrow(/length/);
    logits[10] = Number.NaN;
    expect(() => marker.processLogits(logits, [1, 2])).toThrow(/logit 10 is NaN/);
    logits[10] = Number.POSITIVE_INFINITY;
    expect(() => marker.processLogits(logits, [1, 2])).toThrow(/logit 10/);
    logits[10] = Number.NEGATIVE_INFINITY;
    expect(marker.processLogits(logits, [1, 2])).toBe(true);
    expect(logits[10]).toBe(Number.NEGATIVE_INFINITY);
    expect(() => marker.processLogits(new Float32Array(V), [1, V])).toThrow(/outside the vocabulary/);
    const random = new SeededRandom(1);
    expect(() => marker.sampleFromProbabilities(new Float32Array(V), [1, 2], random)).toThrow(/positive, finite sum/);
    expect(() => new GreenListMarker({ key, accountId: 'acct-1', vocabSize: 10 })).toThrow(/vocabSize/);
    expect(new GreenListMarker({ key, accountId: 'acct-1', vocabSize: V + 1 }).vocabSize).toBe(V + 1);
  });
});
