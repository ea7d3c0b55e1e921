/**
 * Training: documents (token-id arrays, one per paragraph) become one stream with the
 * boundary token before, between and after them, so the model learns how paragraphs start
 * and end; then counting and smoothing.
 */
import { DEFAULT_ENCODING, type EncodingName, isEncodingName, LineageInputError, ORDINARY_VOCAB_SIZE } from '@lineage/core';
import { countNgrams } from './ngram-counting.js';
import { NgramModel } from './ngram-model.js';

export const MIN_ORDER = 1;
export const MAX_ORDER = 6;
export const DEFAULT_ORDER = 4;

export interface TrainOptions {
  /** n-gram order, 1 .. 6 (default 4; 1 is the unigram baseline). */
  readonly order?: number;
  /** Encoding of the token ids (default o200k_base). */
  readonly encoding?: EncodingName;
  /** Provenance saved with the model. */
  readonly source?: string;
}

export function trainNgramModel(documents: Iterable<ArrayLike<number>>, options: TrainOptions = {}): NgramModel {
  const order = options.order ?? DEFAULT_ORDER;
  if (!Number.isInteger(order) || order < MIN_ORDER || order > MAX_ORDER) {
    throw new LineageInputError(`order must be an integer from ${MIN_ORDER} to ${MAX_ORDER}, got ${order}`);
  }
  const encoding = options.encoding ?? DEFAULT_ENCODING;
  if (!isEncodingName(encoding)) throw new LineageInputError(`unknown encoding ${JSON.stringify(encoding)}`);
  const ordinary = ORDINARY_VOCAB_SIZE[encoding];
  const boundary = ordinary;

  const parts: ArrayLike<number>[] = [];
  let length = 1;
  for (const document of documents) {
    parts.push(document);
    length += document.length + 1;
  }
  if (parts.length === 0) throw new LineageInputError('cannot train on zero documents');
  const stream = new Int32Array(length);
  stream[0] = boundary;
  let at = 1;
  for (const [index, document] of parts.entries()) {
    for (let i = 0; i < document.length; i++) {
      const token = document[i] as number;
      if (!Number.isInteger(token) || token < 0 || token >= ordinary) {
        throw new LineageInputError(`document ${index} holds token ${token}, outside ${encoding}'s ordinary ids`);
      }
      stream[at++] = token;
    }
    stream[at++] = boundary;
  }
  const trie = countNgrams(stream, order, ordinary + 1, boundary);
  return new NgramModel(trie, {
    encoding,
    trainingTokens: stream.length,
    documents: parts.length,
    source: options.source ?? 'token documents',
    createdAt: new Date().toISOString(),
  });
}
