/**
 * Detection of tournament sampling: the score is the number of 1-bits among the m layer bits
 * of each scored (window, token) tuple. Under H0 (text independent of the key) every bit is
 * an independent fair coin, so the score over n tuples is exactly Binomial(n·m, 1/2) and the
 * p-value is its exact upper tail — no threshold fitted to simulations.
 */
import { binomialTail, contextSeed, LineageInputError, type LineageKey, prfWord, ScoringTape } from '@lineage/core';
import type { DetectionResult } from './detection-result.js';
import { checkTokenTexts } from './token-input.js';

export interface TournamentDetectOptions {
  readonly key: LineageKey;
  readonly texts: readonly ArrayLike<number>[];
  /** Verdict threshold (default 1e-6). */
  readonly alpha?: number;
  /** Windows of these token sequences are never scored (the probe prompts). */
  readonly exclude?: readonly ArrayLike<number>[];
  readonly tapeSeed?: Uint8Array;
}

export function detectTournament(options: TournamentDetectOptions): DetectionResult {
  const { key, texts } = options;
  const alpha = options.alpha ?? 1e-6;
  if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
  checkTokenTexts(texts);
  checkTokenTexts(options.exclude ?? [], 'prompt');
  const { contextWidth: h, layers } = key.schemes.tournament;
  const mask = layers === 32 ? 0xffffffff : (1 << layers) - 1;
  // The same derivation as the marker's tournamentPrfKey (detect does not depend on embed).
  const prf = key.prfKey('provider/tournament');
  const tape = new ScoringTape({ contextWidth: h, ...(options.tapeSeed ? { seed: options.tapeSeed } : {}) });
  for (const prompt of options.exclude ?? []) tape.exclude(prompt);
  const seed = new Uint32Array(2);
  let scored = 0;
  let ones = 0;
  for (const tokens of texts) {
    for (let i = h; i < tokens.length; i++) {
      if (!tape.admit(tokens, i)) continue;
      contextSeed(prf, tokens, i - h, h, seed);
      ones += popcount((prfWord(seed[0] as number, seed[1] as number, tokens[i] as number) & mask) >>> 0);
      scored++;
    }
  }
  const trials = scored * layers;
  const { pValue, log10P } = binomialTail(ones, trials, 0.5);
  return {
    scheme: 'tournament',
    channel: 'provider',
    scored,
    score: ones,
    expected: trials / 2,
    pValue,
    log10P,
    verdict: pValue <= alpha ? 'marked' : 'not-marked',
    alpha,
    keyId: key.keyId,
    commitment: key.commitment,
  };
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}
