/**
 * What every token-level detector shares: input validation, one pass over the
 * (h-token window, token) tuples that the scoring tape admits (each scored once per test,
 * prompt windows excluded), and the result in the contract's shape.
 */
import { contextSeed, LineageInputError, type LineageKey, type PrfKey, type PValue, ScoringTape } from '@lineage/core';
import type { DetectionResult } from './detection-result.js';
import { checkTokenTexts } from './token-input.js';

export interface TokenDetectOptions {
  readonly key: LineageKey;
  /** Token ids of the texts of one test (one text, or a whole sample). */
  readonly texts: readonly ArrayLike<number>[];
  /** Verdict threshold (default 1e-6). */
  readonly alpha?: number;
  /** Windows of these token sequences are never scored (the probe prompts). */
  readonly exclude?: readonly ArrayLike<number>[];
  /** Fingerprint seed of the tape, for reproducible runs (default random). */
  readonly tapeSeed?: Uint8Array;
}

/** Validates the options; returns alpha. */
export function checkDetectOptions(options: TokenDetectOptions): number {
  const alpha = options.alpha ?? 1e-6;
  if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
  checkTokenTexts(options.texts);
  checkTokenTexts(options.exclude ?? [], 'prompt');
  return alpha;
}

/**
 * Sums `score(seedLow, seedHigh, token)` over the admitted tuples, the seed being the keyed
 * PRF of the tuple's window. Returns how many were scored and the sum.
 */
export function scoreTuples(
  options: TokenDetectOptions,
  contextWidth: number,
  prf: PrfKey,
  score: (seedLow: number, seedHigh: number, token: number) => number,
): { scored: number; total: number } {
  const h = contextWidth;
  const tape = new ScoringTape({ contextWidth: h, ...(options.tapeSeed ? { seed: options.tapeSeed } : {}) });
  for (const prompt of options.exclude ?? []) tape.exclude(prompt);
  const seed = new Uint32Array(2);
  let scored = 0;
  let total = 0;
  for (const tokens of options.texts) {
    for (let i = h; i < tokens.length; i++) {
      if (!tape.admit(tokens, i)) continue;
      contextSeed(prf, tokens, i - h, h, seed);
      total += score(seed[0] as number, seed[1] as number, tokens[i] as number);
      scored++;
    }
  }
  return { scored, total };
}

export function providerResult(
  scheme: string,
  key: LineageKey,
  alpha: number,
  statistic: { scored: number; score: number; expected: number },
  tail: PValue,
): DetectionResult {
  return {
    scheme,
    channel: 'provider',
    ...statistic,
    pValue: tail.pValue,
    log10P: tail.log10P,
    verdict: tail.pValue <= alpha ? 'marked' : 'not-marked',
    alpha,
    keyId: key.keyId,
    commitment: key.commitment,
  };
}
