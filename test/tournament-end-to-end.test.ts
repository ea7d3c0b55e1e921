/** Tournament sampling against a real model: power and calibration on the testbed's n-gram model. */
import { keyFromSecret, SeededRandom } from '@lineage/core';
import { detectTournament } from '@lineage/detect';
import { TournamentMarker } from '@lineage/embed/logits';
import { generateTokens, type SamplingStep, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';

describe('tournament sampling on testbed text', () => {
  it('reaches p ≤ 1e-6 on 100-token responses in at least 95% of samples, and flags no unmarked one', () => {
    const key = keyFromSecret(new Uint8Array(32).fill(31));
    const model = trainOnBrown({ order: 3, tokens: 300_000 });
    const marker = new TournamentMarker({ key, accountId: 'acct-1', vocabSize: model.vocabSize });
    const sampler = {
      sampleNext: (s: SamplingStep) => marker.sampleFromProbabilities(s.probabilities(), s.tokens, s.random, s.promptLength),
    };
    const sample = (seed: string, marked: boolean) => [
      ...generateTokens(model, {
        prompt: [],
        maxTokens: 100,
        random: new SeededRandom(seed),
        allowBoundary: false,
        ...(marked ? { sampler } : {}),
      }),
    ];
    const samples = 12;
    const marked = Array.from({ length: samples }, (_, i) => detectTournament({ key, texts: [sample(`m${i}`, true)] }));
    const clean = Array.from({ length: samples }, (_, i) => detectTournament({ key, texts: [sample(`u${i}`, false)] }));
    expect(marked.filter((r) => r.pValue <= 1e-6).length, marked.map((r) => r.log10P.toFixed(1)).join(' ')).toBeGreaterThanOrEqual(
      samples - 1,
    ); // 12 samples: one miss allowed; the README reports power on more
    expect(clean.filter((r) => r.pValue <= 1e-6)).toHaveLength(0);
  });
});
