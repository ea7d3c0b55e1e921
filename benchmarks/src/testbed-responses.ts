/**
 * Testbed responses shared by the calibration and robustness benchmarks: one order-3 teacher
 * trained on 300k Brown training tokens (as the power benchmark and the tests), its unmarked
 * responses, and responses marked on the provider channel by each token-level scheme under one
 * fixed key. Marked pools are kept for the whole run because Gumbel and tournament marking read
 * the dense distribution over the whole vocabulary at every token (about 10 ms per token here).
 */
import { keyFromSecret, type LineageKey, SeededRandom } from '@lineage/core';
import type { TokenSchemeName } from '@lineage/detect';
import { GreenListMarker, GumbelMarker, TournamentMarker } from '@lineage/embed/logits';
import { generateTokens, type NgramModel, type SamplingStep, trainOnBrown } from '@lineage/testbed';

export const TEACHER_TRAINING_TOKENS = 300_000;

/** The key that marks every marked response of a run. */
export const MARKING_KEY: LineageKey = keyFromSecret(new Uint8Array(32).fill(0x4d));

/** A fresh key per index, unrelated to MARKING_KEY: the "wrong key" of a calibration run. */
export function freshKey(tag: string, index: number): LineageKey {
  const random = new SeededRandom(`${tag}/${index}`);
  const secret = new Uint8Array(32);
  const view = new DataView(secret.buffer);
  for (let i = 0; i < 8; i++) view.setUint32(4 * i, random.nextUint32());
  return keyFromSecret(secret);
}

let teacher: NgramModel | undefined;
export function testbedTeacher(): NgramModel {
  teacher ??= trainOnBrown({ order: 3, tokens: TEACHER_TRAINING_TOKENS });
  return teacher;
}

function respond(seed: string, tokens: number, sampleNext?: (step: SamplingStep) => number): number[] {
  const model = testbedTeacher();
  return [
    ...generateTokens(model, {
      prompt: [],
      maxTokens: tokens,
      random: new SeededRandom(seed),
      allowBoundary: false,
      ...(sampleNext ? { sampler: { sampleNext } } : {}),
    }),
  ];
}

/** `count` unmarked responses of `tokens` tokens at temperature 1 (the testbed default). */
export function unmarkedResponses(count: number, tokens: number): number[][] {
  return Array.from({ length: count }, (_, i) => respond(`unmarked/${tokens}/${i}`, tokens));
}

function markedSampler(scheme: TokenSchemeName): (step: SamplingStep) => number {
  const options = { key: MARKING_KEY, accountId: 'acct-bench', vocabSize: testbedTeacher().vocabSize };
  switch (scheme) {
    case 'kgw': {
      const marker = new GreenListMarker(options);
      return (s) => marker.sampleWithDraw(s.sampleUnmarked, s.tokens, s.random, s.promptLength);
    }
    case 'gumbel': {
      const marker = new GumbelMarker(options);
      return (s) => marker.sampleFromProbabilities(s.probabilities(), s.tokens, s.random, s.promptLength);
    }
    case 'tournament': {
      const marker = new TournamentMarker(options);
      return (s) => marker.sampleFromProbabilities(s.probabilities(), s.tokens, s.random, s.promptLength);
    }
  }
}

const markedPools = new Map<string, number[][]>();

/**
 * The marked responses a run works on: few for Gumbel and tournament, whose marking costs about
 * 10 ms per token here, so `--short` stays within seconds.
 */
export function markedBudget(scheme: TokenSchemeName, short: boolean): { readonly count: number; readonly tokens: number } {
  if (scheme === 'kgw') return { count: short ? 20 : 100, tokens: 150 };
  return short ? { count: 3, tokens: 100 } : { count: 20, tokens: 150 };
}

/** The first `count` responses of `tokens` tokens marked by `scheme` under MARKING_KEY (generated once per run). */
export function markedResponses(scheme: TokenSchemeName, count: number, tokens: number): number[][] {
  const id = `${scheme}/${tokens}`;
  const pool = markedPools.get(id) ?? [];
  markedPools.set(id, pool);
  if (pool.length < count) {
    const sample = markedSampler(scheme);
    for (let i = pool.length; i < count; i++) pool.push(respond(`marked/${id}/${i}`, tokens, sample));
  }
  return pool.slice(0, count);
}
