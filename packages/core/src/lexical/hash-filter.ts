/**
 * A set of 32-bit hashes that may answer yes for a hash it was never given, never no for one
 * it was: one bit per hash modulo its size. The scanner asks it before building a string, so
 * most words and word pairs cost no string and no map lookup.
 */
export class HashFilter {
  readonly #bits: Uint32Array;
  readonly #mask: number;

  /** `size` bits, a power of two. */
  constructor(size: number) {
    this.#bits = new Uint32Array(size >>> 5);
    this.#mask = size - 1;
  }

  add(hash: number): void {
    const bit = hash & this.#mask;
    this.#bits[bit >>> 5] = (this.#bits[bit >>> 5] as number) | (1 << (bit & 31));
  }

  /** False when `hash` was never added. */
  mayHave(hash: number): boolean {
    const bit = hash & this.#mask;
    return ((this.#bits[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }
}
