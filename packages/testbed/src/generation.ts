/**
 * Autoregressive generation: draws up to `maxTokens` tokens after a prompt, through a
 * marking hook when one is given. A generator, so the server can stream token by token.
 */
import { LineageInputError } from '@lineage/core';
import type { LanguageModel, SamplingOptions, UniformSource } from './language-model.js';
import type { SamplingStep, TokenSamplerHook } from './marking-hooks.js';
import { resolveSamplingOptions } from './sampling-options.js';

export { resolveSamplingOptions };

export interface GenerateOptions extends SamplingOptions {
  /** Prompt token ids. Empty means a fresh paragraph: the context is then the boundary token alone. */
  readonly prompt: ArrayLike<number>;
  readonly maxTokens: number;
  readonly random: UniformSource;
  /** Marks the output; without it the model samples plainly. */
  readonly sampler?: TokenSamplerHook;
}

/** 'stop' when the model drew the boundary token (not yielded), 'length' at maxTokens. */
export type FinishReason = 'stop' | 'length';

export function* generateTokens(model: LanguageModel, options: GenerateOptions): Generator<number, FinishReason> {
  const sampling = resolveSamplingOptions(options);
  const { maxTokens, random, sampler } = options;
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 0)
    throw new LineageInputError(`maxTokens must be a non-negative integer, got ${maxTokens}`);
  const prompt = options.prompt.length === 0 ? [model.boundaryId] : options.prompt;
  const promptLength = prompt.length;
  const tokens = new Int32Array(promptLength + maxTokens);
  for (let i = 0; i < promptLength; i++) {
    const id = prompt[i] as number;
    if (!Number.isInteger(id) || id < 0 || id >= model.vocabSize)
      throw new LineageInputError(`prompt token ${id} is outside the vocabulary`);
    tokens[i] = id;
  }
  let length = promptLength;
  let dense: Float32Array | undefined;
  for (let produced = 0; produced < maxTokens; produced++) {
    const context = tokens.subarray(0, length);
    let token: number;
    if (sampler === undefined) {
      token = model.sample(context, random, sampling);
    } else {
      let computed = false;
      const step: SamplingStep = {
        tokens: context,
        promptLength,
        vocabSize: model.vocabSize,
        options: sampling,
        random,
        probabilities: () => {
          if (!computed) {
            dense = model.distribution(context, sampling, dense);
            computed = true;
          }
          return dense as Float32Array;
        },
        sampleUnmarked: () => model.sample(context, random, sampling),
      };
      token = sampler.sampleNext(step);
      if (!Number.isInteger(token) || token < 0 || token >= model.vocabSize)
        throw new RangeError(`sampler hook returned token ${token}, outside the vocabulary`);
    }
    if (token === model.boundaryId) {
      if (!sampling.allowBoundary) throw new RangeError('sampler hook returned the boundary token although allowBoundary is false');
      return 'stop';
    }
    tokens[length++] = token;
    yield token;
  }
  return 'length';
}
