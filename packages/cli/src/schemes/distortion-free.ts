/**
 * Gumbel sampling (`gumbel`) and tournament sampling (`tournament`), all three channels: both
 * choose the token from the dense distribution each step, so they plug in the same way.
 */
import type { LineageKey } from '@lineage/core';
import { GumbelMarker, type GumbelMarkerOptions, TournamentMarker } from '@lineage/embed/logits';
import type { MarkingScheme } from '@lineage/testbed';
import { detectionWith, markingWith } from './token-scheme.js';

type DistortionFreeMarker = GumbelMarker | TournamentMarker;

function distortionFreeMarking(name: string, create: (options: GumbelMarkerOptions) => DistortionFreeMarker) {
  return (key: LineageKey): MarkingScheme =>
    markingWith(
      name,
      (vocabSize, account) => create({ key, vocabSize, ...account }),
      (marker, step) => marker.sampleFromProbabilities(step.probabilities(), step.tokens, step.random, step.promptLength),
    );
}

export const gumbelMarking = distortionFreeMarking('gumbel', (options) => new GumbelMarker(options));
export const tournamentMarking = distortionFreeMarking('tournament', (options) => new TournamentMarker(options));
export const gumbelDetection = detectionWith('gumbel');
export const tournamentDetection = detectionWith('tournament');
