/**
 * One-sample Kolmogorov-Smirnov test against Uniform(0, 1): the calibration check that
 * null p-values are uniform. The p-value uses the asymptotic Kolmogorov distribution with
 * Stephens' small-sample correction (accurate for n >= 35; calibration runs use thousands).
 */
import { LineageInputError } from './errors.js';

export interface KsResult {
  /** sup |F_n(x) - x| */
  readonly statistic: number;
  readonly pValue: number;
  readonly n: number;
}

export function ksUniform(values: readonly number[]): KsResult {
  const n = values.length;
  if (n === 0) throw new LineageInputError('the KS test needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  let d = 0;
  sorted.forEach((x, i) => {
    if (!(x >= 0 && x <= 1)) throw new LineageInputError(`KS value ${x} is outside [0, 1]`);
    d = Math.max(d, (i + 1) / n - x, x - i / n);
  });
  const sqrtN = Math.sqrt(n);
  const lambda = (sqrtN + 0.12 + 0.11 / sqrtN) * d;
  return { statistic: d, pValue: _kolmogorovTail(lambda), n };
}

function _kolmogorovTail(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 200; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, sum));
}
