/**
 * Exact upper tail of the Gamma(n, 1) law (a sum of n independent Exp(1) variables), the
 * null distribution of the Gumbel/exponential watermark score sum of -log(1 - r).
 *
 * For integer n, P(G >= x) = P(Poisson(x) <= n - 1), which is summed from Loader's accurate
 * log pmf in log space: no incomplete-gamma continued fraction, no normal approximation.
 */
import { LineageInputError } from './errors.js';
import { logPoissonPmf } from './log-pmf.js';
import { log1mExp, type PValue, pValueFromLn } from './p-value.js';
import { _logRelativeSeries } from './tail-series.js';

/** Natural log of P(G >= x), G ~ Gamma(shape n, scale 1), n a positive integer. */
export function lnGammaTail(n: number, x: number): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new LineageInputError(`gamma shape must be a positive integer, got ${n}`);
  }
  if (Number.isNaN(x)) throw new LineageInputError('gamma score is NaN');
  if (x <= 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  const last = n - 1;
  if (last < x) {
    // P(Y <= n-1) summed downward from n-1: ratios j/x fall as j falls.
    const series = _logRelativeSeries((i) => (last - i) / x, last);
    return logPoissonPmf(last, x) + series;
  }
  // Otherwise 1 - P(Y >= n), summed upward from n: ratios x/(j+1) fall as j rises.
  const series = _logRelativeSeries((i) => x / (n + i + 1), Number.POSITIVE_INFINITY);
  return log1mExp(logPoissonPmf(n, x) + series);
}

/** P-value of a Gumbel score sum `score` over `scored` tokens under the null. */
export function gammaTail(scored: number, score: number): PValue {
  return pValueFromLn(lnGammaTail(scored, score));
}
