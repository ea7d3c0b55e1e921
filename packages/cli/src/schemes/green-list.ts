/** The green list (`kgw`) in the CLI: marking is the testbed's keyed hook; detection on every channel. */
import { detectionWith } from './token-scheme.js';

export { greenListMarking } from '@lineage/testbed';
export const greenListDetection = detectionWith('kgw');
