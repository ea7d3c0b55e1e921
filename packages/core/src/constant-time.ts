import { timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings (time depends only on their lengths). */
export function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
