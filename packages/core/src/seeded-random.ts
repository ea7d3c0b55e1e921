/**
 * A seeded pseudo-random generator (xoshiro128**, Blackman & Vigna) for simulations, tests
 * and benchmarks that must be reproducible. Never use it for keys: those come from
 * `crypto.randomBytes`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

export class SeededRandom {
  readonly #s = new Uint32Array(4);

  /** Any string or number seeds a full 128-bit state through SHA-256. */
  constructor(seed: string | number) {
    const digest = sha256(utf8ToBytes(`lineage/seeded-random/${String(seed)}`));
    const view = new DataView(digest.buffer, digest.byteOffset, 16);
    for (let i = 0; i < 4; i++) this.#s[i] = view.getUint32(4 * i, true);
    if (this.#s.every((x) => x === 0)) this.#s[0] = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const s0 = s[0] as number;
    const s1 = s[1] as number;
    const s2 = s[2] as number;
    const s3 = s[3] as number;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s[2] = s2 ^ s0;
    s[3] = s3 ^ s1;
    s[1] = s1 ^ (s2 ^ s0);
    s[0] = s0 ^ (s3 ^ s1);
    s[2] = (s[2] as number) ^ t;
    const x = s[3] as number;
    s[3] = (x << 11) | (x >>> 21);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** A uniform integer in [0, bound), without modulo bias. */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 32) throw new RangeError('bound must be an integer in [1, 2^32]');
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % bound;
    }
  }
}
