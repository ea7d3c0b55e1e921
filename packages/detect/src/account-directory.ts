/**
 * The registered accounts by code: built once in O(accounts), then a decoded code finds its
 * account in O(1), so identity decoding costs the same for ten accounts or a million.
 */
import { AccountCoder, formatCode, type LineageKey } from '@lineage/core';

export class AccountDirectory {
  readonly keyId: string;
  readonly #byCode = new Map<string, string | string[]>();
  #size = 0;

  constructor(key: LineageKey, accountIds: Iterable<string> = []) {
    this.keyId = key.keyId;
    const coder = new AccountCoder(key);
    for (const id of accountIds) this.#add(formatCode(coder.code(id)), id);
  }

  /** Registered accounts (each id counted once per registration). */
  get size(): number {
    return this.#size;
  }

  /** The accounts whose code this is (more than one only if two codes collide). */
  lookup(code: string): readonly string[] {
    const found = this.#byCode.get(code);
    return found === undefined ? [] : typeof found === 'string' ? [found] : found;
  }

  #add(code: string, id: string): void {
    const found = this.#byCode.get(code);
    if (found === id || (Array.isArray(found) && found.includes(id))) return;
    this.#size++;
    if (found === undefined) this.#byCode.set(code, id);
    else if (typeof found === 'string') this.#byCode.set(code, [found, id]);
    else found.push(id);
  }
}
