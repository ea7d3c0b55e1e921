import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashFilter } from './hash-filter.js';

describe('HashFilter', () => {
  it('never rules out a hash it was given, and rules out most others', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 200 }), (hashes) => {
        const filter = new HashFilter(1 << 16);
        for (const h of hashes) filter.add(h);
        for (const h of hashes) expect(filter.mayHave(h)).toBe(true);
      }),
    );
    const filter = new HashFilter(1 << 16);
    for (let i = 0; i < 1000; i++) filter.add(Math.imul(i, 0x9e3779b1) >>> 0);
    let maybes = 0;
    for (let i = 0; i < 10_000; i++) if (filter.mayHave(Math.imul(i + 5000, 0x85ebca6b) >>> 0)) maybes++;
    expect(maybes).toBeLessThan(500);
  });
});
