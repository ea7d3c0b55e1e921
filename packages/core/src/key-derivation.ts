/**
 * Domain-separated key derivation with HKDF-SHA-256 (RFC 5869, via @noble/hashes).
 *
 * Every channel key is HKDF(master secret, salt, info) where info encodes the purpose, the
 * epoch and an identifier with length prefixes, so no two purposes can ever share a key
 * and no identifier can be crafted to collide with another purpose.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { LineageInputError } from './errors.js';

/** What a derived key is for. */
export type DerivationPurpose =
  | 'provider'
  | 'identity'
  | 'campaign'
  | 'account-code'
  | 'canary'
  | 'lexical'
  | (string & { readonly _purpose?: never });

/** The full label of a derived key. */
export interface DerivationLabel {
  readonly purpose: DerivationPurpose;
  readonly epoch: number;
  /** Account or campaign id where the purpose needs one. */
  readonly id?: string;
}

const SALT = utf8ToBytes('lineage/hkdf-salt/v1');
const INFO_TAG = utf8ToBytes('lineage/v1');

function _lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length, false);
  out.set(bytes, 4);
  return out;
}

/** The HKDF info string for a label (exported for the published test vectors). */
export function derivationInfo(label: DerivationLabel): Uint8Array {
  if (!Number.isSafeInteger(label.epoch) || label.epoch < 0 || label.epoch > 0xffffffff) {
    throw new LineageInputError(`epoch must be an integer in [0, 2^32), got ${label.epoch}`);
  }
  if (label.purpose.length === 0) throw new LineageInputError('derivation purpose is empty');
  const parts = [
    _lengthPrefixed(INFO_TAG),
    _lengthPrefixed(utf8ToBytes(label.purpose)),
    Uint8Array.of(label.epoch >>> 24, (label.epoch >>> 16) & 0xff, (label.epoch >>> 8) & 0xff, label.epoch & 0xff),
    _lengthPrefixed(utf8ToBytes(label.id ?? '')),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Derives `length` bytes (default 32) of key material for one purpose. */
export function deriveKeyMaterial(secret: Uint8Array, label: DerivationLabel, length = 32): Uint8Array {
  if (secret.length !== 32) throw new LineageInputError('the master secret must be 32 bytes');
  return hkdf(sha256, secret, SALT, derivationInfo(label), length);
}
