/** Gumbel sampling (`gumbel`), all three channels: marking from the dense distribution each step, and detection. */
import type { LineageKey } from '@lineage/core';
import { GumbelMarker } from '@lineage/embed/logits';
import type { MarkingScheme } from '@lineage/testbed';
import { detectionWith, markingWith } from './token-scheme.js';

export const gumbelMarking = (key: LineageKey): MarkingScheme =>
  markingWith(
    'gumbel',
    (vocabSize, account) => new GumbelMarker({ key, vocabSize, ...account }),
    (marker, step) => marker.sampleFromProbabilities(step.probabilities(), step.tokens, step.random, step.promptLength),
  );

export const gumbelDetection = detectionWith('gumbel');
