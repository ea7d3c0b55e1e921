/**
 * One entry point for the token-level schemes: test one scheme, or every scheme (`auto`)
 * with each p-value Bonferroni-corrected for the number tested, so the chance of any false
 * "marked" stays at alpha. The uncorrected p-value is kept beside the corrected one.
 */
import { LineageInputError, type LineageKey } from '@lineage/core';
import type { DetectionResult } from './detection-result.js';
import { detectGreenList } from './green-list-detector.js';
import { detectGumbel } from './gumbel-detector.js';
import { detectTournament } from './tournament-detector.js';

export const TOKEN_SCHEMES = ['kgw', 'gumbel', 'tournament'] as const;
export type TokenSchemeName = (typeof TOKEN_SCHEMES)[number];

export interface DetectTokensOptions {
  readonly key: LineageKey;
  readonly scheme: TokenSchemeName | 'auto';
  readonly texts: readonly ArrayLike<number>[];
  readonly alpha?: number;
  readonly exclude?: readonly ArrayLike<number>[];
  readonly tapeSeed?: Uint8Array;
}

export interface CorrectedResult extends DetectionResult {
  /** Present when several schemes were tested: the p-value before correction. */
  readonly uncorrectedPValue?: number;
  readonly correction?: string;
}

const DETECTORS: Record<TokenSchemeName, (options: Omit<DetectTokensOptions, 'scheme'>) => DetectionResult> = {
  kgw: detectGreenList,
  gumbel: detectGumbel,
  tournament: detectTournament,
};

export function detectTokens(options: DetectTokensOptions): CorrectedResult[] {
  const { scheme, ...rest } = options;
  if (scheme !== 'auto' && !(TOKEN_SCHEMES as readonly string[]).includes(scheme)) {
    throw new LineageInputError(`unknown scheme ${JSON.stringify(scheme)}; use ${TOKEN_SCHEMES.join(', ')} or auto`);
  }
  const schemes = scheme === 'auto' ? TOKEN_SCHEMES : [scheme];
  const results = schemes.map((name) => DETECTORS[name](rest));
  return results.length > 1 ? results.map((r) => correctForTests(r, results.length)) : results;
}

/** Bonferroni over `tests` tests of one text. */
export function correctForTests<R extends DetectionResult>(result: R, tests: number): R & CorrectedResult {
  const pValue = Math.min(1, result.pValue * tests);
  return {
    ...result,
    pValue,
    log10P: Math.min(0, result.log10P + Math.log10(tests)),
    verdict: pValue <= result.alpha ? 'marked' : 'not-marked',
    uncorrectedPValue: result.pValue,
    correction: `bonferroni over ${tests} schemes`,
  };
}
