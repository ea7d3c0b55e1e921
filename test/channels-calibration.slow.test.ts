/**
 * Calibration of every channel on clean testbed text, over many keys: unmarked n-gram text
 * (which repeats windows and tuples) tested with 1,000 keys, each with two campaigns and
 * 1,000 registered accounts. The Gumbel statistic is continuous, so its provider, campaign
 * and identity p-values must be uniform (KS); the discrete green-list and tournament tests
 * must not exceed their nominal rate; and no account is ever named.
 */
import { binomialTail, keyFromSecret, ksUniform, SeededRandom } from '@lineage/core';
import { type CampaignResult, detectTokens, type IdentityResult } from '@lineage/detect';
import { generateTokens, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';

const model = trainOnBrown({ order: 3, tokens: 300_000 });
const accounts = Array.from({ length: 1000 }, (_, i) => `acct-${i}`);
const KEYS = 1000;

describe('channel calibration on clean testbed text', () => {
  it('gives uniform Gumbel p-values on every channel, nominal rates for the discrete tests, and names no account', () => {
    const gumbel: Record<string, number[]> = { provider: [], campaign: [], identity: [] };
    let discreteAtFivePercent = 0;
    let discreteTests = 0;
    for (let k = 0; k < KEYS; k++) {
      const bytes = new Uint8Array(32);
      new DataView(bytes.buffer).setUint32(0, k + 1000);
      const base = keyFromSecret(bytes);
      const key = base.withInfo({
        campaigns: [
          { id: 'c-1', createdAt: base.createdAt },
          { id: 'c-2', createdAt: base.createdAt },
        ],
      });
      const texts = Array.from({ length: 2 }, (_, i) => [
        ...generateTokens(model, { prompt: [], maxTokens: 300, random: new SeededRandom(`clean-${k}-${i}`), allowBoundary: false }),
      ]);
      const results = detectTokens({ key, scheme: 'auto', texts, accounts });
      for (const r of results) {
        if (r.channel === 'identity') expect((r as IdentityResult).account).toBeNull();
        const raw = r.uncorrectedPValue ?? r.pValue;
        if (r.scheme === 'gumbel') {
          if (r.channel !== 'campaign' || (r as CampaignResult).campaign === 'c-1') gumbel[r.channel]?.push(raw);
        } else {
          discreteTests++;
          if (raw <= 0.05) discreteAtFivePercent++;
        }
      }
    }
    for (const [channel, pValues] of Object.entries(gumbel)) {
      expect(pValues.length, channel).toBe(KEYS);
      expect(ksUniform(pValues).pValue, channel).toBeGreaterThan(1e-3);
    }
    // Discrete tests are conservative: at most 5% below 0.05, beyond chance at 1e-4.
    expect(binomialTail(discreteAtFivePercent, discreteTests, 0.05).pValue).toBeGreaterThan(1e-4);
    expect(discreteAtFivePercent / discreteTests).toBeGreaterThan(0.01); // the tests do reject sometimes
  });
});
