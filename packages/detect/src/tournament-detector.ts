/**
 * Detection of tournament sampling: the score is the number of 1-bits among the m layer bits
 * of each scored (window, token) tuple. Under H0 (text independent of the key) every bit is
 * an independent fair coin, so the score over n tuples is exactly Binomial(n·m, 1/2) and the
 * p-value is its exact upper tail — no threshold fitted to simulations.
 */
import { binomialTail, prfWord } from '@lineage/core';
import type { DetectionResult } from './detection-result.js';
import { checkDetectOptions, providerResult, scoreTuples, type TokenDetectOptions } from './tuple-scoring.js';

export type TournamentDetectOptions = TokenDetectOptions;

export function detectTournament(options: TournamentDetectOptions): DetectionResult {
  const alpha = checkDetectOptions(options);
  const { key } = options;
  const { contextWidth, layers } = key.schemes.tournament;
  const mask = layers === 32 ? 0xffffffff : (1 << layers) - 1;
  // The same derivation as the marker's tournamentPrfKey (detect does not depend on embed).
  const { scored, total } = scoreTuples(options, contextWidth, key.prfKey('provider/tournament'), (lo, hi, token) =>
    popcount((prfWord(lo, hi, token) & mask) >>> 0),
  );
  const trials = scored * layers;
  return providerResult('tournament', key, alpha, { scored, score: total, expected: trials / 2 }, binomialTail(total, trials, 0.5));
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
