/** Best-of-n wall-clock timing; benchmarks report ratios against a baseline timed the same way. */
export function bestSeconds(repeats: number, body: () => void): number {
  body(); // warm-up: JIT and caches
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    body();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}
