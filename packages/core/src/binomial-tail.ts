/**
 * Exact upper tail of the binomial law, P(X >= k) for X ~ Binomial(n, p), in log space.
 *
 * The tail is summed term by term from Loader's accurate log pmf (no normal approximation),
 * upward when k is above the mode and as 1 - P(X <= k-1) otherwise, so every branch sums
 * a series of falling terms. Relative error stays near 1e-14 and log10P remains finite
 * down to any magnitude (P(X >= n) at n = 1e6 is about 10^-602060 for p = 1/4).
 */
import { LineageInputError } from './errors.js';
import { logBinomialPmf } from './log-pmf.js';
import { log1mExp, type PValue, pValueFromLn } from './p-value.js';
import { _logRelativeSeries } from './tail-series.js';

/** Natural log of P(X >= k), X ~ Binomial(n, p). */
export function lnBinomialTail(k: number, n: number, p: number): number {
  _checkBinomialArgs(k, n, p);
  if (k <= 0) return 0;
  if (k > n || p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return 0;
  const odds = p / (1 - p);
  const mode = Math.min(n, Math.floor((n + 1) * p));
  if (k > mode) {
    const series = _logRelativeSeries((i) => ((n - k - i) / (k + i + 1)) * odds, n - k);
    return logBinomialPmf(k, n, p) + series;
  }
  const series = _logRelativeSeries((i) => (k - 1 - i) / (n - k + 2 + i) / odds, k - 1);
  return log1mExp(logBinomialPmf(k - 1, n, p) + series);
}

/**
 * P-value of observing at least `successes` in `trials` when each succeeds with
 * `probability` under the null hypothesis.
 */
export function binomialTail(successes: number, trials: number, probability: number): PValue {
  return pValueFromLn(lnBinomialTail(successes, trials, probability));
}

function _checkBinomialArgs(k: number, n: number, p: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new LineageInputError(`binomial trials must be a non-negative integer, got ${n}`);
  }
  if (!Number.isSafeInteger(k)) {
    throw new LineageInputError(`binomial successes must be an integer, got ${k}`);
  }
  if (!(p >= 0 && p <= 1)) {
    throw new LineageInputError(`binomial probability must be in [0, 1], got ${p}`);
  }
}
