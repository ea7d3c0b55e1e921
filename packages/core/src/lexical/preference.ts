/**
 * Which of a two-way set's variants a channel key prefers at a site: the top bit of the keyed
 * word of `input` (the set id, plus the identity digit's offset) under the site's context seed.
 * The marker writes this variant and the detector counts matches with it, so both read it here.
 */
import { prfWord } from '../prf.js';

export function preferredVariant(seedLow: number, seedHigh: number, input: number): 0 | 1 {
  return (prfWord(seedLow, seedHigh, input) >>> 31) as 0 | 1;
}
