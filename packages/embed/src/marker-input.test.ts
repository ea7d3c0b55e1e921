import { SeededRandom } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { UNMARKED_TAIL_MASS, unmarkedFloor } from './marker-input.js';

describe('unmarkedFloor', () => {
  it('leaves at most 1e-4 of the mass below the floor, and the head above it', () => {
    const random = new SeededRandom('floor');
    for (let trial = 0; trial < 50; trial++) {
      const p = new Float32Array(5000);
      // A peaked head and a long tail spanning many orders of magnitude.
      for (let t = 0; t < p.length; t++) p[t] = t < 20 ? random.next() : 10 ** (-3 - 9 * random.next());
      if (trial % 5 === 0) p.fill(0, 100, 200);
      let total = 0;
      for (const x of p) total += x;
      const floor = unmarkedFloor(p, total);
      let below = 0;
      let head = 0;
      for (const x of p) {
        if (x > 0 && x < floor) below += x;
        else if (x >= floor) head++;
      }
      expect(below).toBeLessThanOrEqual(UNMARKED_TAIL_MASS * total);
      expect(head).toBeGreaterThanOrEqual(20);
      expect(head).toBeLessThan(5000); // the tail of tiny tokens is cut
      expect(floor).toBeGreaterThanOrEqual(1e-10 * total);
    }
  });

  it('cuts nothing from a flat distribution', () => {
    const p = new Float32Array(1000).fill(1);
    const floor = unmarkedFloor(p, 1000);
    expect(p.every((x) => x >= floor)).toBe(true);
  });
});
