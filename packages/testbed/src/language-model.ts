/**
 * What sampling, marking hooks, the server and the distillation simulation need from a
 * next-token model. `NgramModel` is the implementation; the interface keeps the server and
 * the hooks independent of how the model stores its counts.
 */
import type { EncodingName } from '@lineage/core';

/** How the next token is drawn. Defaults: temperature 1, topP 1, boundary allowed. */
export interface SamplingOptions {
  /** 0 is greedy (the most probable token); otherwise p^(1/T) renormalised. Range [0, 2]. */
  readonly temperature?: number;
  /** Nucleus sampling: the smallest set of most probable tokens holding this mass. Range (0, 1]. */
  readonly topP?: number;
  /** When false the boundary token (end of response) is never drawn, so output runs to length. */
  readonly allowBoundary?: boolean;
}

export interface TokenLogProb {
  readonly token: number;
  /** Natural log of the model's probability (before temperature and top-p). */
  readonly logProb: number;
}

export interface LanguageModel {
  /** The tiktoken encoding whose ids the model predicts. */
  readonly encoding: EncodingName;
  /** Ids 0 .. vocabSize - 1: the encoding's ordinary tokens, then the boundary token. */
  readonly vocabSize: number;
  /** Ends a paragraph in training text and a response in generation; never decoded to text. */
  readonly boundaryId: number;
  /** n-gram order: the model reads the last `order - 1` tokens of the context. */
  readonly order: number;

  /** Natural log of P(token | context). Context may be any length; only its tail is read. */
  logProb(context: ArrayLike<number>, token: number): number;
  /** The `k` most probable next tokens, most probable first. */
  topLogProbs(context: ArrayLike<number>, k: number): TokenLogProb[];
  /**
   * The exact distribution `sample` draws from (temperature, top-p and boundary applied), as
   * dense probabilities over the vocabulary, written into `out` when given.
   */
  distribution(context: ArrayLike<number>, options?: SamplingOptions, out?: Float32Array): Float32Array;
  /** Draws the next token from `distribution(context, options)` without building it densely. */
  sample(context: ArrayLike<number>, random: UniformSource, options?: SamplingOptions): number;
}

/** A source of uniform doubles in [0, 1); `SeededRandom` from @lineage/core is one. */
export interface UniformSource {
  next(): number;
}
