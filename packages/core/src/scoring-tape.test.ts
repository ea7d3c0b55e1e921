import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FingerprintSet } from './fingerprint-set.js';
import { ScoringTape } from './scoring-tape.js';

const seed = new Uint8Array(16).fill(5);
const admittedTuples = (tape: ScoringTape, texts: number[][]) =>
  texts.flatMap((t) => t.flatMap((_, i) => (tape.admit(t, i) ? [t.slice(i - tape.contextWidth, i + 1).join(',')] : [])));

describe('scoring tape', () => {
  it('scores each (window, token) tuple exactly once across texts', () => {
    const tape = new ScoringTape({ contextWidth: 2, seed });
    expect(
      admittedTuples(tape, [
        [1, 2, 3, 1, 2, 3],
        [9, 1, 2, 3],
      ]),
    ).toEqual(['1,2,3', '2,3,1', '3,1,2', '9,1,2']);
    expect(tape.admitted).toBe(4);
    expect(tape.duplicates).toBe(2);
  });

  it('admits the same set of tuples whatever the order of texts (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 30 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 3 }),
        (texts, h) => {
          const forward = new Set(admittedTuples(new ScoringTape({ contextWidth: h, seed }), texts));
          const backward = new Set(admittedTuples(new ScoringTape({ contextWidth: h, seed }), [...texts].reverse()));
          const distinct = new Set(texts.flatMap((t) => t.flatMap((_, i) => (i >= h ? [t.slice(i - h, i + 1).join(',')] : []))));
          expect(forward).toEqual(backward);
          expect(forward).toEqual(distinct);
        },
      ),
      { numRuns: 200, seed: 8 },
    );
  });

  it('never scores a tuple that occurs in an excluded prompt (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }),
        (prompt, answer) => {
          const tape = new ScoringTape({ contextWidth: 1, seed });
          tape.exclude(prompt);
          const promptTuples = new Set(prompt.flatMap((_, i) => (i >= 1 ? [`${prompt[i - 1]},${prompt[i]}`] : [])));
          for (const tuple of admittedTuples(tape, [answer])) expect(promptTuples.has(tuple)).toBe(false);
        },
      ),
      { numRuns: 200, seed: 9 },
    );
  });

  it('does not depend on the fingerprint seed for which tuples it admits', () => {
    const texts = [
      [5, 6, 7, 5, 6, 7, 8],
      [6, 7, 8],
    ];
    const a = admittedTuples(new ScoringTape({ contextWidth: 1, seed }), texts);
    const b = admittedTuples(new ScoringTape({ contextWidth: 1 }), texts);
    expect(a).toEqual(b);
  });

  it('skips positions without a full window and refuses bad widths', () => {
    const tape = new ScoringTape({ contextWidth: 3, seed });
    expect([0, 1, 2].map((i) => tape.admit([1, 2, 3, 4], i))).toEqual([false, false, false]);
    expect(tape.admit([1, 2, 3, 4], 3)).toBe(true);
    expect(() => new ScoringTape({ contextWidth: -1 })).toThrow(/contextWidth/);
  });
});

describe('fingerprint set', () => {
  it('grows, keeps every member, and bounds its size', () => {
    const set = new FingerprintSet({ maxSize: 50_000 });
    for (let i = 0; i < 50_000; i++) expect(set.add(i * 2654435761, i)).toBe(true);
    for (let i = 0; i < 50_000; i++) expect(set.add(i * 2654435761, i)).toBe(false);
    expect(set.size).toBe(50_000);
    const fresh = new FingerprintSet();
    expect(fresh.has(0, 0)).toBe(false);
    expect(fresh.add(0, 0)).toBe(true);
    expect(fresh.has(0, 0)).toBe(true);
    // load factor at least 1/4: at most 32 bytes per fingerprint
    expect(set.memoryBytes).toBeLessThanOrEqual(50_000 * 32);
    expect(() => set.add(123, 456)).toThrow(/distinct tuples/);
  });
});
