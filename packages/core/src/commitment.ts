/**
 * Public commitments to a master secret. Publishing the commitment before any accusation
 * lets a third party, once shown the secret, check that a report was not fitted after the
 * fact: SHA-256 over a domain tag, a zero byte and the 32-byte secret (hiding because the
 * secret has 256 bits of entropy, binding because SHA-256 resists collisions).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { equalStrings } from './constant-time.js';

const COMMITMENT_TAG = utf8ToBytes('lineage/commitment/v1');

/** Hex SHA-256 commitment of a master secret. */
export function commitmentOf(secret: Uint8Array): string {
  const input = new Uint8Array(COMMITMENT_TAG.length + 1 + secret.length);
  input.set(COMMITMENT_TAG, 0);
  input.set(secret, COMMITMENT_TAG.length + 1);
  return bytesToHex(sha256(input));
}

/** The key id: "lk-" and the first 16 hex digits of the commitment (checkable by anyone). */
export function keyIdOf(commitment: string): string {
  return `lk-${commitment.slice(0, 16)}`;
}

/** Constant-time check that a secret opens a published commitment. */
export function opensCommitment(secret: Uint8Array, commitment: string): boolean {
  return equalStrings(commitmentOf(secret), commitment.toLowerCase());
}
