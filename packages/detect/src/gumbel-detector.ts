/**
 * Detection of Gumbel sampling: the score is Σ −log(1 − r) over the scored (window, token)
 * tuples, r the keyed uniform of the emitted token. Under H0 (text independent of the key)
 * each term is Exp(1), so the sum over n tuples is Gamma(n, 1) and the p-value is its exact
 * upper tail (Aaronson 2022; Fernandez et al. 2023 on exact tests for this score).
 */
import { contextSeed, gammaTail, LineageInputError, type LineageKey, prfUniform, ScoringTape } from '@lineage/core';
import type { DetectionResult } from './detection-result.js';
import { checkTokenTexts } from './token-input.js';

export interface GumbelDetectOptions {
  readonly key: LineageKey;
  readonly texts: readonly ArrayLike<number>[];
  /** Verdict threshold (default 1e-6). */
  readonly alpha?: number;
  /** Windows of these token sequences are never scored (the probe prompts). */
  readonly exclude?: readonly ArrayLike<number>[];
  readonly tapeSeed?: Uint8Array;
}

export function detectGumbel(options: GumbelDetectOptions): DetectionResult {
  const { key, texts } = options;
  const alpha = options.alpha ?? 1e-6;
  if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
  checkTokenTexts(texts);
  checkTokenTexts(options.exclude ?? [], 'prompt');
  const h = key.schemes.gumbel.contextWidth;
  // The same derivation as the marker's gumbelPrfKey (detect does not depend on embed).
  const prf = key.prfKey('provider/gumbel');
  const tape = new ScoringTape({ contextWidth: h, ...(options.tapeSeed ? { seed: options.tapeSeed } : {}) });
  for (const prompt of options.exclude ?? []) tape.exclude(prompt);
  const seed = new Uint32Array(2);
  let scored = 0;
  let score = 0;
  for (const tokens of texts) {
    for (let i = h; i < tokens.length; i++) {
      if (!tape.admit(tokens, i)) continue;
      contextSeed(prf, tokens, i - h, h, seed);
      score -= Math.log1p(-prfUniform(seed[0] as number, seed[1] as number, tokens[i] as number));
      scored++;
    }
  }
  const { pValue, log10P } = scored === 0 ? { pValue: 1, log10P: 0 } : gammaTail(scored, score);
  return {
    scheme: 'gumbel',
    channel: 'provider',
    scored,
    score,
    expected: scored,
    pValue,
    log10P,
    verdict: pValue <= alpha ? 'marked' : 'not-marked',
    alpha,
    keyId: key.keyId,
    commitment: key.commitment,
  };
}
