/**
 * Whether the last h tokens of `context` were already the window of an earlier step of this
 * response: a step predicting position e >= responseStart used the window ending at e,
 * including windows that reach back into the prompt. O(response length) per step.
 */
export function repeatsEarlierWindow(context: ArrayLike<number>, responseStart: number, h: number): boolean {
  const n = context.length;
  if (h === 0) return false;
  if (!Number.isInteger(responseStart) || responseStart < 0)
    throw new RangeError(`responseStart must be a non-negative integer, got ${responseStart}`);
  for (let end = Math.max(responseStart, h); end < n; end++) {
    let same = true;
    for (let j = 1; j <= h && same; j++) same = context[end - j] === context[n - j];
    if (same) return true;
  }
  return false;
}
