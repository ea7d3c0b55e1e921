/**
 * The Gumbel statistic: Σ −log(1 − r) over the scored tuples, r the keyed uniform of the
 * emitted token. Under H0 (text independent of the key) each term is Exp(1), so the sum over
 * n tuples is Gamma(n, 1) and the p-value is its exact upper tail (Aaronson 2022; Fernandez
 * et al. 2023 on exact tests for this score).
 */
import { gammaTail, type LineageKey, prfUniform } from '@lineage/core';
import { detectProvider } from './channel-detection.js';
import type { DetectionResult } from './detection-result.js';
import type { SchemeStatistic } from './scheme-statistic.js';
import type { TokenDetectOptions } from './tuple-scoring.js';

export type GumbelDetectOptions = TokenDetectOptions;

export function gumbelStatistic(key: LineageKey): SchemeStatistic {
  return {
    scheme: 'gumbel',
    contextWidth: key.schemes.gumbel.contextWidth,
    score: (lo, hi, x) => -Math.log1p(-prfUniform(lo, hi, x)),
    nullMean: 1,
    tail: (total, n) => (n === 0 ? { pValue: 1, log10P: 0 } : gammaTail(n, total)),
  };
}

/** The provider channel of Gumbel sampling. */
export function detectGumbel(options: GumbelDetectOptions): DetectionResult {
  return detectProvider(options, gumbelStatistic(options.key));
}
