/** Tournament sampling (`tournament`), all three channels: marking from the dense distribution each step, and detection. */
import type { LineageKey } from '@lineage/core';
import { TournamentMarker } from '@lineage/embed/logits';
import type { MarkingScheme } from '@lineage/testbed';
import { detectionWith, markingWith } from './token-scheme.js';

export const tournamentMarking = (key: LineageKey): MarkingScheme =>
  markingWith(
    'tournament',
    (vocabSize, account) => new TournamentMarker({ key, vocabSize, ...account }),
    (marker, step) => marker.sampleFromProbabilities(step.probabilities(), step.tokens, step.random, step.promptLength),
  );

export const tournamentDetection = detectionWith('tournament');
