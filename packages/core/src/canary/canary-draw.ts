/**
 * Keyed canary draws. A prompt's keyed hash is HMAC-SHA-256 of its normalized text; for an
 * (account, prompt hash) pair, HMAC-SHA-256 under the key's canary channel gives 256 bits: 44
 * pick the canary (uniform over the space, since every list size is a power of two), 53 give the
 * uniform the canary policy compares with its rate, and 32 pick the insertion template. The draw
 * is a pure function of the key, the account and the prompt hash, so a repeated prompt gets the
 * same canary, and anyone holding the key can audit a ledger entry, a hash-only one included.
 *
 * The scanner's p-value assumes that draws for distinct (account, prompt) pairs are independent
 * and uniform: the PRF assumption on HMAC-SHA-256.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { LineageInputError } from '../errors.js';
import { ID_PATTERN } from '../key-file.js';
import type { LineageKey } from '../lineage-key.js';
import { type Canary, type CanarySpace, canarySpace } from './canary-space.js';

/** One keyed draw: the canary an (account, prompt) pair gets, and whether and how it is used. */
export interface CanaryDraw {
  readonly canary: Canary;
  /** Uniform in [0, 1): the policy inserts the canary when this is below the account's rate. */
  readonly rateUniform: number;
  /** A keyed 32-bit word that picks how the canary is inserted. */
  readonly variant: number;
  /** Keyed hash of the normalized prompt (64 hex characters), the same for every account. */
  readonly promptHash: string;
}

/** Longest prompt the draw accepts, in UTF-16 code units (prompts are hashed, never kept here). */
export const MAX_PROMPT_LENGTH = 10_000_000;

/**
 * The form of a prompt that draws depend on: NFKC, runs of whitespace as one space, trimmed. So
 * a prompt resent with other line breaks or a trailing newline gets the same canary.
 */
export function normalizePrompt(prompt: string): string {
  if (typeof prompt !== 'string') throw new LineageInputError('a prompt must be a string');
  if (prompt.length > MAX_PROMPT_LENGTH) throw new LineageInputError(`a prompt is longer than ${MAX_PROMPT_LENGTH} characters`);
  return prompt.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

function lengthPrefixed(text: string): Uint8Array {
  const bytes = utf8ToBytes(text);
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length, false);
  out.set(bytes, 4);
  return out;
}

export class CanaryDrawer {
  readonly keyId: string;
  readonly epoch: number;
  readonly #drawKey: Uint8Array;
  readonly #promptKey: Uint8Array;
  readonly #space: CanarySpace;

  constructor(key: LineageKey, options: { readonly epoch?: number; readonly space?: CanarySpace } = {}) {
    this.keyId = key.keyId;
    this.epoch = options.epoch ?? key.activeEpoch;
    this.#drawKey = key.deriveKeyMaterial('canary', { epoch: this.epoch });
    this.#promptKey = key.deriveKeyMaterial('canary', { epoch: this.epoch, id: 'prompt-hash' });
    this.#space = options.space ?? canarySpace();
  }

  /** The canary and policy draws of one (account, prompt) pair. */
  draw(accountId: string, prompt: string): CanaryDraw {
    if (typeof accountId !== 'string' || !ID_PATTERN.test(accountId)) {
      throw new LineageInputError('an account id is 1-128 characters of A-Z a-z 0-9 . _ : @ -');
    }
    return this.drawForHash(accountId, this.promptHash(prompt));
  }

  /** The draw of an (account, prompt hash) pair: what an auditor recomputes from a ledger entry. */
  drawForHash(accountId: string, promptHash: string): CanaryDraw {
    if (typeof accountId !== 'string' || !ID_PATTERN.test(accountId)) {
      throw new LineageInputError('an account id is 1-128 characters of A-Z a-z 0-9 . _ : @ -');
    }
    if (typeof promptHash !== 'string' || !/^[0-9a-f]{64}$/.test(promptHash)) {
      throw new LineageInputError('a prompt hash is 64 lowercase hex characters');
    }
    const account = lengthPrefixed(accountId);
    const message = new Uint8Array(account.length + 32);
    message.set(account);
    message.set(hexToBytes(promptHash), account.length);
    const bits = new DataView(hmac(sha256, this.#drawKey, message).buffer);
    // Bytes 0-5 hold the canary (top 44 of 48 bits), 8-15 the rate uniform, 16-19 the variant.
    const index = Math.floor((bits.getUint32(0) * 2 ** 16 + bits.getUint16(4)) / 16);
    const rateUniform = (bits.getUint32(8) * 2 ** 21 + (bits.getUint32(12) >>> 11)) / 2 ** 53;
    return {
      canary: this.#space.canaryAt(index),
      rateUniform,
      variant: bits.getUint32(16),
      promptHash,
    };
  }

  /** The keyed hash a ledger stores for a prompt (HMAC-SHA-256 of its normalized form). */
  promptHash(prompt: string): string {
    return bytesToHex(hmac(sha256, this.#promptKey, utf8ToBytes(normalizePrompt(prompt))));
  }

  toJSON(): { keyId: string; epoch: number } {
    return { keyId: this.keyId, epoch: this.epoch };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CanaryDrawer { keyId: '${this.keyId}', epoch: ${this.epoch}, keys: [redacted] }`;
  }
}
