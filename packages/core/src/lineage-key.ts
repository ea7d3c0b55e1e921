/**
 * A loaded key: public metadata plus the master secret, which stays in a private field and
 * is left out of JSON, `console.log` and error messages. Channel keys are derived on demand.
 */
import { commitmentOf, keyIdOf, opensCommitment } from './commitment.js';
import type { EncodingName } from './encodings.js';
import { LineageInputError } from './errors.js';
import { type DerivationPurpose, deriveKeyMaterial } from './key-derivation.js';
import { type PrfKey, prfKeyFromBytes } from './prf.js';
import type { SchemeParameters } from './scheme-parameters.js';

export interface KeyEpoch {
  readonly epoch: number;
  readonly createdAt: string;
}

export interface Campaign {
  readonly id: string;
  readonly createdAt: string;
}

/** Everything about a key that may be shown or published. */
export interface KeyInfo {
  readonly keyId: string;
  readonly commitment: string;
  readonly createdAt: string;
  readonly tokenizer: EncodingName;
  readonly activeEpoch: number;
  readonly epochs: readonly KeyEpoch[];
  readonly schemes: SchemeParameters;
  readonly campaigns: readonly Campaign[];
}

export interface DeriveOptions {
  /** Epoch to derive for; defaults to the active epoch. */
  readonly epoch?: number;
  /** Account or campaign id, for purposes that need one. */
  readonly id?: string;
}

export class LineageKey implements KeyInfo {
  readonly keyId: string;
  readonly commitment: string;
  readonly createdAt: string;
  readonly tokenizer: EncodingName;
  readonly activeEpoch: number;
  readonly epochs: readonly KeyEpoch[];
  readonly schemes: SchemeParameters;
  readonly campaigns: readonly Campaign[];
  readonly #secret: Uint8Array;

  /** Prefer `createKeyFile`, `loadKeyFile` or `keyFromSecret`; this trusts its inputs. */
  constructor(secret: Uint8Array, info: Omit<KeyInfo, 'keyId' | 'commitment'>) {
    if (secret.length !== 32) throw new LineageInputError('the master secret must be 32 bytes');
    this.#secret = Uint8Array.from(secret);
    this.commitment = commitmentOf(this.#secret);
    this.keyId = keyIdOf(this.commitment);
    this.createdAt = info.createdAt;
    this.tokenizer = info.tokenizer;
    this.activeEpoch = info.activeEpoch;
    this.epochs = Object.freeze(info.epochs.map((e) => Object.freeze({ ...e })));
    this.schemes = info.schemes;
    this.campaigns = Object.freeze(info.campaigns.map((c) => Object.freeze({ ...c })));
    if (!this.epochs.some((e) => e.epoch === this.activeEpoch)) {
      throw new LineageInputError(`active epoch ${this.activeEpoch} is not among the key's epochs`);
    }
  }

  /** Key material for one purpose (HKDF-SHA-256, see key-derivation.ts). */
  deriveKeyMaterial(purpose: DerivationPurpose, options: DeriveOptions = {}): Uint8Array {
    const epoch = options.epoch ?? this.activeEpoch;
    if (!this.epochs.some((e) => e.epoch === epoch)) {
      throw new LineageInputError(`key ${this.keyId} has no epoch ${epoch}`);
    }
    return deriveKeyMaterial(this.#secret, { purpose, epoch, ...(options.id === undefined ? {} : { id: options.id }) });
  }

  /** The PRF key of one channel. */
  prfKey(purpose: DerivationPurpose, options: DeriveOptions = {}): PrfKey {
    return prfKeyFromBytes(this.deriveKeyMaterial(purpose, options));
  }

  /** Whether this key opens a published commitment (constant-time). */
  opens(commitment: string): boolean {
    return opensCommitment(this.#secret, commitment);
  }

  /** A copy with different public metadata and the same secret. */
  withInfo(changes: Partial<Omit<KeyInfo, 'keyId' | 'commitment'>>): LineageKey {
    return new LineageKey(this.#secret, { ...this.info(), ...changes });
  }

  /** The publishable view (no secret). */
  info(): KeyInfo {
    return {
      keyId: this.keyId,
      commitment: this.commitment,
      createdAt: this.createdAt,
      tokenizer: this.tokenizer,
      activeEpoch: this.activeEpoch,
      epochs: this.epochs,
      schemes: this.schemes,
      campaigns: this.campaigns,
    };
  }

  toJSON(): KeyInfo {
    return this.info();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `LineageKey { keyId: '${this.keyId}', activeEpoch: ${this.activeEpoch}, secret: [redacted] }`;
  }

  /** @internal The secret as hex, for the key-file writer only. */
  _secretHexForKeyFile(): string {
    return Buffer.from(this.#secret).toString('hex');
  }
}
