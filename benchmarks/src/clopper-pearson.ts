/**
 * The exact (Clopper–Pearson 1934) confidence interval of a binomial rate: each bound is the
 * rate at which the observed count sits exactly at the alpha/2 tail, found by bisection on the
 * exact binomial tail of @lineage/core (log space, so rates far below 1e-300 stay exact), never
 * a normal approximation.
 */
import { lnBinomialTail } from '@lineage/core';

export interface RateInterval {
  readonly rate: number;
  readonly lower: number;
  readonly upper: number;
}

/** The value of `p` in (0, 1) where the increasing `lnTailAt(p)` crosses `target`, bisected over ln p. */
function _solveIncreasing(lnTailAt: (p: number) => number, target: number): number {
  // ln p from ln(Number.MIN_VALUE) to 0: the bounds of any count at any n a benchmark can run.
  let lo = -744;
  let hi = 0;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (lnTailAt(Math.exp(mid)) < target) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Two-sided interval at `confidence` (default 95%) for `successes` out of `trials`. */
export function clopperPearson(successes: number, trials: number, confidence = 0.95): RateInterval {
  if (!Number.isSafeInteger(trials) || trials < 1 || !Number.isSafeInteger(successes) || successes < 0 || successes > trials)
    throw new RangeError(`need 0 <= successes <= trials and trials >= 1, got ${successes} of ${trials}`);
  const half = (1 - confidence) / 2;
  // Lower: P(X >= x | p) = alpha/2. Upper: P(X <= x | p) = alpha/2, i.e. P(X >= x + 1 | p) = 1 - alpha/2.
  const lower = successes === 0 ? 0 : _solveIncreasing((p) => lnBinomialTail(successes, trials, p), Math.log(half));
  const upper = successes === trials ? 1 : _solveIncreasing((p) => lnBinomialTail(successes + 1, trials, p), Math.log1p(-half));
  return { rate: successes / trials, lower, upper };
}
