/**
 * Exact reference arithmetic for tests: doubles as BigInt rationals and natural logs of
 * huge BigInt ratios, so tail probabilities can be enumerated with no rounding at all.
 */

export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

/** The exact rational value of a finite double (doubling is exact until it is integral). */
export function rationalOf(x: number): Rational {
  let den = 1n;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2;
    den *= 2n;
  }
  return { num: BigInt(v), den };
}

/** Natural log of a positive BigInt, accurate to double precision at any size. */
export function lnBig(x: bigint): number {
  if (x <= 0n) throw new RangeError('lnBig needs a positive value');
  const bits = x.toString(2).length;
  if (bits <= 60) return Math.log(Number(x));
  const shift = bits - 60;
  return Math.log(Number(x >> BigInt(shift))) + shift * Math.LN2;
}

/** Exact ln P(X >= k) for X ~ Binomial(n, p) by enumeration. */
export function exactLnBinomialTail(k: number, n: number, p: number): number {
  const { num: a, den: b } = rationalOf(p);
  const c = b - a;
  let total = 0n;
  let binom = 1n;
  for (let j = 0; j <= n; j++) {
    if (j > 0) binom = (binom * BigInt(n - j + 1)) / BigInt(j);
    if (j >= k) total += binom * a ** BigInt(j) * c ** BigInt(n - j);
  }
  if (total === 0n) return Number.NEGATIVE_INFINITY;
  return lnBig(total) - lnBig(b ** BigInt(n));
}

/** Exact ln P(G >= x) for G ~ Gamma(n, 1) = -x + ln(sum_{j<n} x^j / j!), x a dyadic rational. */
export function exactLnGammaTail(n: number, x: number): number {
  const { num: a, den: b } = rationalOf(x);
  // sum_{j<n} (a/b)^j / j! over the common denominator b^(n-1) (n-1)!
  const last = BigInt(n - 1);
  let factorial = 1n;
  for (let j = 2n; j <= last; j++) factorial *= j;
  let total = 0n;
  let jFactorial = 1n;
  for (let j = 0n; j <= last; j++) {
    if (j > 0n) jFactorial *= j;
    total += (a ** j * b ** (last - j) * factorial) / jFactorial;
  }
  return -x + lnBig(total) - lnBig(b ** last * factorial);
}
