/**
 * `@lineage/detect/text`: detection on text, re-tokenized with the key file's tokenizer (its
 * own subpath because it loads tiktoken's WASM).
 */
import { LineageInputError } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { type CorrectedResult, type DetectTokensOptions, detectTokens } from './detect-tokens.js';

export interface DetectTextOptions extends Omit<DetectTokensOptions, 'texts' | 'exclude'> {
  readonly texts: readonly string[];
  /** Prompts whose windows are never scored. */
  readonly exclude?: readonly string[];
}

export function detectText(options: DetectTextOptions): CorrectedResult[] {
  using tokenizer = createTokenizer({ encoding: options.key.tokenizer });
  const encode = (text: unknown, what: string, index: number): Uint32Array => {
    if (typeof text !== 'string') throw new LineageInputError(`${what} ${index} is not a string`);
    try {
      return tokenizer.encode(text);
    } catch (error) {
      throw new LineageInputError(`${what} ${index} cannot be tokenized: ${(error as Error).message}`);
    }
  };
  const texts = options.texts.map((t, i) => encode(t, 'text', i));
  const exclude = (options.exclude ?? []).map((t, i) => encode(t, 'prompt', i));
  return detectTokens({ ...options, texts, exclude });
}
