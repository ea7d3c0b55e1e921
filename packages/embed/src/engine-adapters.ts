/**
 * Adapters for inference engines that own the sampling loop.
 *
 * - `transformersLogitsProcessor`: a logits processor for `@huggingface/transformers`
 *   (transformers.js). Its `LogitsProcessorList` calls every entry as
 *   `processor(input_ids, logits)` with `input_ids: bigint[][]` (prompt and generated ids per
 *   batch row) and `logits` a [batch, vocab] tensor whose rows index as `logits[i].data`
 *   (a Float32Array view); the function marks each row in place and returns the tensor. Pass
 *   it in a list: `generate({ ..., logits_processor: [processor] })`. The package is an
 *   optional peer dependency: nothing here imports it. With Gumbel or tournament the marker
 *   chooses the token itself from the whole distribution it is given, so the engine's own
 *   top-k, top-p or greedy setting no longer applies; use the green list to keep them.
 * - `tokenBiasCallback`: for engines that take a per-step token bias instead of handing out
 *   logits (node-llama-cpp's `tokenBias` option and the like). Only the green list can be
 *   written as a bias that ignores the logits; the distortion-free schemes need the model's
 *   distribution, so they are refused with a clear error. node-llama-cpp reads a plain number
 *   as a probability change: set each entry as `tokenBias.set(id, { logit: bias[id] })`, and
 *   since it adds biases before dividing by the temperature, pass `{ temperature }` so the
 *   boost after temperature is δ. Its callback receives no context: keep the ids generated so
 *   far (prompt included) yourself, for example from `onToken`.
 */
import { LineageInputError } from '@lineage/core';
import type { UniformSource } from './marker-input.js';
import type { TokenMarker } from './token-marker.js';

/** The parts of a transformers.js logits tensor the processor touches. */
export interface LogitsRows {
  readonly dims: readonly number[];
  readonly [row: number]: { readonly data: Float32Array } | undefined;
}

export interface TransformersProcessorOptions {
  /** Prompt length per batch row (where each response starts); default 0 for every row. */
  readonly promptLengths?: readonly number[];
  /** Randomness for the distortion-free schemes (they choose the token themselves). */
  readonly random?: UniformSource;
}

export function transformersLogitsProcessor(
  marker: TokenMarker,
  options: TransformersProcessorOptions = {},
): <L extends LogitsRows>(inputIds: readonly (readonly bigint[])[], logits: L) => L {
  if (marker.scheme !== 'kgw' && options.random === undefined) {
    throw new LineageInputError(`${marker.scheme} chooses the token itself: give the processor a random source ({ random })`);
  }
  return (inputIds, logits) => {
    const [rows, vocab] = logits.dims as [number, number];
    if (logits.dims.length !== 2 || rows !== inputIds.length) {
      throw new LineageInputError(`expected logits of shape [${inputIds.length}, vocab], got [${logits.dims.join(', ')}]`);
    }
    if (vocab !== marker.vocabSize) {
      throw new LineageInputError(`the model's logits have ${vocab} entries, but the marker was created for ${marker.vocabSize}`);
    }
    for (let i = 0; i < rows; i++) {
      const row = logits[i];
      if (!row || !(row.data instanceof Float32Array)) throw new LineageInputError(`logits row ${i} is not a float32 tensor`);
      const context = (inputIds[i] as readonly bigint[]).map((id) => Number(id));
      marker.processLogits(row.data, context, options.random, options.promptLengths?.[i] ?? 0);
    }
    return logits;
  };
}

/**
 * A per-step bias for the green list: for the context so far, the additive bias of every
 * token id (δ·temperature on green ids, 0 elsewhere), or undefined when the step is left
 * unmarked (short context, repeated window). The returned array is reused by the next call.
 */
export function tokenBiasCallback(
  marker: TokenMarker,
  options: { readonly temperature?: number } = {},
): (context: ArrayLike<number>, responseStart?: number) => Float32Array | undefined {
  if (marker.scheme !== 'kgw') {
    throw new LineageInputError(
      `${marker.scheme} chooses tokens from the model's distribution and cannot be written as a fixed token bias; use processLogits or sample`,
    );
  }
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0 && temperature <= 100)) throw new LineageInputError(`temperature must be in (0, 100], got ${temperature}`);
  const bias = new Float32Array(marker.vocabSize);
  return (context, responseStart = 0) => {
    bias.fill(0);
    if (!marker.processLogits(bias, context, undefined, responseStart)) return undefined;
    // Engines that divide by T after adding the bias need δ·T to leave a boost of δ.
    if (temperature !== 1) for (let t = 0; t < bias.length; t++) bias[t] = (bias[t] as number) * temperature;
    return bias;
  };
}
