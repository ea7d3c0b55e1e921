/**
 * Detection of the provider-channel green list: each (h-token window, token) tuple is scored
 * once per test (the scoring tape), and the count of green tokens among the n scored is
 * tested with the exact binomial tail: under H0 (text not from this key) each scored tuple is
 * green with probability exactly γ, whatever the text, because the PRF is keyed.
 */
import {
  binomialTail,
  contextSeed,
  greenProbability,
  greenThreshold,
  LineageInputError,
  type LineageKey,
  prfWord,
  ScoringTape,
} from '@lineage/core';
import type { DetectionResult } from './detection-result.js';
import { checkTokenTexts } from './token-input.js';

export interface GreenListDetectOptions {
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

export function detectGreenList(options: GreenListDetectOptions): DetectionResult {
  const { key, texts } = options;
  const alpha = options.alpha ?? 1e-6;
  if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
  checkTokenTexts(texts);
  checkTokenTexts(options.exclude ?? [], 'prompt');
  const { contextWidth: h, gamma, selfSeeded } = key.schemes.greenList;
  if (selfSeeded) throw new LineageInputError('the self-seeded green-list variant is not available yet');
  const prf = key.prfKey('provider');
  const threshold = greenThreshold(gamma);
  const tape = new ScoringTape({ contextWidth: h, ...(options.tapeSeed ? { seed: options.tapeSeed } : {}) });
  for (const prompt of options.exclude ?? []) tape.exclude(prompt);
  const seed = new Uint32Array(2);
  let scored = 0;
  let green = 0;
  for (const tokens of texts) {
    for (let i = h; i < tokens.length; i++) {
      if (!tape.admit(tokens, i)) continue;
      contextSeed(prf, tokens, i - h, h, seed);
      scored++;
      if (prfWord(seed[0] as number, seed[1] as number, tokens[i] as number) < threshold) green++;
    }
  }
  // The exact null probability of one tuple being green: threshold / 2^32 (γ rounded to the PRF's grid).
  const { pValue, log10P } = binomialTail(green, scored, greenProbability(threshold));
  return {
    scheme: 'kgw',
    channel: 'provider',
    scored,
    score: green,
    expected: greenProbability(threshold) * scored,
    pValue,
    log10P,
    verdict: pValue <= alpha ? 'marked' : 'not-marked',
    alpha,
    keyId: key.keyId,
    commitment: key.commitment,
  };
}
