import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fisherCombine, stoufferCombine } from './combine-p-values.js';
import { bonferroni, holm } from './multiple-testing.js';
import { pValueFromLn } from './p-value.js';

const p = (value: number) => pValueFromLn(Math.log(value));

describe('p-value combination', () => {
  it('Fisher matches the two-p closed form p1 p2 (1 - ln(p1 p2))', () => {
    const product = 0.01 * 0.03;
    expect(fisherCombine([p(0.01), p(0.03)]).pValue / (product * (1 - Math.log(product))) - 1).toBeLessThan(1e-12);
  });

  it('Fisher and Stouffer return a single p-value unchanged (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -5000, max: -1e-9, noNaN: true }), (ln) => {
        const single = [pValueFromLn(ln)];
        const fisher = fisherCombine(single).log10P * Math.LN10;
        const stouffer = stoufferCombine(single).log10P * Math.LN10;
        return Math.abs(fisher - ln) < 1e-9 * Math.max(1, -ln) && Math.abs(stouffer - ln) < 1e-7 * Math.max(1, -ln);
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('Stouffer adds z-scores with weights', () => {
    // z = 1.959963984540054 twice: Z = 2z / sqrt(2) = 2.7718585822512662
    const combined = stoufferCombine([p(0.025), p(0.025)]);
    expect(combined.pValue).toBeCloseTo(0.002787, 6);
    // a zero weight ignores its p-value
    expect(stoufferCombine([p(0.025), p(0.9)], [1, 0]).pValue).toBeCloseTo(0.025, 12);
  });

  it('combines p-values far below the double range', () => {
    const tiny = { pValue: 0, log10P: -5000 };
    expect(fisherCombine([tiny, tiny]).log10P).toBeLessThan(-9990);
    expect(stoufferCombine([tiny, tiny]).log10P).toBeLessThan(-9990);
  });

  it('refuses nonsense', () => {
    expect(() => fisherCombine([])).toThrow(/zero/);
    expect(() => stoufferCombine([p(0.5)], [1, 2])).toThrow(/one entry/);
    expect(() => fisherCombine([{ pValue: 2, log10P: 0.3 }])).toThrow(/invalid/);
  });
});

describe('multiple-testing corrections', () => {
  it('Bonferroni multiplies and caps at 1', () => {
    expect(bonferroni(p(1e-8), 1000).pValue).toBeCloseTo(1e-5, 18);
    expect(bonferroni(p(0.3), 10).pValue).toBe(1);
    expect(bonferroni({ pValue: 0, log10P: -4000 }, 100).log10P).toBeCloseTo(-3998, 9);
    expect(() => bonferroni(p(0.1), 0)).toThrow(/positive/);
  });

  it('Holm matches the textbook step-down example', () => {
    const adjusted = holm([p(0.01), p(0.04), p(0.03), p(0.005)]).map((x) => x.pValue);
    [0.03, 0.06, 0.06, 0.02].forEach((want, i) => {
      expect(adjusted[i]).toBeCloseTo(want, 12);
    });
  });
});
