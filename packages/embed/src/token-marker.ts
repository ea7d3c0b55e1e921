/**
 * `createTokenMarker`: one object per (key, scheme, account) that a pipeline calls at every
 * sampling step, whatever the scheme.
 *
 * - `processLogits(logits, context)` changes the logits in place so the pipeline's own sampler
 *   emits marked text: the green list adds δ to green logits; the distortion-free schemes
 *   (Gumbel, tournament) choose the token themselves with the pipeline's randomness and leave
 *   only that token possible (every other logit becomes −Infinity).
 * - `sample(logits, context, random)` returns the next token directly.
 *
 * Every marker carries the three channels of DESIGN.md: the provider mark on most positions,
 * and on identity positions the account's code digit, or its campaign's mark when
 * `campaignId` is given (the campaign must be registered in the key file).
 */
import { LineageInputError, type LineageKey, loadKeyFile } from '@lineage/core';
import { GreenListMarker } from './green-list-marker.js';
import { GumbelMarker } from './gumbel-marker.js';
import { drawAmong, type UniformSource } from './marker-input.js';
import { TournamentMarker } from './tournament-marker.js';

export type TokenSchemeName = 'kgw' | 'gumbel' | 'tournament';

export interface TokenMarkerOptions {
  /** A loaded key, or the path of a key file. */
  readonly key?: LineageKey;
  readonly keyFile?: string;
  readonly scheme: TokenSchemeName;
  readonly accountId: string;
  readonly campaignId?: string;
  /** Logits length when the model has ids beyond the tokenizer's ordinary ones. */
  readonly vocabSize?: number;
}

export interface TokenMarker {
  readonly scheme: TokenSchemeName;
  readonly accountId: string;
  readonly campaignId: string | undefined;
  readonly vocabSize: number;
  /**
   * Marks this step in place; `responseStart` is where the response begins in `context`.
   * Returns false when the step was left unmarked (short context, or a window repeated
   * within the response; only the green list leaves steps unmarked in place).
   */
  processLogits(logits: Float32Array, context: ArrayLike<number>, random?: UniformSource, responseStart?: number): boolean;
  sample(logits: Float32Array, context: ArrayLike<number>, random: UniformSource, responseStart?: number): number;
}

export function createTokenMarker(options: TokenMarkerOptions): TokenMarker {
  const { scheme, accountId, campaignId } = options;
  if ((options.key === undefined) === (options.keyFile === undefined)) throw new LineageInputError('give exactly one of key and keyFile');
  const key = options.key ?? loadKeyFile(options.keyFile as string);
  const markerOptions = {
    key,
    accountId,
    ...(campaignId === undefined ? {} : { campaignId }),
    ...(options.vocabSize === undefined ? {} : { vocabSize: options.vocabSize }),
  };
  const common = { scheme, accountId, campaignId };
  if (scheme === 'kgw') {
    const marker = new GreenListMarker(markerOptions);
    return {
      ...common,
      vocabSize: marker.vocabSize,
      processLogits: (logits, context, _random, responseStart = 0) => marker.processLogits(logits, context, responseStart),
      sample: (logits, context, random, responseStart = 0) => {
        marker.processLogits(logits, context, responseStart);
        return sampleSoftmax(logits, random);
      },
    };
  }
  if (scheme !== 'gumbel' && scheme !== 'tournament')
    throw new LineageInputError(`unknown scheme ${JSON.stringify(scheme)}; use kgw, gumbel or tournament`);
  const marker = scheme === 'gumbel' ? new GumbelMarker(markerOptions) : new TournamentMarker(markerOptions);
  const choose = (logits: Float32Array, context: ArrayLike<number>, random: UniformSource, responseStart: number): number =>
    marker.sampleFromProbabilities(softmax(logits, marker.vocabSize), context, random, responseStart);
  return {
    ...common,
    vocabSize: marker.vocabSize,
    processLogits: (logits, context, random, responseStart = 0) => {
      if (!random) throw new LineageInputError(`${scheme} chooses the token itself: processLogits needs the pipeline's random source`);
      const token = choose(logits, context, random, responseStart);
      logits.fill(Number.NEGATIVE_INFINITY);
      logits[token] = 0;
      return true;
    },
    sample: (logits, context, random, responseStart = 0) => choose(logits, context, random, responseStart),
  };
}

/** Probabilities from logits (validated: finite or −Infinity, at least one finite). */
export function softmax(logits: Float32Array, vocabSize: number): Float32Array {
  if (!(logits instanceof Float32Array) || logits.length !== vocabSize) {
    throw new LineageInputError(`logits must be a Float32Array of length ${vocabSize}, got ${logits?.length}`);
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < logits.length; t++) {
    const x = logits[t] as number;
    if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY)
      throw new LineageInputError(`logit ${t} is ${x}; logits must be finite or -Infinity`);
    if (x > max) max = x;
  }
  if (max === Number.NEGATIVE_INFINITY) throw new LineageInputError('every logit is -Infinity');
  const out = new Float32Array(logits.length);
  for (let t = 0; t < logits.length; t++) out[t] = Math.exp((logits[t] as number) - max);
  return out;
}

function sampleSoftmax(logits: Float32Array, random: UniformSource): number {
  const weights = softmax(logits, logits.length);
  let total = 0;
  for (const w of weights) total += w;
  return drawAmong(weights, () => true, total, random);
}
