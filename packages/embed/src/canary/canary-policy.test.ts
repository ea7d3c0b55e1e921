import { keyFromSecret, LineageInputError } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { CanaryPolicy } from './canary-policy.js';

const key = keyFromSecret(new Uint8Array(32).fill(5));
const prompts = Array.from({ length: 4000 }, (_, i) => `Question ${i}: how do tides work?`);

function share(policy: CanaryPolicy, accountId: string, campaignId?: string): number {
  let chosen = 0;
  for (const prompt of prompts) {
    const decision = policy.decide({ accountId, prompt, ...(campaignId === undefined ? {} : { campaignId }) });
    if (decision.insert) chosen++;
  }
  return chosen / prompts.length;
}

describe('canary policy', () => {
  it('chooses about the base rate of responses, the flagged rate for flagged accounts and campaigns', () => {
    const policy = new CanaryPolicy({
      key,
      rate: 0.05,
      flaggedRate: 0.5,
      flaggedAccounts: ['bad'],
      flaggedCampaigns: ['hydra'],
      capPerDay: 1e6,
    });
    // Binomial(4000, p): 5 standard deviations.
    expect(Math.abs(share(policy, 'plain') - 0.05)).toBeLessThan(5 * Math.sqrt((0.05 * 0.95) / 4000));
    expect(Math.abs(share(policy, 'bad') - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / 4000));
    expect(Math.abs(share(policy, 'member', 'hydra') - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / 4000));
    expect(policy.rateFor('member', 'other')).toBe(0.05);
  });

  it('is deterministic per (account, prompt), and a flagged account keeps its base-rate canaries', () => {
    const base = new CanaryPolicy({ key, rate: 0.1 });
    const flagged = new CanaryPolicy({ key, rate: 0.1, flaggedAccounts: ['a'] });
    for (const prompt of prompts.slice(0, 500)) {
      const first = base.decide({ accountId: 'a', prompt });
      expect(base.decide({ accountId: 'a', prompt })).toEqual(first);
      if (first.insert) expect(flagged.decide({ accountId: 'a', prompt })).toMatchObject({ insert: true, draw: first.draw });
    }
  });

  it('never inserts for opted-out accounts, and rate 1 inserts every time', () => {
    const policy = new CanaryPolicy({ key, rate: 1, optedOut: ['private'], capPerDay: 1e6 });
    expect(share(policy, 'private')).toBe(0);
    expect(share(policy, 'anyone')).toBe(1);
    expect(policy.decide({ accountId: 'private', prompt: 'x' })).toMatchObject({ insert: false, reason: 'opted-out' });
  });

  it('caps canaries per account per UTC day, counting itself or through a ledger counter', () => {
    let now = Date.UTC(2026, 11, 1, 23, 0);
    const policy = new CanaryPolicy({ key, rate: 1, capPerDay: 3, now: () => now });
    const inserted = () => {
      let n = 0;
      for (const prompt of prompts.slice(0, 10)) {
        const d = policy.decide({ accountId: 'a', prompt });
        if (d.insert) {
          policy.accepted('a');
          n++;
        } else {
          expect(d.reason).toBe('cap-reached');
        }
      }
      return n;
    };
    expect(inserted()).toBe(3);
    expect(inserted()).toBe(0);
    now += 2 * 3_600_000; // the next UTC day
    expect(inserted()).toBe(3);
    const seen: [string, number][] = [];
    const counted = new CanaryPolicy({
      key,
      rate: 1,
      capPerDay: 2,
      now: () => now,
      counter: {
        countForAccountSince: (a, since) => {
          seen.push([a, since]);
          return 2;
        },
      },
    });
    expect(counted.decide({ accountId: 'b', prompt: 'x' })).toMatchObject({ insert: false, reason: 'cap-reached' });
    expect(seen).toEqual([['b', Date.UTC(2026, 11, 2)]]);
  });

  it('rejects bad options and ids with clear errors', () => {
    expect(() => new CanaryPolicy({ key, rate: 2 })).toThrow(/rate must be a number in \[0, 1\]/);
    expect(() => new CanaryPolicy({ key, flaggedRate: Number.NaN })).toThrow(LineageInputError);
    expect(() => new CanaryPolicy({ key, capPerDay: -1 })).toThrow(/capPerDay/);
    expect(() => new CanaryPolicy({ key, optedOut: ['bad id'] })).toThrow(/optedOut/);
    const policy = new CanaryPolicy({ key });
    expect(() => policy.decide({ accountId: 'a b', prompt: 'x' })).toThrow(LineageInputError);
    expect(() => policy.decide({ accountId: 'a', campaignId: '', prompt: 'x' })).toThrow(/campaign id/);
  });
});
