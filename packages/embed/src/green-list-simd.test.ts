import { greenThreshold, prfWord, SeededRandom } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { SimdGreenList } from './green-list-simd.js';

/** The reference: the JavaScript pass the SIMD module replaces. */
function reference(logits: Float32Array, lo: number, hi: number, offset: number, threshold: number, delta: number): Float32Array {
  const out = Float32Array.from(logits);
  const d = Math.fround(delta);
  for (let t = 0; t < out.length; t++) if (prfWord(lo, hi, t + offset) < threshold) out[t] = (out[t] as number) + d;
  return out;
}

describe('SimdGreenList', () => {
  it('equals the JavaScript pass value for value (-0 may become +0), over seeds, offsets, thresholds and sizes not divisible by 4', () => {
    const random = new SeededRandom('simd');
    for (const size of [199_998, 200_001, 1_003]) {
      const simd = SimdGreenList.create(size);
      expect(simd).toBeDefined();
      for (let trial = 0; trial < 6; trial++) {
        const logits = new Float32Array(size);
        for (let t = 0; t < size; t++) logits[t] = random.next() * 40 - 20;
        logits[random.nextInt(size)] = Number.NEGATIVE_INFINITY;
        logits[random.nextInt(size)] = -0;
        const lo = random.nextInt(2 ** 32);
        const hi = random.nextInt(2 ** 32);
        const offset = random.nextInt(16) * 2 ** 20;
        const threshold = greenThreshold([0.25, 0.5, 0.9, 1e-6][trial % 4] as number);
        const delta = [3, 2.1, 0.37][trial % 3] as number;
        const expected = reference(logits, lo, hi, offset, threshold, delta);
        expect(simd?.mark(logits, lo, hi, offset, threshold, delta)).toBe(-1);
        for (let t = 0; t < size; t++)
          if (!Object.is(logits[t], expected[t]) && !(logits[t] === 0 && expected[t] === 0)) {
            throw new Error(`token ${t}: ${logits[t]} != ${expected[t]}`);
          }
      }
    }
  });

  it('reports the first NaN or +Infinity and leaves the logits untouched', () => {
    const simd = SimdGreenList.create(1_001) as SimdGreenList;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const logits = new Float32Array(1_001).fill(1);
      logits[998] = bad;
      logits[1_000] = bad;
      const before = Float32Array.from(logits);
      expect(simd.mark(logits, 1, 2, 0, greenThreshold(0.5), 3)).toBe(998);
      expect(logits).toEqual(before);
    }
  });
});
