import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactLnGammaTail } from './exact-rational.test-support.js';
import { gammaTail, lnGammaTail } from './gamma-tail.js';

describe('Gamma(n, 1) upper tail', () => {
  it('matches exact rational enumeration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 1600 }), (n, quarters) => {
        const x = quarters / 4;
        return Math.abs(lnGammaTail(n, x) - exactLnGammaTail(n, x)) < 1e-10;
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('is exp(-x) for one exponential', () => {
    for (const x of [0.5, 3, 50, 700, 5000]) expect(lnGammaTail(1, x)).toBeCloseTo(-x, 10);
  });

  it('matches the chi-square table (10 df, upper 1% point 23.209)', () => {
    expect(gammaTail(5, 23.209 / 2).pValue / 0.01 - 1).toBeLessThan(5e-4);
  });

  it('is monotone in the score and finite far below 1e-308', () => {
    let previous = 0;
    for (let x = 0; x < 30_000; x += 500) {
      const lnP = lnGammaTail(1000, x);
      expect(lnP).toBeLessThanOrEqual(previous);
      expect(Number.isFinite(lnP)).toBe(true);
      previous = lnP;
    }
    expect(previous / Math.LN10).toBeLessThan(-10_000);
    expect(gammaTail(1000, 29_500).pValue).toBe(0);
  });

  it('handles edges and bad input', () => {
    expect(lnGammaTail(3, 0)).toBe(0);
    expect(lnGammaTail(3, -1)).toBe(0);
    expect(lnGammaTail(3, Number.POSITIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(() => lnGammaTail(0, 1)).toThrow(/positive integer/);
    expect(() => lnGammaTail(2.5, 1)).toThrow(/positive integer/);
    expect(() => lnGammaTail(2, Number.NaN)).toThrow(/NaN/);
  });
});
