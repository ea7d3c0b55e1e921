/**
 * The tournament statistic: the number of 1-bits among the m layer bits of each scored tuple.
 * Under H0 (text independent of the key) every bit is an independent fair coin, so the score
 * over n tuples is exactly Binomial(n·m, 1/2) and the p-value is its exact upper tail — no
 * threshold fitted to simulations.
 */
import { binomialTail, type LineageKey, prfWord } from '@lineage/core';
import { detectProvider } from './channel-detection.js';
import type { DetectionResult } from './detection-result.js';
import type { SchemeStatistic } from './scheme-statistic.js';
import type { TokenDetectOptions } from './tuple-scoring.js';

export type TournamentDetectOptions = TokenDetectOptions;

export function tournamentStatistic(key: LineageKey): SchemeStatistic {
  const { contextWidth, layers } = key.schemes.tournament;
  const mask = layers === 32 ? 0xffffffff : (1 << layers) - 1;
  return {
    scheme: 'tournament',
    contextWidth,
    score: (lo, hi, x) => popcount((prfWord(lo, hi, x) & mask) >>> 0),
    nullMean: layers / 2,
    tail: (total, n) => binomialTail(total, n * layers, 0.5),
  };
}

/** The provider channel of tournament sampling; `layers` says what `expected` counts. */
export function detectTournament(options: TournamentDetectOptions): DetectionResult & { readonly layers: number } {
  return { ...detectProvider(options, tournamentStatistic(options.key)), layers: options.key.schemes.tournament.layers };
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
