/**
 * Bounded-concurrency map for probing: at most `limit` calls in flight, results in input order,
 * and a failure (or an abort) stops new work but lets the calls already started settle, so no
 * request is left running unobserved behind a rejected promise.
 */
import { LineageInputError } from '@lineage/core';

export interface MapConcurrentOptions {
  /** Once aborted, no new call starts; the map rejects with the signal's reason after in-flight calls settle. */
  readonly signal?: AbortSignal;
}

/**
 * Calls `fn` on each item with at most `limit` calls in flight and resolves with the results in
 * input order. `onResult` sees each result as it arrives (completion order), e.g. to cache it.
 * Items are pulled lazily, so a generator or an async iterable of millions of prompts is fine.
 * On the first rejection (from `fn`, `onResult` or the iterator) or abort, no new call starts;
 * once the calls in flight settle, the iterator is closed and the map rejects with that error.
 */
export async function mapConcurrent<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  onResult?: (result: R, index: number) => void,
  options: MapConcurrentOptions = {},
): Promise<R[]> {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new LineageInputError(`the concurrency limit must be a positive integer, got ${limit}`);
  if (typeof fn !== 'function') throw new LineageInputError('mapConcurrent needs a function to call on each item');
  const { signal } = options;
  signal?.throwIfAborted();
  const iterator: Iterator<T> | AsyncIterator<T> =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();

  const results: R[] = [];
  let failure: { error: unknown } | undefined;
  let exhausted = false;
  let nextIndex = 0;
  let workers = 0;
  const running: Promise<void>[] = [];
  const fail = (error: unknown) => {
    failure ??= { error };
  };
  const stopped = () => {
    if (failure === undefined && signal?.aborted) fail(signal.reason);
    return failure !== undefined || exhausted;
  };

  // An async iterator must not be asked for its next item while a previous request is pending.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<{ item: T; index: number } | undefined> => {
    const step = pulling.then(async () => {
      if (stopped()) return undefined;
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        return undefined;
      }
      return { item: next.value, index: nextIndex++ };
    });
    pulling = step.catch(() => undefined);
    return step;
  };

  const work = async (): Promise<void> => {
    for (;;) {
      let pulled: { item: T; index: number } | undefined;
      try {
        pulled = await pull();
      } catch (error) {
        return fail(error);
      }
      if (pulled === undefined || stopped()) return;
      // Workers start one by one as items turn up, so a huge limit over a short list costs nothing.
      if (workers < limit) spawn();
      try {
        const result = await fn(pulled.item, pulled.index);
        results[pulled.index] = result;
        onResult?.(result, pulled.index);
      } catch (error) {
        return fail(error);
      }
    }
  };
  const spawn = () => {
    workers++;
    running.push(work());
  };

  spawn();
  // Workers never reject; new ones are pushed while earlier ones run, so wait until none are added.
  for (let settled = 0; settled < running.length; ) {
    const batch = running.slice(settled);
    settled += batch.length;
    await Promise.all(batch);
  }
  if (failure !== undefined) {
    if (!exhausted) await Promise.resolve(iterator.return?.()).catch(() => undefined);
    throw failure.error;
  }
  return results;
}
