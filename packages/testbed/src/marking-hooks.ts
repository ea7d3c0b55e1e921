/**
 * The two places a marking scheme plugs into the testbed: a sampler hook that chooses each
 * token while the model generates (token-level schemes), and a text hook that rewrites a
 * finished response (the lexical scheme). Schemes live in @lineage/embed; the testbed only
 * calls these interfaces, so a new scheme needs no change here.
 */
import type { SamplingOptions, UniformSource } from './language-model.js';

/** The account a response is served to, and its campaign when operators flagged one. */
export interface MarkedAccount {
  readonly accountId: string;
  readonly campaignId?: string;
}

/** One generation step as a sampler hook sees it. */
export interface SamplingStep {
  /** The prompt tokens followed by the tokens generated so far (a view; do not keep it). */
  readonly tokens: Int32Array;
  /** How many of `tokens` are prompt. */
  readonly promptLength: number;
  readonly vocabSize: number;
  readonly options: Required<SamplingOptions>;
  /**
   * The unmarked sampling distribution for this step (temperature and top-p applied), dense
   * over the vocabulary. Computed on first call; the array is reused by the next step.
   */
  probabilities(): Float32Array;
  /** What the unmarked model would draw: use it to leave a step unmarked. */
  sampleUnmarked(): number;
  /** Randomness for this generation (seeded by the request): use it, not Math.random. */
  readonly random: UniformSource;
}

/** Chooses every generated token; a keyed scheme biases or derandomises the choice. */
export interface TokenSamplerHook {
  sampleNext(step: SamplingStep): number;
}

/** Rewrites a whole response; must keep meaning and must not throw on any text. */
export interface TextMarkerHook {
  /** `prompt` is the prompt the response answers, when the pipeline knows it (canaries are keyed on it). */
  markText(text: string, prompt?: string): string;
}

/** A scheme as the testbed sees it: hooks per account, one or both kinds. */
export interface MarkingScheme {
  readonly name: string;
  samplerFor?(account: MarkedAccount): TokenSamplerHook;
  textMarkerFor?(account: MarkedAccount): TextMarkerHook;
}
