/**
 * Summation of a tail series whose consecutive-term ratios fall below 1 and keep falling:
 * log((t0 + t1 + ...) / t0) where t(i+1) = t(i) * ratioAt(i). Stops once the rest is
 * provably below 1e-17 of the sum (geometric bound on the remainder).
 */
export function _logRelativeSeries(ratioAt: (i: number) => number, maxTerms: number): number {
  let sum = 1;
  let term = 1;
  for (let i = 0; i < maxTerms; i++) {
    const ratio = ratioAt(i);
    term *= ratio;
    sum += term;
    if (term === 0 || (ratio < 1 && (term * ratio) / (1 - ratio) <= sum * 1e-17)) break;
  }
  return Math.log(sum);
}
