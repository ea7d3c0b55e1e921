import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@lineage/core';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadModelFile, ModelFileError, parseModel, saveModelFile, serializeModel } from './model-file.js';
import { trainNgramModel } from './ngram-training.js';

const documentsArb = fc.array(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 40 }), { minLength: 1, maxLength: 10 });

describe('model files', () => {
  it('round-trip every model exactly (property)', () => {
    fc.assert(
      fc.property(documentsArb, fc.integer({ min: 1, max: 6 }), (documents, order) => {
        const model = trainNgramModel(documents, { order, encoding: 'cl100k_base' });
        const copy = parseModel(serializeModel(model));
        expect(copy.info).toEqual(model.info);
        expect(copy.order).toBe(order);
        for (let d = 0; d <= order; d++) expect(copy.trie.levels[d]).toEqual(model.trie.levels[d]);
        const context = documents[0]?.slice(0, 3) ?? [];
        for (const w of [0, 5, 300, copy.boundaryId]) expect(copy.logProb(context, w)).toBe(model.logProb(context, w));
      }),
      { numRuns: 60 },
    );
  });

  it('saves atomically and loads what it saved, generating the same text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-model-'));
    const path = join(dir, 'nested', 'm.model');
    const random = new SeededRandom(3);
    const documents = Array.from({ length: 50 }, () => Array.from({ length: 40 }, () => random.nextInt(400)));
    const model = trainNgramModel(documents, { order: 4, source: 'test' });
    saveModelFile(path, model);
    expect(statSync(path).size).toBe(serializeModel(model).length);
    const loaded = loadModelFile(path);
    const a = new SeededRandom('same');
    const b = new SeededRandom('same');
    for (let i = 0; i < 200; i++) expect(loaded.sample([1, 2, 3], a)).toBe(model.sample([1, 2, 3], b));
  });

  it('refuses missing, truncated, corrupted and foreign files with an error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-model-'));
    const path = join(dir, 'm.model');
    saveModelFile(path, trainNgramModel([[1, 2, 3, 4, 5, 6]], { order: 3 }));
    const bytes = readFileSync(path);
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated', bytes.subarray(0, bytes.length - 7), /length/],
      ['flipped', Uint8Array.from(bytes, (b, i) => (i === bytes.length - 40 ? b ^ 1 : b)), /checksum/],
      ['foreign', new TextEncoder().encode('{"not": "a model"}'.padEnd(100)), /magic/],
      ['empty', new Uint8Array(0), /magic/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(dir, `${name}.model`);
      writeFileSync(file, content);
      expect(() => loadModelFile(file), name).toThrow(ModelFileError);
      expect(() => loadModelFile(file), name).toThrow(message);
      expect(() => loadModelFile(file), name).toThrow(file);
    }
    expect(() => loadModelFile(join(dir, 'absent.model'))).toThrow(/absent\.model: no such file/);
  });

  it('refuses a re-checksummed file with broken structure, or else yields a sound model (property)', () => {
    const bytes = serializeModel(
      trainNgramModel(
        [
          [1, 2, 3, 4, 5, 6],
          [7, 8, 9],
          [1, 2, 9],
        ],
        { order: 3, encoding: 'cl100k_base' },
      ),
    );
    const bodyStart = bytes.length - 32 - 4 * 40; // inside the level arrays
    fc.assert(
      fc.property(fc.integer({ min: bodyStart, max: bytes.length - 33 }), fc.integer({ min: 1, max: 255 }), (index, flip) => {
        const edited = Uint8Array.from(bytes);
        edited[index] = (edited[index] as number) ^ flip;
        edited.set(sha256(edited.subarray(0, edited.length - 32)), edited.length - 32);
        let model: ReturnType<typeof parseModel>;
        try {
          model = parseModel(edited, 'edited.model');
        } catch (error) {
          expect(error).toBeInstanceOf(ModelFileError);
          return;
        }
        const random = new SeededRandom(index);
        for (const context of [[], [1, 2], [7]]) {
          const dense = model.distribution(context);
          expect(dense.reduce((a, p) => a + p, 0)).toBeCloseTo(1, 4);
          expect(Number.isFinite(model.logProb(context, 3))).toBe(true);
          const t = model.sample(context, random);
          expect(t >= 0 && t < model.vocabSize).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never accepts a damaged file: any single-byte change is refused (property)', () => {
    const bytes = serializeModel(
      trainNgramModel(
        [
          [1, 2, 3, 4, 5, 6],
          [7, 8, 9],
        ],
        { order: 3 },
      ),
    );
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, flip) => {
        const damaged = Uint8Array.from(bytes);
        damaged[index] = (damaged[index] as number) ^ flip;
        expect(() => parseModel(damaged, 'x.model')).toThrow(ModelFileError);
      }),
      { numRuns: 200 },
    );
  });
});
