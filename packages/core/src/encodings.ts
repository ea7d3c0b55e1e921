/** The tiktoken encodings Lineage supports (recorded in key files; loading one needs the tokenizer subpath). */
export const ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
export type EncodingName = (typeof ENCODINGS)[number];
export const DEFAULT_ENCODING: EncodingName = 'o200k_base';

export function isEncodingName(value: unknown): value is EncodingName {
  return typeof value === 'string' && (ENCODINGS as readonly string[]).includes(value);
}

/**
 * Number of ordinary token ids per encoding: valid ids are 0 .. n-1. Ids above are gaps or
 * special tokens, and tiktoken traps (corrupting its instance) when asked to decode a gap.
 */
export const ORDINARY_VOCAB_SIZE: Readonly<Record<EncodingName, number>> = { o200k_base: 199_998, cl100k_base: 100_256 };
