/** Whether the last h tokens of `context` also occur as a window ending earlier inside the response (at or after `responseStart`). */
export function repeatsEarlierWindow(context: ArrayLike<number>, responseStart: number, h: number): boolean {
  const n = context.length;
  if (h === 0) return false;
  for (let end = Math.max(responseStart + h, h); end < n; end++) {
    let same = true;
    for (let j = 1; j <= h && same; j++) same = context[end - j] === context[n - j];
    if (same) return true;
  }
  return false;
}
