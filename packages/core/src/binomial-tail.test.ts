import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialTail, lnBinomialTail } from './binomial-tail.js';
import { exactLnBinomialTail } from './exact-rational.test-support.js';

// |ln p - ln exact| bounds the relative error of p.
const RELATIVE = 1e-10;

describe('binomial upper tail', () => {
  it('matches exact BigInt enumeration for small n', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 160 }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, p, where) => {
          const k = Math.round(where * (n + 1));
          const exact = exactLnBinomialTail(k, n, p);
          const got = lnBinomialTail(k, n, p);
          if (exact === Number.NEGATIVE_INFINITY) return got === exact;
          return Math.abs(got - exact) < RELATIVE * Math.max(1, Math.abs(exact) * 1e-3);
        },
      ),
      { numRuns: 300, seed: 20261123 },
    );
  });

  it('matches enumeration at the watermark parameters and both sides of the mode', () => {
    for (const p of [0.25, 0.5, 1 / 3, 0.01, 0.9]) {
      for (const n of [1, 2, 17, 100, 400]) {
        for (let k = 0; k <= n; k += Math.max(1, Math.floor(n / 23))) {
          const exact = exactLnBinomialTail(k, n, p);
          expect(Math.abs(lnBinomialTail(k, n, p) - exact)).toBeLessThan(RELATIVE);
        }
      }
    }
  });

  it('knows textbook values', () => {
    // P(X >= 8), X ~ Bin(10, 1/2) = 56/1024.
    expect(binomialTail(8, 10, 0.5).pValue).toBeCloseTo(56 / 1024, 15);
    // P(X >= 60), X ~ Bin(100, 1/2).
    expect(binomialTail(60, 100, 0.5).pValue / 0.028443966820490392 - 1).toBeLessThan(1e-12);
  });

  it('is exact at the far end for huge n (closed forms for k = n and k = n - 1)', () => {
    const n = 1_000_000;
    const p = 0.25;
    expect(binomialTail(n, n, p).log10P).toBeCloseTo(n * Math.log10(p), 6);
    const lnTwoTerms = Math.log(n * (1 - p) + p) + (n - 1) * Math.log(p);
    expect(lnBinomialTail(n - 1, n, p)).toBeCloseTo(lnTwoTerms, 6);
    expect(Number.isFinite(binomialTail(n, n, p).log10P)).toBe(true);
    expect(binomialTail(n, n, p).pValue).toBe(0);
  });

  it('is finite and monotone down to log10P = -10000 and beyond', () => {
    const n = 40_000;
    let previous = 0;
    for (let k = 0; k <= n; k += 250) {
      const { log10P } = binomialTail(k, n, 0.25);
      expect(Number.isFinite(log10P)).toBe(true);
      expect(log10P).toBeLessThanOrEqual(previous);
      previous = log10P;
    }
    expect(previous).toBeLessThan(-10_000);
  });

  it('is monotone in k and in p (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, p, where) => {
          const k = Math.floor(where * n);
          const here = lnBinomialTail(k, n, p);
          const next = lnBinomialTail(k + 1, n, p);
          const higherP = lnBinomialTail(k, n, Math.min(1, p * 1.01));
          const slack = 1e-12 * Math.max(1, Math.abs(here));
          return next <= here + slack && higherP >= here - slack && here <= 0;
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('handles the edges', () => {
    expect(lnBinomialTail(0, 10, 0.3)).toBe(0);
    expect(lnBinomialTail(-3, 10, 0.3)).toBe(0);
    expect(lnBinomialTail(11, 10, 0.3)).toBe(Number.NEGATIVE_INFINITY);
    expect(lnBinomialTail(1, 10, 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(lnBinomialTail(10, 10, 1)).toBe(0);
    expect(lnBinomialTail(0, 0, 0.5)).toBe(0);
    expect(() => lnBinomialTail(1.5, 10, 0.3)).toThrow(/integer/);
    expect(() => lnBinomialTail(1, -1, 0.3)).toThrow(/non-negative/);
    expect(() => lnBinomialTail(1, 10, Number.NaN)).toThrow(/probability/);
    expect(() => lnBinomialTail(1, 10, 1.5)).toThrow(/probability/);
  });
});
