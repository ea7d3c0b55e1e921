/**
 * The green-list statistic: the count of green tokens among the n scored tuples, tested with
 * the exact binomial tail. Under H0 (text not from this key) each scored tuple is green with
 * probability exactly threshold / 2^32 (γ on the PRF's grid), whatever the text, because the
 * PRF is keyed.
 */
import { binomialTail, greenProbability, greenThreshold, type LineageKey, MinSelfHash, prfWord } from '@lineage/core';
import { detectProvider } from './channel-detection.js';
import type { DetectionResult } from './detection-result.js';
import type { SchemeStatistic } from './scheme-statistic.js';
import type { TokenDetectOptions } from './tuple-scoring.js';

export type GreenListDetectOptions = TokenDetectOptions;

export function greenListStatistic(key: LineageKey): SchemeStatistic {
  const { contextWidth, gamma, selfSeeded } = key.schemes.greenList;
  const threshold = greenThreshold(gamma);
  const p = greenProbability(threshold);
  return {
    scheme: 'kgw',
    contextWidth,
    score: (lo, hi, x) => (prfWord(lo, hi, x) < threshold ? 1 : 0),
    nullMean: p,
    tail: (total, n) => binomialTail(total, n, p),
    ...(selfSeeded ? { selfHash: new MinSelfHash(key) } : {}),
  };
}

/** The provider channel of the green list. */
export function detectGreenList(options: GreenListDetectOptions): DetectionResult {
  return detectProvider(options, greenListStatistic(options.key));
}
