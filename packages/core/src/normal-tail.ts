/**
 * The standard normal upper tail Q(z) = P(Z >= z) and its inverse, in log space, for
 * Stouffer's combination. Series for |z| < 2, Laplace's continued fraction beyond, so
 * z = 40 (Q ≈ 1e-349) is as accurate as z = 1.
 */
import { LineageInputError } from './errors.js';
import { log1mExp } from './p-value.js';

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Natural log of P(Z >= z), Z standard normal. */
export function lnNormalUpperTail(z: number): number {
  if (Number.isNaN(z)) throw new LineageInputError('normal quantile is NaN');
  if (z < 0) return log1mExp(lnNormalUpperTail(-z));
  if (z === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  const lnDensity = -0.5 * z * z - LN_SQRT_2PI;
  if (z < 2) {
    // Q(z) = 1/2 - phi(z) * (z + z^3/3 + z^5/15 + ...)
    let term = z;
    let sum = z;
    for (let k = 1; k < 200; k++) {
      term *= (z * z) / (2 * k + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return Math.log(0.5 - Math.exp(lnDensity) * sum);
  }
  // Mills ratio Q/phi = 1/(z + 1/(z + 2/(z + 3/(z + ...)))) by the modified Lentz method.
  const tiny = 1e-300;
  let f = z;
  let c = f;
  let d = 0;
  for (let k = 1; k < 10000; k++) {
    d = z + k * d;
    if (d === 0) d = tiny;
    c = z + k / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return lnDensity - Math.log(f);
}

/** The z with ln P(Z >= z) = lnP (lnP <= 0), by Newton's method on the concave log tail. */
export function normalQuantileFromLnTail(lnP: number): number {
  if (Number.isNaN(lnP) || lnP > 0) {
    throw new LineageInputError(`log p-value must be <= 0, got ${lnP}`);
  }
  if (lnP === 0) return Number.NEGATIVE_INFINITY;
  if (lnP === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (lnP > -Math.LN2) return -normalQuantileFromLnTail(log1mExp(lnP));
  const t = -2 * lnP;
  let z = Math.max(0, Math.sqrt(Math.max(t - Math.log(t) - 2 * LN_SQRT_2PI, 0)));
  for (let i = 0; i < 200; i++) {
    const lnQ = lnNormalUpperTail(z);
    const slope = -Math.exp(-0.5 * z * z - LN_SQRT_2PI - lnQ);
    const next = Math.max(0, z - (lnQ - lnP) / slope);
    if (Math.abs(next - z) <= 1e-15 * Math.max(1, z)) return next;
    z = next;
  }
  return z;
}
