/**
 * Detection of Gumbel sampling: the score is Σ −log(1 − r) over the scored (window, token)
 * tuples, r the keyed uniform of the emitted token. Under H0 (text independent of the key)
 * each term is Exp(1), so the sum over n tuples is Gamma(n, 1) and the p-value is its exact
 * upper tail (Aaronson 2022; Fernandez et al. 2023 on exact tests for this score).
 */
import { gammaTail, prfUniform } from '@lineage/core';
import type { DetectionResult } from './detection-result.js';
import { checkDetectOptions, providerResult, scoreTuples, type TokenDetectOptions } from './tuple-scoring.js';

export type GumbelDetectOptions = TokenDetectOptions;

export function detectGumbel(options: GumbelDetectOptions): DetectionResult {
  const alpha = checkDetectOptions(options);
  const { key } = options;
  // The same derivation as the marker's gumbelPrfKey (detect does not depend on embed).
  const { scored, total } = scoreTuples(
    options,
    key.schemes.gumbel.contextWidth,
    key.prfKey('provider/gumbel'),
    (lo, hi, token) => -Math.log1p(-prfUniform(lo, hi, token)),
  );
  const tail = scored === 0 ? { pValue: 1, log10P: 0 } : gammaTail(scored, total);
  return providerResult('gumbel', key, alpha, { scored, score: total, expected: scored }, tail);
}
