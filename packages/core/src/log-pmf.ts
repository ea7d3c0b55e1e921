/**
 * Log probability mass functions of the binomial and Poisson laws, accurate for huge n.
 *
 * Follows C. Loader, "Fast and Accurate Computation of Binomial Probabilities" (2000):
 * the Stirling remainder `stirlerr` and the deviance term `bd0` avoid the cancellation of
 * lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1), which loses ~8 digits at n = 1e8.
 */

const LN_2PI = Math.log(2 * Math.PI);
const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n) for n = 0..15, from exact factorials
// (all exactly representable), so each entry is within a few 1e-15 of the true value.
const STIRLERR_SMALL: readonly number[] = (() => {
  const table = [0];
  let factorial = 1;
  for (let n = 1; n <= 15; n++) {
    factorial *= n;
    table.push(Math.log(factorial) - (n + 0.5) * Math.log(n) + n - LN_SQRT_2PI);
  }
  return table;
})();

const S0 = 1 / 12;
const S1 = 1 / 360;
const S2 = 1 / 1260;
const S3 = 1 / 1680;
const S4 = 1 / 1188;

/** Stirling-formula remainder for a non-negative integer n. */
export function stirlerr(n: number): number {
  if (n <= 15) return STIRLERR_SMALL[n] as number;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** Deviance term x log(x/m) + m - x, computed without cancellation when x ≈ m. */
export function bd0(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const next = s + ej / (2 * j + 1);
      if (next === s) return next;
      s = next;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/** log P(X = k) for X ~ Binomial(n, p); k and n integers, 0 <= p <= 1. */
export function logBinomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  const q = 1 - p;
  if (p === 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (q === 0) return k === n ? 0 : Number.NEGATIVE_INFINITY;
  if (k === 0) return n * Math.log1p(-p);
  if (k === n) return n * Math.log(p);
  const lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * p) - bd0(n - k, n * q);
  const lf = LN_2PI + Math.log(k) + Math.log1p(-k / n);
  return lc - 0.5 * lf;
}

/** log P(Y = j) for Y ~ Poisson(lambda); j a non-negative integer, lambda >= 0. */
export function logPoissonPmf(j: number, lambda: number): number {
  if (j < 0) return Number.NEGATIVE_INFINITY;
  if (lambda === 0) return j === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (j === 0) return -lambda;
  return -stirlerr(j) - bd0(j, lambda) - 0.5 * (LN_2PI + Math.log(j));
}
