/** Tournament sampling (`tournament`), provider channel: marking from the dense distribution each step, and detection. */
import type { LineageKey } from '@lineage/core';
import { detectTournament } from '@lineage/detect';
import { TournamentMarker } from '@lineage/embed/logits';
import type { MarkingScheme } from '@lineage/testbed';
import { detectionWith, markingWith } from './token-scheme.js';

export const tournamentMarking = (key: LineageKey): MarkingScheme =>
  markingWith(
    'tournament',
    (vocabSize) => new TournamentMarker({ key, vocabSize }),
    (marker, step) => marker.sampleFromProbabilities(step.probabilities(), step.tokens, step.random, step.promptLength),
  );

export const tournamentDetection = detectionWith('tournament', detectTournament);
