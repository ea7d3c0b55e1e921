/**
 * Calibration template for every scheme: with random keys and random token streams the
 * detection p-values must be uniform. Discrete tests (green counts) are checked through
 * randomized p-values, which are exactly uniform under the null, and their reported
 * (conservative) p-values must never exceed the nominal rate. The negative control shows
 * the check has teeth: without the scoring tape, repeated tuples make p-values non-uniform.
 */
import { describe, expect, it } from 'vitest';
import { binomialTail, lnBinomialTail } from './binomial-tail.js';
import { keyFromSecret } from './key-file.js';
import { ksUniform } from './ks-test.js';
import { logBinomialPmf } from './log-pmf.js';
import { contextSeed, greenProbability, greenThreshold, prfWord } from './prf.js';
import { ScoringTape } from './scoring-tape.js';
import { SeededRandom } from './seeded-random.js';

const GAMMA = 0.25;
const WIDTH = 1;

function greenCount(tokens: Uint32Array, secret: Uint8Array, dedupe: boolean): { green: number; scored: number } {
  const key = keyFromSecret(secret).prfKey('provider');
  const threshold = greenThreshold(GAMMA);
  const tape = new ScoringTape({ contextWidth: WIDTH, seed: new Uint8Array(16) });
  const seed = new Uint32Array(2);
  let green = 0;
  let scored = 0;
  for (let i = WIDTH; i < tokens.length; i++) {
    if (dedupe && !tape.admit(tokens, i)) continue;
    contextSeed(key, tokens, i - WIDTH, WIDTH, seed);
    if (prfWord(seed[0] as number, seed[1] as number, tokens[i] as number) < threshold) green++;
    scored++;
  }
  return { green, scored };
}

function randomizedPValue(k: number, n: number, p: number, u: number): number {
  const above = Math.exp(lnBinomialTail(k + 1, n, p));
  return Math.min(1, above + u * Math.exp(logBinomialPmf(k, n, p)));
}

function run(dedupe: boolean, texts: number, vocabulary: number) {
  const rng = new SeededRandom(`calibration/${dedupe}/${vocabulary}`);
  const randomized: number[] = [];
  const reported: number[] = [];
  for (let t = 0; t < texts; t++) {
    const secret = Uint8Array.from({ length: 32 }, () => rng.nextInt(256));
    const tokens = Uint32Array.from({ length: 200 }, () => rng.nextInt(vocabulary));
    const { green, scored } = greenCount(tokens, secret, dedupe);
    const p = greenProbability(greenThreshold(GAMMA));
    randomized.push(randomizedPValue(green, scored, p, rng.next()));
    reported.push(binomialTail(green, scored, p).pValue);
  }
  return { randomized, reported };
}

describe('calibration on clean token streams', () => {
  it('gives uniform p-values with the tape (KS at a fixed seed)', () => {
    const { randomized, reported } = run(true, 2000, 6);
    expect(ksUniform(randomized).pValue).toBeGreaterThan(1e-3);
    for (const alpha of [0.01, 0.05, 0.1]) {
      const rate = reported.filter((p) => p <= alpha).length / reported.length;
      // conservative: at most alpha plus four binomial standard errors
      expect(rate).toBeLessThanOrEqual(alpha + 4 * Math.sqrt((alpha * (1 - alpha)) / reported.length));
    }
  });

  it('negative control: without de-duplication repeated tuples break uniformity', () => {
    const { randomized } = run(false, 2000, 6);
    expect(ksUniform(randomized).pValue).toBeLessThan(1e-6);
  });
});
