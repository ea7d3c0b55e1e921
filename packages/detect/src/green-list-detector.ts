/**
 * Detection of the provider-channel green list: each (h-token window, token) tuple is scored
 * once per test (the scoring tape), and the count of green tokens among the n scored is
 * tested with the exact binomial tail: under H0 (text not from this key) each scored tuple is
 * green with probability exactly threshold / 2^32 (γ on the PRF's grid), whatever the text,
 * because the PRF is keyed.
 */
import { binomialTail, greenProbability, greenThreshold, LineageInputError, prfWord } from '@lineage/core';
import type { DetectionResult } from './detection-result.js';
import { checkDetectOptions, providerResult, scoreTuples, type TokenDetectOptions } from './tuple-scoring.js';

export type GreenListDetectOptions = TokenDetectOptions;

export function detectGreenList(options: GreenListDetectOptions): DetectionResult {
  const alpha = checkDetectOptions(options);
  const { key } = options;
  const { contextWidth, gamma, selfSeeded } = key.schemes.greenList;
  if (selfSeeded) throw new LineageInputError('the self-seeded green-list variant is not available yet');
  const threshold = greenThreshold(gamma);
  const p = greenProbability(threshold);
  const { scored, total } = scoreTuples(options, contextWidth, key.prfKey('provider'), (lo, hi, token) =>
    prfWord(lo, hi, token) < threshold ? 1 : 0,
  );
  return providerResult('kgw', key, alpha, { scored, score: total, expected: p * scored }, binomialTail(total, scored, p));
}
