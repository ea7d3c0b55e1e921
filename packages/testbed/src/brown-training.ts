/**
 * Brown-corpus token documents and training on them: each paragraph of a split, tokenized
 * once per process and encoding, then shuffled by a seed and cut to a token budget.
 */
import { DEFAULT_ENCODING, type EncodingName, LineageInputError, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { type BrownSplit, brownParagraphs } from './brown-corpus.js';
import type { NgramModel } from './ngram-model.js';
import { type TrainOptions, trainNgramModel } from './ngram-training.js';

const cache = new Map<string, readonly Uint32Array[]>();

/** Token ids of every paragraph of a Brown split, in corpus order (cached). */
export function brownTokenDocuments(split: BrownSplit, encoding: EncodingName = DEFAULT_ENCODING): readonly Uint32Array[] {
  const key = `${split}/${encoding}`;
  let documents = cache.get(key);
  if (!documents) {
    using tokenizer = createTokenizer({ encoding });
    documents = brownParagraphs(split).map((paragraph) => tokenizer.encode(paragraph));
    cache.set(key, documents);
  }
  return documents;
}

/** Seeded shuffle of `documents`, cut so the total is at most `tokens` (the last document is truncated). */
export function selectDocuments(documents: readonly Uint32Array[], tokens: number, seed: string | number): Uint32Array[] {
  if (!Number.isSafeInteger(tokens) || tokens <= 0) throw new LineageInputError(`tokens must be a positive integer, got ${tokens}`);
  const random = new SeededRandom(`select/${seed}`);
  const order = documents.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const chosen: Uint32Array[] = [];
  let total = 0;
  for (const index of order) {
    if (total >= tokens) break;
    const document = documents[index] as Uint32Array;
    const take = Math.min(document.length, tokens - total);
    chosen.push(take === document.length ? document : document.subarray(0, take));
    total += take;
  }
  return chosen;
}

export interface BrownTrainOptions extends Omit<TrainOptions, 'source'> {
  /** Token budget (default: the whole training split, about 1.16M o200k tokens). */
  readonly tokens?: number;
  /** Chooses and orders the paragraphs (default 1). */
  readonly seed?: string | number;
}

/** An n-gram model trained on the Brown training split; the held-out split is never seen. */
export function trainOnBrown(options: BrownTrainOptions = {}): NgramModel {
  const encoding = options.encoding ?? DEFAULT_ENCODING;
  const seed = options.seed ?? 1;
  const all = brownTokenDocuments('train', encoding);
  const documents = selectDocuments(all, options.tokens ?? Number.MAX_SAFE_INTEGER, seed);
  const tokens = documents.reduce((sum, d) => sum + d.length, 0);
  return trainNgramModel(documents, {
    ...(options.order === undefined ? {} : { order: options.order }),
    encoding,
    source: `brown train split, ${tokens} tokens, seed ${seed}`,
  });
}
