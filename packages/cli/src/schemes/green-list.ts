/** The green list (`kgw`), all three channels: marking by exact rejection from the model's own sampler, and detection. */
import type { LineageKey } from '@lineage/core';
import { GreenListMarker } from '@lineage/embed/logits';
import type { MarkingScheme } from '@lineage/testbed';
import { detectionWith, markingWith } from './token-scheme.js';

export const greenListMarking = (key: LineageKey): MarkingScheme =>
  markingWith(
    'kgw',
    (vocabSize, account) => new GreenListMarker({ key, vocabSize, ...account }),
    // No pass over the vocabulary per token: the model's plain draw, kept or redrawn.
    (marker, step) => marker.sampleWithDraw(step.sampleUnmarked, step.tokens, step.random, step.promptLength),
  );

export const greenListDetection = detectionWith('kgw');
