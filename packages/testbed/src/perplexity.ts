/**
 * Held-out perplexity: exp of the mean negative log-likelihood per token, each document read
 * from a paragraph start (the boundary token) and scored through its closing boundary, as
 * the model was trained.
 */
import { LineageInputError } from '@lineage/core';
import type { LanguageModel } from './language-model.js';

export interface PerplexityResult {
  readonly perplexity: number;
  /** Mean negative log2-likelihood per token. */
  readonly bitsPerToken: number;
  /** Tokens scored, closing boundaries included. */
  readonly tokens: number;
  readonly documents: number;
}

export function perplexity(model: LanguageModel, documents: Iterable<ArrayLike<number>>): PerplexityResult {
  let negativeLog = 0;
  let tokens = 0;
  let count = 0;
  let context = new Int32Array(256);
  for (const document of documents) {
    if (context.length < document.length + 1) context = new Int32Array(2 * (document.length + 1));
    context[0] = model.boundaryId;
    for (let i = 0; i <= document.length; i++) {
      const token = i < document.length ? (document[i] as number) : model.boundaryId;
      negativeLog -= model.logProb(context.subarray(0, i + 1), token);
      context[i + 1] = token;
    }
    tokens += document.length + 1;
    count++;
  }
  if (tokens === 0) throw new LineageInputError('perplexity needs at least one document');
  const nats = negativeLog / tokens;
  return { perplexity: Math.exp(nats), bitsPerToken: nats / Math.LN2, tokens, documents: count };
}
