/**
 * Samples for tests and benchmarks: K texts of exactly N tokens each from a fresh
 * paragraph start, marked for one account when a scheme is given.
 */
import { LineageInputError, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { generateTokens } from './generation.js';
import type { LanguageModel } from './language-model.js';
import type { MarkedAccount, MarkingScheme } from './marking-hooks.js';

export interface SampleOptions {
  readonly model: LanguageModel;
  readonly marking?: MarkingScheme;
  /** Required with `marking`; written to every sample either way. */
  readonly account?: MarkedAccount;
  readonly tokens: number;
  readonly samples: number;
  readonly seed?: string | number;
  readonly temperature?: number;
}

export interface Sample {
  readonly text: string;
  readonly account: string | null;
}

export function* generateSamples(options: SampleOptions): Generator<Sample> {
  const { model, marking, account, tokens, samples } = options;
  if (!Number.isSafeInteger(tokens) || tokens < 1 || tokens > 1_000_000)
    throw new LineageInputError(`tokens must be an integer from 1 to 1,000,000, got ${tokens}`);
  if (!Number.isSafeInteger(samples) || samples < 1 || samples > 10_000_000)
    throw new LineageInputError(`samples must be an integer from 1 to 10,000,000, got ${samples}`);
  if (marking && !account) throw new LineageInputError('marked samples need an account');
  const sampler = marking && account ? marking.samplerFor?.(account) : undefined;
  const textMarker = marking && account ? marking.textMarkerFor?.(account) : undefined;
  const random = new SeededRandom(`samples/${options.seed ?? 1}`);
  using tokenizer = createTokenizer({ encoding: model.encoding });
  for (let i = 0; i < samples; i++) {
    const ids = [
      ...generateTokens(model, {
        prompt: [model.boundaryId],
        maxTokens: tokens,
        random,
        allowBoundary: false,
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        ...(sampler ? { sampler } : {}),
      }),
    ];
    const raw = tokenizer.decode(ids);
    yield { text: textMarker ? textMarker.markText(raw) : raw, account: account?.accountId ?? null };
  }
}
