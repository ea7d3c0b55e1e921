import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import vectors from '../test-vectors/prf.json' with { type: 'json' };
import { binomialTail } from './binomial-tail.js';
import { ksUniform } from './ks-test.js';
import { _uniformFromWords, contextSeed, greenProbability, greenThreshold, prfKeyFromBytes, prfUniform, prfWord } from './prf.js';

describe('keyed PRF', () => {
  it('matches the published test vectors', () => {
    const key = prfKeyFromBytes(Buffer.from(vectors.key, 'hex'));
    const seed = new Uint32Array(2);
    expect(vectors.cases.length).toBeGreaterThan(10);
    for (const c of vectors.cases) {
      contextSeed(key, c.context, 0, c.context.length, seed);
      expect([seed[0], seed[1]]).toEqual(c.seed);
      expect(prfWord(seed[0] as number, seed[1] as number, c.token)).toBe(c.word);
      expect(prfUniform(seed[0] as number, seed[1] as number, c.token)).toBe(c.uniform);
    }
  });

  it('depends on the key, the whole context and its width', () => {
    const a = prfKeyFromBytes(new Uint8Array(16).fill(1));
    const b = prfKeyFromBytes(new Uint8Array(16).fill(2));
    const seed = (key: typeof a, ctx: number[]) => {
      const out = new Uint32Array(2);
      contextSeed(key, ctx, 0, ctx.length, out);
      return `${out[0]}:${out[1]}`;
    };
    const base = seed(a, [10, 20, 30]);
    expect(seed(b, [10, 20, 30])).not.toBe(base);
    expect(seed(a, [10, 20, 31])).not.toBe(base);
    expect(seed(a, [11, 20, 30])).not.toBe(base);
    expect(seed(a, [10, 20])).not.toBe(base);
    expect(seed(a, [10, 20, 30, 0])).not.toBe(base);
  });

  it('gives green lists of exact size gamma over a vocabulary (binomial check over many seeds)', () => {
    const key = prfKeyFromBytes(new Uint8Array(16).fill(9));
    const threshold = greenThreshold(0.25);
    expect(greenProbability(threshold)).toBe(0.25);
    const seed = new Uint32Array(2);
    let green = 0;
    let total = 0;
    for (let c = 0; c < 200; c++) {
      contextSeed(key, [c], 0, 1, seed);
      for (let t = 0; t < 5000; t++) {
        if (prfWord(seed[0] as number, seed[1] as number, t) < threshold) green++;
        total++;
      }
    }
    // two-sided check at 1e-6 either way
    expect(binomialTail(green, total, 0.25).pValue).toBeGreaterThan(1e-6);
    expect(binomialTail(total - green, total, 0.75).pValue).toBeGreaterThan(1e-6);
  });

  it('gives uniform doubles strictly inside (0, 1), uncorrelated across adjacent tokens', () => {
    const key = prfKeyFromBytes(new Uint8Array(16).fill(3));
    const seed = new Uint32Array(2);
    contextSeed(key, [1, 2], 0, 2, seed);
    const values: number[] = [];
    for (let t = 0; t < 20000; t++) values.push(prfUniform(seed[0] as number, seed[1] as number, t));
    expect(values.every((u) => u > 0 && u < 1)).toBe(true);
    expect(ksUniform(values).pValue).toBeGreaterThan(1e-4);
    let sxy = 0;
    for (let t = 1; t < values.length; t++) sxy += ((values[t] as number) - 0.5) * ((values[t - 1] as number) - 0.5);
    const correlation = sxy / (values.length - 1) / (1 / 12);
    expect(Math.abs(correlation)).toBeLessThan(5 / Math.sqrt(values.length));
  });

  it('keeps the extreme uniforms strictly inside (0, 1): the top of the grid does not round to 1', () => {
    expect(_uniformFromWords(0xffffffff, 0xffffffff)).toBeLessThan(1);
    expect(-Math.log1p(-_uniformFromWords(0xffffffff, 0xffffffff))).toBeLessThan(37);
    expect(_uniformFromWords(0, 0)).toBeGreaterThan(0);
  });

  it('never shows the SipHash key of a PRF key in JSON or inspection', () => {
    const key = prfKeyFromBytes(new Uint8Array(16).fill(0xab));
    expect(JSON.stringify({ key })).toBe('{"key":"[PrfKey redacted]"}');
    expect(inspect(key, { showHidden: true, depth: 5 })).not.toMatch(/\d{5,}/);
    expect(() => contextSeed({} as never, [1], 0, 1, new Uint32Array(2))).toThrow(/not a PRF key/);
  });

  it('refuses a gamma outside (0, 1)', () => {
    expect(() => greenThreshold(0)).toThrow(/gamma/);
    expect(() => greenThreshold(1)).toThrow(/gamma/);
  });
});
