/**
 * Writes test-vectors/prf.json: context seeds, words and uniforms of the Lineage PRF under a
 * fixed key, for other implementations to check against. Run from packages/core:
 *   node --conditions=@lineage/source --import tsx scripts/make-prf-vectors.ts
 */
import { writeFileSync } from 'node:fs';
import { contextSeed, prfKeyFromBytes, prfUniform, prfWord } from '../src/prf.js';

const keyHex = '000102030405060708090a0b0c0d0e0f';
const key = prfKeyFromBytes(Buffer.from(keyHex, 'hex'));
const contexts = [[0], [1], [4294967295], [0, 0], [15339, 11], [464, 4062, 19303], [1, 2, 3, 4], [199997, 0, 17, 5, 9, 100000, 77, 3]];
const tokens = [0, 1, 42, 199997, 4294967295];
const seed = new Uint32Array(2);
const cases = contexts.flatMap((context) =>
  tokens.map((token) => {
    contextSeed(key, context, 0, context.length, seed);
    const [low, high] = [seed[0] as number, seed[1] as number];
    return { context, token, seed: [low, high], word: prfWord(low, high, token), uniform: prfUniform(low, high, token) };
  }),
);
const doc = {
  description:
    'Lineage PRF: seed = SipHash-2-4(key, context token ids as little-endian uint32) as [low32, high32]; word = mix32(mix32(token ^ low) ^ high) with mix32 = lowbias32; uniform = (word * 2^20 + (mix32(mix32(token ^ high ^ 0x9e3779b9) ^ low) >>> 12) + 0.5) / 2^52',
  key: keyHex,
  cases,
};
writeFileSync(new URL('../test-vectors/prf.json', import.meta.url), `${JSON.stringify(doc, null, 1)}\n`);
console.log(`wrote ${cases.length} PRF vectors`);
