/**
 * Combining independent p-values: Fisher's method (exact, via the Gamma tail) and
 * Stouffer's weighted z-method (exact normal tail). Inputs are read through `log10P`, so
 * p-values far below 1e-308 combine correctly.
 */
import { LineageInputError } from './errors.js';
import { lnGammaTail } from './gamma-tail.js';
import { lnNormalUpperTail, normalQuantileFromLnTail } from './normal-tail.js';
import { lnOfPValue, type PValue, pValueFromLn } from './p-value.js';

/** Fisher: -2 sum ln p ~ chi-square(2m), i.e. -sum ln p ~ Gamma(m, 1). */
export function fisherCombine(pValues: readonly PValue[]): PValue {
  _checkNonEmpty(pValues);
  let score = 0;
  for (const p of pValues) score -= lnOfPValue(p);
  return pValueFromLn(lnGammaTail(pValues.length, score));
}

/** Stouffer: sum w z / sqrt(sum w^2) ~ N(0, 1); weights default to 1. */
export function stoufferCombine(pValues: readonly PValue[], weights?: readonly number[]): PValue {
  _checkNonEmpty(pValues);
  if (weights && weights.length !== pValues.length) {
    throw new LineageInputError('Stouffer weights must have one entry per p-value');
  }
  let numerator = 0;
  let norm = 0;
  pValues.forEach((p, i) => {
    const w = weights ? (weights[i] as number) : 1;
    if (!(w >= 0) || !Number.isFinite(w)) throw new LineageInputError(`weight ${w} is not >= 0`);
    numerator += w * normalQuantileFromLnTail(lnOfPValue(p));
    norm += w * w;
  });
  if (norm === 0) throw new LineageInputError('Stouffer weights are all zero');
  return pValueFromLn(lnNormalUpperTail(numerator / Math.sqrt(norm)));
}

function _checkNonEmpty(pValues: readonly PValue[]): void {
  if (pValues.length === 0) throw new LineageInputError('cannot combine zero p-values');
  for (const p of pValues) {
    if (Number.isNaN(p.log10P) || p.log10P > 0) {
      throw new LineageInputError(`invalid p-value with log10P = ${p.log10P}`);
    }
  }
}
