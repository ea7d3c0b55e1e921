/**
 * tiktoken's pre-tokenization split, as a JavaScript regular expression. Lineage uses it
 * only to choose where to cut long inputs into batches (BPE never crosses a pre-token, so a
 * cut at a pre-token boundary leaves the tokens unchanged) and to find pathologically long
 * pre-tokens, on which tiktoken's BPE takes quadratic time. tiktoken stays the authority on
 * the tokens themselves; tests compare the batched result with tiktoken on the whole text.
 *
 * Translation from the Rust pattern: `(?i:...)` becomes explicit case classes (with the
 * simple case fold of s to U+017F), and `\s` becomes `\p{White_Space}` (JavaScript's `\s`
 * also matches U+FEFF, Rust's does not).
 */

import type { EncodingName } from './encodings.js';

/** tiktoken's `pat_str` per encoding (a test checks them against the tiktoken package). */
export const PRE_TOKENIZER_PATTERNS: Record<EncodingName, string> = {
  o200k_base: String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  cl100k_base: String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
};

function _caseInsensitive(group: string): string {
  return group.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}${c === 's' ? '\u017f' : c === 'k' ? '\u212a' : ''}]`);
}

/** Converts a tiktoken `pat_str` to an equivalent global, Unicode-aware RegExp. */
export function preTokenizerFromPattern(patStr: string): RegExp {
  const converted = patStr
    .replace(/\(\?i:([^)]*)\)/g, (_, body: string) => `(?:${_caseInsensitive(body)})`)
    .replace(/\\s/g, '\\p{White_Space}')
    .replace(/\\S/g, '\\P{White_Space}');
  return new RegExp(converted, 'gu');
}
