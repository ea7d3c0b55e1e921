import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../test-vectors/siphash24.json' with { type: 'json' };
import { sipHash24, sipHash24Words, sipKeyFromBytes } from './siphash.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('SipHash-2-4', () => {
  const key = sipKeyFromBytes(Buffer.from(vectors.key, 'hex'));

  it('reproduces all 64 reference vectors of the SipHash paper', () => {
    expect(vectors.outputs).toHaveLength(64);
    vectors.outputs.forEach((want, length) => {
      const message = Uint8Array.from({ length }, (_, i) => i);
      expect(hex(sipHash24(key, message))).toBe(want);
    });
  });

  it('hashes 32-bit words exactly as their little-endian bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 20 }),
        (keyBytes, words) => {
          const k = sipKeyFromBytes(keyBytes);
          const bytes = new Uint8Array(words.length * 4);
          const view = new DataView(bytes.buffer);
          words.forEach((w, i) => {
            view.setUint32(4 * i, w, true);
          });
          const out = new Uint32Array(2);
          sipHash24Words(k, [7, ...words, 9], 1, words.length, out);
          const asBytes = new Uint8Array(8);
          new DataView(asBytes.buffer).setUint32(0, out[0] as number, true);
          new DataView(asBytes.buffer).setUint32(4, out[1] as number, true);
          return hex(asBytes) === hex(sipHash24(k, bytes));
        },
      ),
      { numRuns: 300, seed: 1 },
    );
  });

  it('refuses keys of the wrong size', () => {
    expect(() => sipKeyFromBytes(new Uint8Array(15))).toThrow(/16 bytes/);
  });
});
