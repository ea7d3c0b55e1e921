import { SeededRandom } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { brownTokenDocuments, selectDocuments, trainOnBrown } from './brown-training.js';
import { generateTokens } from './generation.js';
import { perplexity } from './perplexity.js';

describe('models trained on Brown', () => {
  it('have held-out perplexity clearly below the unigram baseline', () => {
    const heldOut = brownTokenDocuments('heldout');
    const unigram = perplexity(trainOnBrown({ order: 1, tokens: 400_000 }), heldOut);
    const trigram = perplexity(trainOnBrown({ order: 3, tokens: 400_000 }), heldOut);
    expect(unigram.tokens).toBeGreaterThan(100_000);
    expect(trigram.perplexity).toBeLessThan(0.5 * unigram.perplexity);
  });

  it('select a seeded token budget without reusing or reordering tokens inside a paragraph', () => {
    const all = brownTokenDocuments('train');
    const a = selectDocuments(all, 10_000, 'x');
    const b = selectDocuments(all, 10_000, 'x');
    const c = selectDocuments(all, 10_000, 'y');
    expect(a.reduce((s, d) => s + d.length, 0)).toBe(10_000);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(() => selectDocuments(all, 0, 1)).toThrow(/tokens/);
  });

  it('generate fluent-looking text token by token, stopping at a paragraph end or at length', () => {
    const model = trainOnBrown({ order: 3, tokens: 200_000 });
    const random = new SeededRandom(5);
    const run = generateTokens(model, { prompt: [model.boundaryId], maxTokens: 40, random, allowBoundary: false });
    const tokens = [...run];
    expect(tokens).toHaveLength(40);
    expect(tokens.every((t) => t >= 0 && t < model.boundaryId)).toBe(true);
  });
});
