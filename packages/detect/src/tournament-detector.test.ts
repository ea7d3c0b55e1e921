import { binomialTail, keyFromSecret, ksUniform, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { TournamentMarker } from '@lineage/embed/logits';
import { describe, expect, it } from 'vitest';
import { detectTournament } from './tournament-detector.js';

const key = keyFromSecret(new Uint8Array(32).fill(16));
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];

/** Exactly uniform under H0: P(X > k) + U · P(X = k). */
function randomizedPValue(k: number, n: number, u: number): number {
  const above = k + 1 > n ? 0 : binomialTail(k + 1, n, 0.5).pValue;
  return above + u * (binomialTail(k, n, 0.5).pValue - above);
}

describe('detectTournament', () => {
  it('is calibrated on unmarked text (randomized p-values, KS) and holds the nominal rate', () => {
    const random = new SeededRandom('clean');
    const randomized: number[] = [];
    let falsePositives = 0;
    for (let i = 0; i < 1500; i++) {
      const tokens = Array.from({ length: 60 }, () => random.nextInt(V));
      const r = detectTournament({ key, texts: [tokens] });
      randomized.push(randomizedPValue(r.score, r.scored * key.schemes.tournament.layers, random.next()));
      if (r.pValue <= 0.01) falsePositives++;
    }
    expect(ksUniform(randomized).pValue).toBeGreaterThan(1e-3);
    expect(falsePositives).toBeLessThanOrEqual(30);
  });

  it('finds tournament-sampled text and scores repeated tuples once', () => {
    const random = new SeededRandom('marked');
    const marker = new TournamentMarker({ key, accountId: 'acct-1' });
    const probabilities = new Float32Array(V);
    for (let t = 0; t < 2000; t++) probabilities[t * 50] = 1;
    const tokens = [1, 2, 3, 4];
    while (tokens.length < 104) tokens.push(marker.sampleFromProbabilities(probabilities, tokens, random));
    const result = detectTournament({ key, texts: [tokens] });
    expect(result).toMatchObject({ scheme: 'tournament', channel: 'provider', verdict: 'marked', layers: 30 });
    expect(result.scored).toBeGreaterThan(60); // 100 windows less the identity positions
    expect(result.expected).toBe(15 * result.scored);
    expect(detectTournament({ key: keyFromSecret(new Uint8Array(32).fill(17)), texts: [tokens] }).verdict).toBe('not-marked');
    expect(detectTournament({ key, texts: [tokens, tokens] }).scored).toBe(result.scored);
  });
});
