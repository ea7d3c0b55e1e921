import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineageInputError } from '../errors.js';
import { CANARY_PART_BITS, CANARY_SPACE_SIZE, CanarySpace, canarySpace } from './canary-space.js';

describe('canary space', () => {
  const space = canarySpace();

  it('holds exactly 2^44 canaries in four power-of-two lists', () => {
    expect(CANARY_SPACE_SIZE).toBe(2 ** 44);
    expect(space.parts.map((p) => p.length)).toEqual(CANARY_PART_BITS.map((b) => 2 ** b));
  });

  it('maps an index to a canary and its words back to the same index', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: CANARY_SPACE_SIZE - 1 }), (index) => {
        const canary = space.canaryAt(index);
        const words = canary.text.split(' ');
        expect(words).toHaveLength(5);
        expect(words[2]).toBe('of');
        expect(canary.text).toBe(`${canary.person} of ${canary.company}`);
        const codes = [words[0], words[1], words[3], words[4]].map((w) => space.wordCode((w as string).toLowerCase()));
        expect(space.indexOfCodes(...(codes as [number, number, number, number]))).toBe(index);
      }),
    );
    expect(space.canaryAt(0).index).toBe(0);
    expect(space.canaryAt(CANARY_SPACE_SIZE - 1).index).toBe(CANARY_SPACE_SIZE - 1);
  });

  it('rejects codes out of reading order and words outside the lists', () => {
    const [given, surname, stem, industry] = space
      .canaryAt(12345)
      .text.split(' ')
      .filter((w) => w !== 'of') as string[];
    const code = (w: string) => space.wordCode(w.toLowerCase());
    expect(space.indexOfCodes(code(surname as string), code(given as string), code(stem as string), code(industry as string))).toBe(-1);
    expect(space.wordCode('the')).toBe(-1);
    expect(space.wordCode((given as string).toLowerCase())).toBeGreaterThanOrEqual(0);
  });

  it('rejects bad indices and lists that would give a string two indices', () => {
    for (const bad of [-1, 0.5, CANARY_SPACE_SIZE, Number.NaN]) expect(() => space.canaryAt(bad)).toThrow(LineageInputError);
    const lists = space.parts.map((p) => [...p]);
    (lists[1] as string[])[0] = (lists[0] as string[])[0] as string;
    expect(() => new CanarySpace(lists)).toThrow(/occurs twice/);
    expect(() => new CanarySpace(space.parts.slice(0, 3))).toThrow(/four/);
    const short = space.parts.map((p) => [...p]);
    (short[3] as string[]).pop();
    expect(() => new CanarySpace(short)).toThrow(/exactly 64/);
  });
});
