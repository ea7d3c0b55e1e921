/** Numeric option parsing shared by the testbed commands: integers and fractions with their ranges in the error. */
import { UsageError } from '../usage-error.js';

export function integerOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

export function fractionOption(
  name: string,
  value: string | undefined,
  fallback: number,
  test: (x: number) => boolean,
  range: string,
): number {
  if (value === undefined) return fallback;
  const n = /^\d*\.?\d+(e-?\d+)?$/i.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || !test(n)) throw new UsageError(`--${name} must be in ${range}, got ${JSON.stringify(value)}`);
  return n;
}
