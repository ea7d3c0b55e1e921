/**
 * Gumbel sampling (`gumbel`) and tournament sampling (`tournament`) in the CLI: marking is the
 * testbed's keyed hook (both choose the token from the dense distribution each step); detection
 * on every channel.
 */
import { detectionWith } from './token-scheme.js';

export { gumbelMarking, tournamentMarking } from '@lineage/testbed';
export const gumbelDetection = detectionWith('gumbel');
export const tournamentDetection = detectionWith('tournament');
