import { keyFromSecret, ORDINARY_VOCAB_SIZE, prfWord, SeededRandom } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { marginalChiSquare, probabilities, support, weights } from './marginal.test-support.js';
import { MarkingChannels } from './marking-channels.js';
import { TournamentMarker } from './tournament-marker.js';

const key = keyFromSecret(new Uint8Array(32).fill(15));
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];

describe('TournamentMarker', () => {
  const marker = new TournamentMarker({ key, accountId: 'acct-1' });
  const h = key.schemes.tournament.contextWidth;

  it('is non-distortionary: over contexts (keys), the emitted token follows p (chi-square)', () => {
    expect(marginalChiSquare(marker, h)).toBeLessThan(30); // 7 degrees of freedom, 99.99th percentile about 29.9
  }, 180_000); // many sampled keys: 45 s on a quiet 2-core machine, more under load

  it('with one layer, matches a knockout between two independent draws that prefers bit 1', () => {
    const one = keyFromSecret(new Uint8Array(32).fill(15), { schemes: { tournament: { contextWidth: 4, layers: 1 } } });
    const single = new TournamentMarker({ key: one, accountId: 'acct-1' });
    const random = new SeededRandom('knockout');
    const context = [5, 6, 7, 8];
    const draw = () => {
      let u = random.next();
      for (let i = 0; i < support.length; i++) {
        u -= weights[i] as number;
        if (u < 0) return support[i] as number;
      }
      return support[support.length - 1] as number;
    };
    const markerCounts = new Map<number, number>();
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      const t = single.sampleFromProbabilities(probabilities, context, random);
      markerCounts.set(t, (markerCounts.get(t) ?? 0) + 1);
    }
    // Each token's layer bit, computed from the key directly.
    const seed = new Uint32Array(2);
    const offset = new MarkingChannels(one, 'tournament', { accountId: 'acct-1' }).seed(context, 4, seed);
    const g = support.map((t) => prfWord(seed[0] as number, seed[1] as number, t + offset) & 1);
    expect(new Set(g).size).toBe(2); // both bits occur, so the game is not trivial
    const gameCounts = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const a = draw();
      const b = draw();
      const ga = g[support.indexOf(a)] as number;
      const gb = g[support.indexOf(b)] as number;
      const winner = ga === gb ? (random.next() < 0.5 ? a : b) : ga > gb ? a : b;
      gameCounts.set(winner, (gameCounts.get(winner) ?? 0) + 1);
    }
    for (const t of support) {
      const a = (markerCounts.get(t) ?? 0) / draws;
      const b = (gameCounts.get(t) ?? 0) / draws;
      expect(Math.abs(a - b)).toBeLessThan(0.02);
    }
  }, 180_000); // many sampled keys: 45 s on a quiet 2-core machine, more under load

  it('refuses bad probabilities and context with typed errors', () => {
    const random = new SeededRandom(1);
    expect(() => marker.sampleFromProbabilities(new Float32Array(5), [1, 2, 3, 4], random)).toThrow(/length/);
    expect(() => marker.sampleFromProbabilities(new Float32Array(V), [1, 2, 3, 4], random)).toThrow(/positive, finite sum/);
    expect(() => marker.sampleFromProbabilities(probabilities, [1, 2, 3, -1], random)).toThrow(/outside the vocabulary/);
  });
});

describe('negligible tails', () => {
  it('never returns an invalid token, whatever the random source returns, with or without a tail', async () => {
    const { GumbelMarker } = await import('./gumbel-marker.js');
    const key = keyFromSecret(new Uint8Array(32).fill(18));
    const V = ORDINARY_VOCAB_SIZE[key.tokenizer];
    const withTail = new Float32Array(V);
    withTail[5] = 1;
    withTail[6] = 1e-12; // below 1e-10 of the total: drawn plainly
    const withoutTail = new Float32Array(V);
    withoutTail[5] = 0.3;
    withoutTail[9] = 0.7;
    for (const value of [0, 0.5, 1 - 2 ** -53]) {
      const random = { next: () => value };
      for (const marker of [new TournamentMarker({ key, accountId: 'acct-1' }), new GumbelMarker({ key, accountId: 'acct-1' })]) {
        for (const probabilities of [withTail, withoutTail]) {
          const t = marker.sampleFromProbabilities(probabilities, [1, 2, 3, 4], random);
          expect((probabilities[t] as number) > 0, `${marker.scheme} ${value}`).toBe(true);
        }
      }
    }
  });
});
