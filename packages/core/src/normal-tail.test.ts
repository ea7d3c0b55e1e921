import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lnNormalUpperTail, normalQuantileFromLnTail } from './normal-tail.js';

describe('normal upper tail', () => {
  it('knows published values', () => {
    expect(Math.exp(lnNormalUpperTail(1.959963984540054)) / 0.025 - 1).toBeLessThan(1e-13);
    expect(Math.exp(lnNormalUpperTail(-1.959963984540054)) / 0.975 - 1).toBeLessThan(1e-13);
    expect(Math.abs(Math.exp(lnNormalUpperTail(5)) / 2.866515718791939e-7 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(Math.exp(lnNormalUpperTail(0)) - 0.5)).toBeLessThan(1e-16);
  });

  it('agrees across the series / continued-fraction switch and with the asymptotic form', () => {
    const below = lnNormalUpperTail(2 - 1e-9);
    const above = lnNormalUpperTail(2 + 1e-9);
    expect(Math.abs(below - above)).toBeLessThan(1e-8);
    const z = 1000;
    const asymptotic = -0.5 * z * z - Math.log(z) - 0.5 * Math.log(2 * Math.PI) + Math.log1p(-1 / (z * z));
    expect(lnNormalUpperTail(z)).toBeCloseTo(asymptotic, 9);
  });

  it('inverts exactly (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 200, noNaN: true }), (z) => {
        const back = normalQuantileFromLnTail(lnNormalUpperTail(z));
        return Math.abs(back - z) < 1e-9 * Math.max(1, Math.abs(z));
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});
