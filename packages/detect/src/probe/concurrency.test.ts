import { LineageInputError } from '@lineage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapConcurrent } from './concurrency.js';

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Tracks calls in flight; each call waits `delay(item)` ms. */
function tracker<T>(delay: (item: T) => number) {
  const state = { inFlight: 0, maxInFlight: 0, started: [] as number[], finished: [] as number[] };
  const fn = async (item: T, index: number) => {
    state.started.push(index);
    state.maxInFlight = Math.max(state.maxInFlight, ++state.inFlight);
    await tick(delay(item));
    state.inFlight--;
    state.finished.push(index);
    return item;
  };
  return { state, fn };
}

describe('mapConcurrent', () => {
  it('keeps at most `limit` calls in flight, uses them all, and returns results in input order', async () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    const { state, fn } = tracker((i: number) => (i * 7) % 11);
    const seen: [number, number][] = [];
    const results = await mapConcurrent(
      items,
      5,
      async (item, index) => `${await fn(item, index)}!`,
      (r, i) => seen.push([i, Number.parseInt(r, 10)]),
    );
    expect(results).toEqual(items.map((i) => `${i}!`));
    expect(state.maxInFlight).toBe(5);
    expect(seen.map(([i]) => i).sort((a, b) => a - b)).toEqual(items);
    expect(seen.every(([i, r]) => i === r)).toBe(true);
    // Completion order differs from input order, so order really was restored.
    expect(state.finished).not.toEqual(items);
  });

  it('holds for any items, limits and delays (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (delays, limit) => {
          const { state, fn } = tracker((d: number) => d);
          const results = await mapConcurrent(delays, limit, fn);
          expect(results).toEqual(delays);
          expect(state.maxInFlight).toBeLessThanOrEqual(limit);
          if (delays.length > 0) expect(state.maxInFlight).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('pulls lazily from generators and async iterables', async () => {
    let pulled = 0;
    function* numbers() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield i;
      }
    }
    let pulledBeforeFirstResult = -1;
    const firstTen = await mapConcurrent(
      (function* () {
        let n = 0;
        for (const i of numbers()) {
          if (n++ === 10) return;
          yield i;
        }
      })(),
      3,
      async (i) => {
        await tick();
        return i * 2;
      },
      () => {
        if (pulledBeforeFirstResult < 0) pulledBeforeFirstResult = pulled;
      },
    );
    expect(firstTen).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(pulledBeforeFirstResult).toBeLessThanOrEqual(4);

    let concurrentNext = 0;
    let pending = 0;
    const asyncItems: AsyncIterable<string> = {
      [Symbol.asyncIterator]() {
        let i = 0;
        return {
          async next() {
            concurrentNext = Math.max(concurrentNext, ++pending);
            await tick(1);
            pending--;
            return i < 12 ? { done: false, value: `p${i++}` } : { done: true, value: undefined };
          },
        };
      },
    };
    const { state, fn } = tracker(() => 3);
    expect(await mapConcurrent(asyncItems, 4, fn)).toEqual(Array.from({ length: 12 }, (_, i) => `p${i}`));
    expect(concurrentNext).toBe(1); // never asked for two items at once
    expect(state.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('stops launching after the first rejection and rejects with it once in-flight calls settle', async () => {
    const boom = new Error('prompt 5 failed');
    const { state, fn } = tracker(() => 5);
    let closed = false;
    function* items() {
      try {
        for (let i = 0; i < 100; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const settledAtRejection: number[] = [];
    const outcome = await mapConcurrent(items(), 4, async (item, index) => {
      if (index === 5) {
        await tick(1);
        throw boom;
      }
      return fn(item, index);
    }).catch((error: unknown) => {
      settledAtRejection.push(...state.finished);
      return error;
    });
    expect(outcome).toBe(boom);
    expect(state.inFlight).toBe(0); // nothing left running behind the rejection
    expect(settledAtRejection.length).toBe(state.started.length);
    expect(Math.max(...state.started)).toBeLessThan(5 + 4);
    expect(closed).toBe(true);
  });

  it('treats a throwing onResult or iterator like a failed call', async () => {
    const fromCallback = new Error('cache write failed');
    await expect(
      mapConcurrent(
        [1, 2, 3],
        2,
        async (i) => i,
        () => {
          throw fromCallback;
        },
      ),
    ).rejects.toBe(fromCallback);
    const fromIterator = new Error('bad prompt file');
    function* items() {
      yield 1;
      throw fromIterator;
    }
    await expect(mapConcurrent(items(), 2, async (i) => i)).rejects.toBe(fromIterator);
  });

  it('stops launching on abort and rejects with the reason after in-flight calls settle', async () => {
    const controller = new AbortController();
    const { state, fn } = tracker(() => 10);
    const reason = new Error('interrupted');
    const run = mapConcurrent(
      Array.from({ length: 100 }, (_, i) => i),
      3,
      async (item, index) => {
        if (index === 4) controller.abort(reason);
        return fn(item, index);
      },
      undefined,
      { signal: controller.signal },
    );
    await expect(run).rejects.toBe(reason);
    expect(state.inFlight).toBe(0);
    expect(state.started.length).toBeLessThanOrEqual(4 + 3);
    const aborted = AbortSignal.abort(reason);
    let called = false;
    await expect(mapConcurrent([1], 1, async () => (called = true), undefined, { signal: aborted })).rejects.toBe(reason);
    expect(called).toBe(false);
  });

  it('handles empty input and a limit larger than the input', async () => {
    expect(await mapConcurrent([], 4, async (i: number) => i)).toEqual([]);
    const { state, fn } = tracker(() => 1);
    expect(await mapConcurrent([1, 2], 1_000_000, fn)).toEqual([1, 2]);
    expect(state.maxInFlight).toBe(2);
  });

  it('refuses a limit that is not a positive integer', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(mapConcurrent([1], limit, async (i) => i)).rejects.toBeInstanceOf(LineageInputError);
    }
  });
});
