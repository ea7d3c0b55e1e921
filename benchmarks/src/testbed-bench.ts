/**
 * Testbed models: training time on Brown against the 30 s budget for 1M tokens, generation
 * speed against the 5,000 tokens/s goal (plain, tempered, top-p, and the dense per-step
 * distribution a marking hook reads), held-out perplexity against the unigram baseline, and
 * model-file size and load time.
 */
import { SeededRandom } from '@lineage/core';
import {
  brownTokenDocuments,
  generateTokens,
  type NgramModel,
  parseModel,
  perplexity,
  type SamplingStep,
  serializeModel,
  trainOnBrown,
} from '@lineage/testbed';
import { bestSeconds } from './measure.js';

const TRAINING_BUDGET_SECONDS = 30;
const GENERATION_GOAL = 5_000;

export interface TestbedBenchResult {
  readonly tokenizeSeconds: number;
  readonly training: readonly {
    readonly order: number;
    readonly tokens: number;
    readonly seconds: number;
    readonly ofBudget: number;
    readonly ngrams: number;
  }[];
  readonly perplexity: readonly { readonly order: number; readonly perplexity: number; readonly unigramRatio: number }[];
  readonly generation: readonly { readonly mode: string; readonly tokensPerSecond: number; readonly ofGoal: number }[];
  readonly modelFile: { readonly order: number; readonly bytes: number; readonly bytesPerNgram: number; readonly loadSeconds: number };
}

export function runTestbedBench(short: boolean): TestbedBenchResult {
  const started = performance.now();
  brownTokenDocuments('train');
  const heldOut = brownTokenDocuments('heldout');
  const tokenizeSeconds = (performance.now() - started) / 1000;

  const tokens = short ? 200_000 : 1_000_000;
  const orders = short ? [4] : [3, 4, 5];
  const models = new Map<number, NgramModel>();
  const training = orders.map((order) => {
    let model: NgramModel | undefined;
    const seconds = bestSeconds(short ? 1 : 2, () => {
      model = trainOnBrown({ order, tokens });
    });
    models.set(order, model as NgramModel);
    return { order, tokens, seconds, ofBudget: seconds / TRAINING_BUDGET_SECONDS, ngrams: (model as NgramModel).trie.entries };
  });

  const unigram = perplexity(trainOnBrown({ order: 1, tokens }), heldOut).perplexity;
  const perplexities = [{ order: 1, perplexity: unigram, unigramRatio: 1 }];
  for (const order of short ? [4] : [2, 3, 4, 5]) {
    const model = models.get(order) ?? trainOnBrown({ order, tokens });
    models.set(order, model);
    const p = perplexity(model, heldOut).perplexity;
    perplexities.push({ order, perplexity: p, unigramRatio: p / unigram });
  }

  const model = models.get(4) as NgramModel;
  const length = short ? 5_000 : 50_000;
  const generation = [
    { mode: 'plain (T = 1)', options: {} },
    { mode: 'temperature 0.8', options: { temperature: 0.8 } },
    { mode: 'temperature 0.8, top-p 0.95', options: { temperature: 0.8, topP: 0.95 } },
  ].map(({ mode, options }) => {
    const steps = mode.includes('top-p') ? length / 10 : length;
    const seconds = bestSeconds(2, () => {
      const random = new SeededRandom(mode);
      for (const _ of generateTokens(model, { prompt: [model.boundaryId], maxTokens: steps, random, allowBoundary: false, ...options }));
    });
    return { mode, tokensPerSecond: steps / seconds, ofGoal: steps / seconds / GENERATION_GOAL };
  });
  const denseSteps = short ? 200 : 2_000;
  const denseSeconds = bestSeconds(2, () => {
    const random = new SeededRandom('dense');
    const sampler = {
      sampleNext: (step: SamplingStep) => {
        step.probabilities(); // what a token-level scheme reads at every step
        return step.sampleUnmarked();
      },
    };
    for (const _ of generateTokens(model, { prompt: [model.boundaryId], maxTokens: denseSteps, random, allowBoundary: false, sampler }));
  });
  generation.push({
    mode: 'hook reading the dense distribution',
    tokensPerSecond: denseSteps / denseSeconds,
    ofGoal: denseSteps / denseSeconds / GENERATION_GOAL,
  });

  const bytes = serializeModel(model);
  const loadSeconds = bestSeconds(2, () => {
    parseModel(bytes);
  });
  return {
    tokenizeSeconds,
    training,
    perplexity: perplexities,
    generation,
    modelFile: { order: 4, bytes: bytes.length, bytesPerNgram: bytes.length / model.trie.entries, loadSeconds },
  };
}
