/**
 * The p-value record every test reports. `log10P` carries values far below the
 * smallest double (1e-308); `pValue` is its rounded linear form (0 when it underflows).
 */

export interface PValue {
  /** The p-value as a number; 0 only when it is below ~1e-308 (see `log10P`). */
  readonly pValue: number;
  /** log10 of the p-value, finite down to any representable tail. */
  readonly log10P: number;
}

/** Builds a record from the natural log of a p-value, clamping rounding noise above 1. */
export function pValueFromLn(lnP: number): PValue {
  if (Number.isNaN(lnP)) throw new RangeError('p-value is NaN: an input to the test was invalid');
  const ln = Math.min(lnP, 0);
  return { pValue: Math.exp(ln), log10P: ln / Math.LN10 };
}

/** Natural log of a p-value given as a record (uses `log10P`, exact far below 1e-308). */
export function lnOfPValue(p: PValue): number {
  return p.log10P * Math.LN10;
}

/** log(1 - exp(a)) for a <= 0, accurate across the range (Mächler 2012). */
export function log1mExp(a: number): number {
  if (a > 0) throw new RangeError('log1mExp needs a <= 0');
  return a > -Math.LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
}

/** log(exp(a) + exp(b)) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}
