/**
 * Keyed per-token pseudo-randomness for the token-level watermarks.
 *
 * Two stages, as DESIGN.md allows: a per-context 64-bit seed from SipHash-2-4 keyed with a
 * channel key (cryptographic: unpredictable without the key), expanded over candidate token
 * ids by a fast 32-bit mixer (two rounds of Wellons' `lowbias32`, one per seed half). The
 * expansion costs a handful of integer operations per token, so scoring all ~200k tokens of
 * o200k at every sampling step stays cheap. For a fixed seed the map token -> word is a
 * bijection on 32-bit values, so distinct tokens never share a word.
 *
 * Test vectors: test-vectors/prf.json (regenerate with scripts/make-prf-vectors.ts).
 */
import { LineageInputError } from './errors.js';
import { type SipKey, sipHash24Words, sipKeyFromBytes } from './siphash.js';

/** A channel's PRF key (opaque; derive it from a key file, never build it by hand). */
export interface PrfKey {
  readonly sip: SipKey;
}

/** Makes a PRF key from the first 16 bytes of derived key material. */
export function prfKeyFromBytes(bytes: Uint8Array): PrfKey {
  if (bytes.length < 16) throw new LineageInputError('a PRF key needs at least 16 bytes of key material');
  return { sip: sipKeyFromBytes(bytes.subarray(0, 16)) };
}

/**
 * Seeds the token stream of one context window: SipHash-2-4 over `tokens[start .. start+width)`.
 * Writes [low, high] into `out` (reuse one `Uint32Array(2)` to avoid allocation).
 */
export function contextSeed(key: PrfKey, tokens: ArrayLike<number>, start: number, width: number, out: Uint32Array): void {
  sipHash24Words(key.sip, tokens, start, width, out);
}

/** Wellons' lowbias32 integer hash (a bijection on 32-bit words, strong avalanche). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The keyed 32-bit word of `token` under a context seed. */
export function prfWord(seedLow: number, seedHigh: number, token: number): number {
  return mix32(mix32(token ^ seedLow) ^ seedHigh);
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
// Second, independent word: the seed halves swapped and offset by a constant.
const SECOND_WORD_OFFSET = 0x9e3779b9;

/**
 * A uniform double strictly inside (0, 1) with 53 random bits: two independent keyed words.
 * Never exactly 0 or 1, so -log(1 - r) and log(r) are always finite.
 */
export function prfUniform(seedLow: number, seedHigh: number, token: number): number {
  const high = prfWord(seedLow, seedHigh, token);
  const low = mix32(mix32(token ^ seedHigh ^ SECOND_WORD_OFFSET) ^ seedLow) >>> 11;
  return (high * 2097152 + low + 0.5) / TWO_POW_53;
}

/** The 32-bit threshold below which a word counts as "green" for fraction gamma. */
export function greenThreshold(gamma: number): number {
  if (!(gamma > 0 && gamma < 1)) throw new LineageInputError(`gamma must be in (0, 1), got ${gamma}`);
  return Math.round(gamma * TWO_POW_32);
}

/** The exact null probability of `prfWord(...) < threshold` (threshold / 2^32). */
export function greenProbability(threshold: number): number {
  return threshold / TWO_POW_32;
}
