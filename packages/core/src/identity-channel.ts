/**
 * Where the identity and campaign channels sit among a token-level scheme's positions, and
 * what an account's code is. The markers (@lineage/embed) and the detectors (@lineage/detect)
 * both read this file, so they cannot disagree.
 *
 * A position's provider seed (the scheme's provider PRF of its h-token window) also yields
 * three words at inputs no token id can take (ids stay below 2^20): whether the position
 * belongs to the identity channel, which digit slot it carries, and the half of the sample
 * split it joins when decoding. Under the random-function model of the PRF these words are
 * independent of every token's word, so each channel's null distribution stays exact.
 *
 * On an identity position the token words come from the identity seed at input
 * `token + digit * DIGIT_STRIDE` (one keyed stream per digit value, as MPAC's colour lists),
 * or, for an account flagged into a campaign, from the campaign's seed at `token`.
 */

import { LineageInputError } from './errors.js';
import { ID_PATTERN } from './key-file.js';
import type { LineageKey } from './lineage-key.js';
import { prfWord } from './prf.js';
import type { IdentityParameters } from './scheme-parameters.js';
import { type SipKey, sipHash24, sipKeyFromBytes } from './siphash.js';

export type TokenSchemeName = 'kgw' | 'gumbel' | 'tournament';

/** Every scheme with the three channels: the token-level ones and the lexical scheme. */
export type ChannelSchemeName = TokenSchemeName | 'lexical';

/** Token ids (and lexical set ids) are below this; digit d of the identity channel reads input token + d * stride. */
export const DIGIT_STRIDE = 1 << 20;

const SELECT_INPUT = 0xffffffff;
const SLOT_INPUT = 0xfffffffe;
const SPLIT_INPUT = 0xfffffffd;
const TWO_POW_32 = 4294967296;
const UTF8 = new TextEncoder();

/** The share of identity positions used to pick the digits; the rest test the decoded code. */
export const DECODING_SHARE = 0.8;

/** Key-derivation purposes of one scheme's three channels. */
export function channelPurposes(scheme: ChannelSchemeName): { provider: string; identity: string; campaign: string } {
  if (scheme === 'lexical') return { provider: 'lexical', identity: 'identity/lexical', campaign: 'campaign/lexical' };
  if (scheme === 'kgw') return { provider: 'provider', identity: 'identity', campaign: 'campaign' };
  if (scheme === 'gumbel' || scheme === 'tournament')
    return { provider: `provider/${scheme}`, identity: `identity/${scheme}`, campaign: `campaign/${scheme}` };
  throw new LineageInputError(`unknown token scheme ${JSON.stringify(scheme)}`);
}

/** Which positions carry identity digits, and which digit slot each carries. */
export class IdentityLayout {
  readonly digits: number;
  readonly radix: number;
  readonly fraction: number;
  readonly #selectBelow: number;
  readonly #splitBelow: number;

  constructor(parameters: IdentityParameters) {
    this.digits = parameters.digits;
    this.radix = 2 ** parameters.digitBits;
    this.fraction = parameters.fraction;
    this.#selectBelow = Math.round(parameters.fraction * TWO_POW_32);
    this.#splitBelow = Math.round(DECODING_SHARE * TWO_POW_32);
  }

  /** Whether the position whose provider seed is (lo, hi) belongs to the identity channel. */
  isIdentity(lo: number, hi: number): boolean {
    return prfWord(lo, hi, SELECT_INPUT) < this.#selectBelow;
  }

  /** The digit slot an identity position carries (0 .. digits - 1). */
  slot(lo: number, hi: number): number {
    return Math.floor((prfWord(lo, hi, SLOT_INPUT) * this.digits) / TWO_POW_32);
  }

  /** Whether an identity position helps pick the digits (else it tests the decoded code). */
  decodes(lo: number, hi: number): boolean {
    return prfWord(lo, hi, SPLIT_INPUT) < this.#splitBelow;
  }
}

/**
 * Account codes: SipHash-2-4, keyed by the key file's 'account-code' key, of the account id,
 * cut into digits. A keyed PRF, so codes of different accounts are independent and nobody
 * without the key can tell which code belongs to which account.
 */
export class AccountCoder {
  readonly digits: number;
  readonly digitBits: number;
  readonly #sip: SipKey;

  constructor(key: LineageKey) {
    const { digits, digitBits } = key.schemes.identity;
    this.digits = digits;
    this.digitBits = digitBits;
    this.#sip = sipKeyFromBytes(key.deriveKeyMaterial('account-code').subarray(0, 16));
  }

  /** The account's digits, most significant first. */
  code(accountId: string): Uint8Array {
    if (typeof accountId !== 'string' || !ID_PATTERN.test(accountId)) {
      throw new LineageInputError(
        `account id ${JSON.stringify(accountId)} cannot be encoded: use 1-128 characters of letters, digits and . _ : @ -`,
      );
    }
    const hash = sipHash24(this.#sip, UTF8.encode(accountId));
    let bits = 0n;
    for (const byte of hash) bits = (bits << 8n) | BigInt(byte);
    const out = new Uint8Array(this.digits);
    const mask = (1n << BigInt(this.digitBits)) - 1n;
    for (let i = 0; i < this.digits; i++) out[i] = Number((bits >> BigInt(64 - (i + 1) * this.digitBits)) & mask);
    return out;
  }
}

/** A code as text (one hex digit per code digit): a map key and what reports show. */
export function formatCode(digits: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) out += (digits[i] as number).toString(16);
  return out;
}
