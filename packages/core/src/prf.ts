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

const sipKeys = new WeakMap<PrfKey, SipKey>();

/**
 * A channel's PRF key: opaque, derived from a key file. Its SipHash key lives outside the
 * object (a module-private WeakMap), so logging, inspecting or serialising it shows nothing:
 * anyone holding it could detect, strip or forge that channel's mark.
 */
export class PrfKey {
  /** Prefer `LineageKey#prfKey` or `prfKeyFromBytes`. */
  private constructor(sip: SipKey) {
    sipKeys.set(this, sip);
  }

  static _fromSip(sip: SipKey): PrfKey {
    return new PrfKey(sip);
  }

  toJSON(): string {
    return '[PrfKey redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'PrfKey [redacted]';
  }
}

/** Makes a PRF key from the first 16 bytes of derived key material. */
export function prfKeyFromBytes(bytes: Uint8Array): PrfKey {
  if (bytes.length < 16) throw new LineageInputError('a PRF key needs at least 16 bytes of key material');
  return PrfKey._fromSip(sipKeyFromBytes(bytes.subarray(0, 16)));
}

/**
 * Seeds the token stream of one context window: SipHash-2-4 over `tokens[start .. start+width)`.
 * Writes [low, high] into `out` (reuse one `Uint32Array(2)` to avoid allocation).
 */
export function contextSeed(key: PrfKey, tokens: ArrayLike<number>, start: number, width: number, out: Uint32Array): void {
  const sip = sipKeys.get(key);
  if (sip === undefined) throw new LineageInputError('not a PRF key: derive one with LineageKey#prfKey');
  sipHash24Words(sip, tokens, start, width, out);
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
const TWO_POW_52 = 4503599627370496;
// Second, independent word: the seed halves swapped and offset by a constant.
const SECOND_WORD_OFFSET = 0x9e3779b9;

/**
 * A uniform double strictly inside (0, 1) on a grid of 2^52 points, from two independent keyed
 * words: (k + 0.5) / 2^52 for k in [0, 2^52). Every such value is exact in a double (53-bit
 * mantissa), so it is never 0 or 1 and -log(1 - r) and log(r) are always finite. (With 53
 * bits the top value would round to exactly 1.)
 */
export function prfUniform(seedLow: number, seedHigh: number, token: number): number {
  return _uniformFromWords(prfWord(seedLow, seedHigh, token), mix32(mix32(token ^ seedHigh ^ SECOND_WORD_OFFSET) ^ seedLow));
}

/** (high · 2^20 + (low >>> 12) + 0.5) / 2^52 for two 32-bit words (exported for the edge-case test). */
export function _uniformFromWords(high: number, low: number): number {
  return ((high >>> 0) * 1048576 + (low >>> 12) + 0.5) / TWO_POW_52;
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
