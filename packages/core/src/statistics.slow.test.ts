/**
 * Slow statistical suites (run by `pnpm test` and CI, alone by `pnpm test:slow`):
 * exact enumeration at larger n, and calibration of green-list counts over 10,000 clean
 * texts tested with wrong keys, at alpha = 1e-2 and 1e-3 with binomial confidence bounds.
 */
import { describe, expect, it } from 'vitest';
import { binomialTail, lnBinomialTail } from './binomial-tail.js';
import { exactLnBinomialTail, exactLnGammaTail } from './exact-rational.test-support.js';
import { lnGammaTail } from './gamma-tail.js';
import { keyFromSecret } from './key-file.js';
import { ksUniform } from './ks-test.js';
import { logBinomialPmf } from './log-pmf.js';
import { contextSeed, greenThreshold, prfWord } from './prf.js';
import { ScoringTape } from './scoring-tape.js';
import { SeededRandom } from './seeded-random.js';

describe('exactness at larger n', () => {
  it('binomial tail matches BigInt enumeration up to n = 1200', () => {
    for (const n of [600, 1200]) {
      for (const p of [0.25, 0.5, 0.1]) {
        for (let k = 0; k <= n; k += 37) expect(Math.abs(lnBinomialTail(k, n, p) - exactLnBinomialTail(k, n, p))).toBeLessThan(1e-10);
      }
    }
  });

  it('Gamma tail matches exact enumeration up to n = 400', () => {
    for (const n of [200, 400]) {
      for (let x = 1; x < 3 * n; x += 13) expect(Math.abs(lnGammaTail(n, x) - exactLnGammaTail(n, x))).toBeLessThan(1e-10);
    }
  });
});

describe('calibration with wrong keys on 10,000 clean texts', () => {
  it('holds the nominal false-positive rate and gives uniform randomized p-values', () => {
    const rng = new SeededRandom('slow-calibration');
    const threshold = greenThreshold(0.25);
    const seed = new Uint32Array(2);
    const reported: number[] = [];
    const randomized: number[] = [];
    for (let t = 0; t < 10_000; t++) {
      const key = keyFromSecret(Uint8Array.from({ length: 32 }, () => rng.nextInt(256))).prfKey('provider');
      const tokens = Uint32Array.from({ length: 150 }, () => rng.nextInt(50));
      const tape = new ScoringTape({ contextWidth: 1, seed: new Uint8Array(16) });
      let green = 0;
      let scored = 0;
      for (let i = 1; i < tokens.length; i++) {
        if (!tape.admit(tokens, i)) continue;
        contextSeed(key, tokens, i - 1, 1, seed);
        if (prfWord(seed[0] as number, seed[1] as number, tokens[i] as number) < threshold) green++;
        scored++;
      }
      reported.push(binomialTail(green, scored, 0.25).pValue);
      const above = Math.exp(lnBinomialTail(green + 1, scored, 0.25));
      randomized.push(Math.min(1, above + rng.next() * Math.exp(logBinomialPmf(green, scored, 0.25))));
    }
    for (const alpha of [1e-2, 1e-3]) {
      const hits = reported.filter((p) => p <= alpha).length;
      // one-sided: the count must not exceed what Binomial(10000, alpha) allows at 1e-4
      expect(binomialTail(hits, reported.length, alpha).pValue).toBeGreaterThan(1e-4);
    }
    expect(reported.filter((p) => p <= 1e-6)).toHaveLength(0);
    expect(ksUniform(randomized).pValue).toBeGreaterThan(1e-3);
  });
});
