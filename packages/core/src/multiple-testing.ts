/**
 * Corrections for testing several hypotheses at once (keys, epochs, campaigns, decoded
 * messages). Both control the family-wise error rate under any dependence.
 */
import { LineageInputError } from './errors.js';
import { lnOfPValue, type PValue, pValueFromLn } from './p-value.js';

/** Bonferroni: min(1, m p). */
export function bonferroni(p: PValue, tests: number): PValue {
  if (!Number.isSafeInteger(tests) || tests < 1) {
    throw new LineageInputError(`number of tests must be a positive integer, got ${tests}`);
  }
  return pValueFromLn(lnOfPValue(p) + Math.log(tests));
}

/** Holm's step-down adjusted p-values, returned in the input order. */
export function holm(pValues: readonly PValue[]): PValue[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ ln: lnOfPValue(p), i })).sort((a, b) => a.ln - b.ln);
  const adjusted: PValue[] = new Array(m);
  let running = Number.NEGATIVE_INFINITY;
  order.forEach(({ ln, i }, rank) => {
    running = Math.max(running, Math.min(0, ln + Math.log(m - rank)));
    adjusted[i] = pValueFromLn(running);
  });
  return adjusted;
}
