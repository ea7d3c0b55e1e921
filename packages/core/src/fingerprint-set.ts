/**
 * A set of 64-bit fingerprints in flat typed arrays: open addressing, linear probing, load
 * factor between 1/4 and 1/2 (it doubles when half full). At 8 bytes per slot that is 16 to
 * 32 bytes per stored fingerprint, 48 for the moment of doubling; no per-entry objects for
 * the GC to chase.
 */
import { LineageInputError } from './errors.js';

const MIN_CAPACITY = 1024;

export class FingerprintSet {
  #slots: Uint32Array; // [low, high] pairs; (0, 0) marks an empty slot
  #mask: number;
  #size = 0;
  readonly #maxSize: number;

  /** `maxSize` bounds memory: adding beyond it throws instead of exhausting the heap. */
  constructor(options: { readonly initialCapacity?: number; readonly maxSize?: number } = {}) {
    let capacity = MIN_CAPACITY;
    while (capacity < (options.initialCapacity ?? 0) * 2) capacity *= 2;
    this.#slots = new Uint32Array(capacity * 2);
    this.#mask = capacity - 1;
    this.#maxSize = options.maxSize ?? 2 ** 27;
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes held by the table. */
  get memoryBytes(): number {
    return this.#slots.byteLength;
  }

  has(low: number, high: number): boolean {
    return this.#find(low >>> 0, _storedHigh(low, high)) >= 0;
  }

  /** Adds a fingerprint; returns false if it was already present. */
  add(low: number, high: number): boolean {
    const lo = low >>> 0;
    const hi = _storedHigh(low, high);
    if (this.#find(lo, hi) >= 0) return false;
    if (this.#size >= this.#maxSize) {
      throw new LineageInputError(`more than ${this.#maxSize} distinct tuples in one test; split the input or raise maxTuples`);
    }
    if ((this.#size + 1) * 2 > this.#mask + 1) this.#grow();
    this.#insert(lo, hi);
    this.#size++;
    return true;
  }

  #find(lo: number, hi: number): number {
    const slots = this.#slots;
    let i = _slot(lo, hi) & this.#mask;
    for (;;) {
      const sl = slots[2 * i] as number;
      const sh = slots[2 * i + 1] as number;
      if (sl === 0 && sh === 0) return -1;
      if (sl === lo && sh === hi) return i;
      i = (i + 1) & this.#mask;
    }
  }

  #insert(lo: number, hi: number): void {
    const slots = this.#slots;
    let i = _slot(lo, hi) & this.#mask;
    while ((slots[2 * i] as number) !== 0 || (slots[2 * i + 1] as number) !== 0) i = (i + 1) & this.#mask;
    slots[2 * i] = lo;
    slots[2 * i + 1] = hi;
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#mask = this.#slots.length / 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      const lo = old[i] as number;
      const hi = old[i + 1] as number;
      if (lo !== 0 || hi !== 0) this.#insert(lo, hi);
    }
  }
}

// (0, 0) marks an empty slot, so the fingerprint (0, 0) is stored as (0, 1).
function _storedHigh(low: number, high: number): number {
  return high >>> 0 || (low >>> 0 === 0 ? 1 : 0);
}

// Mixes both halves so structured fingerprints (not only random ones) spread over slots.
function _slot(lo: number, hi: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 16;
  return h;
}
