/**
 * The four Lineage marking schemes as testbed hooks, keyed: `kgw` (green list, exact rejection
 * from the model's own draw), `gumbel` and `tournament` (chosen from the dense distribution each
 * step) and `lexical` (rewrites each finished response). One marker per account (its identity
 * digits or campaign) and model vocabulary size. The CLI, the demo, the benchmarks and the tests
 * all mark through these.
 */
import type { LineageKey } from '@lineage/core';
import { GreenListMarker, GumbelMarker, TournamentMarker } from '@lineage/embed/logits';
import { LexicalMarker } from '@lineage/embed/text';
import type { MarkedAccount, MarkingScheme, SamplingStep } from './marking-hooks.js';

export type KeyedMarking = (key: LineageKey) => MarkingScheme;

function tokenMarking<M>(
  name: string,
  create: (vocabSize: number, account: MarkedAccount) => M,
  sample: (marker: M, step: SamplingStep) => number,
): MarkingScheme {
  return {
    name,
    samplerFor: (account) => {
      const markers = new Map<number, M>();
      return {
        sampleNext: (step) => {
          let marker = markers.get(step.vocabSize);
          if (marker === undefined) {
            marker = create(step.vocabSize, account);
            markers.set(step.vocabSize, marker);
          }
          return sample(marker, step);
        },
      };
    },
  };
}

export const greenListMarking: KeyedMarking = (key) =>
  tokenMarking(
    'kgw',
    (vocabSize, account) => new GreenListMarker({ key, vocabSize, ...account }),
    // No pass over the vocabulary per token: the model's plain draw, kept or redrawn.
    (marker, step) => marker.sampleWithDraw(step.sampleUnmarked, step.tokens, step.random, step.promptLength),
  );

export const gumbelMarking: KeyedMarking = (key) =>
  tokenMarking(
    'gumbel',
    (vocabSize, account) => new GumbelMarker({ key, vocabSize, ...account }),
    (marker, step) => marker.sampleFromProbabilities(step.probabilities(), step.tokens, step.random, step.promptLength),
  );

export const tournamentMarking: KeyedMarking = (key) =>
  tokenMarking(
    'tournament',
    (vocabSize, account) => new TournamentMarker({ key, vocabSize, ...account }),
    (marker, step) => marker.sampleFromProbabilities(step.probabilities(), step.tokens, step.random, step.promptLength),
  );

export const lexicalMarking: KeyedMarking = (key) => ({
  name: 'lexical',
  textMarkerFor: (account) => {
    const marker = new LexicalMarker({ key, ...account });
    return { markText: (text) => marker.mark(text) };
  },
});

/** Every scheme by the name the CLI and the detectors use. */
export const keyedMarkings: ReadonlyMap<string, KeyedMarking> = new Map([
  ['kgw', greenListMarking],
  ['gumbel', gumbelMarking],
  ['tournament', tournamentMarking],
  ['lexical', lexicalMarking],
]);
