/**
 * The identity and campaign channels end to end on synthetic text: a flat next-token
 * distribution over 2,000 tokens (11 bits per token), marked per account with the green list
 * by exact rejection, then decoded among registered accounts.
 */
import { keyFromSecret, ksUniform, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { GreenListMarker, GumbelMarker } from '@lineage/embed/logits';
import { describe, expect, it } from 'vitest';
import { AccountDirectory } from './account-directory.js';
import type { CampaignResult, IdentityResult } from './channel-detection.js';
import { decodeIdentity, detectTokens } from './detect-tokens.js';

const base = keyFromSecret(new Uint8Array(32).fill(21));
const key = base.withInfo({
  campaigns: [
    { id: 'c-1', createdAt: base.createdAt },
    { id: 'c-2', createdAt: base.createdAt },
  ],
});
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];
const accounts = Array.from({ length: 1000 }, (_, i) => `acct-${i}`);
const directory = new AccountDirectory(key, accounts);

function markedText(accountId: string, length: number, seed: string, campaignId?: string): number[] {
  const marker = new GreenListMarker({ key, accountId, ...(campaignId ? { campaignId } : {}) });
  const random = new SeededRandom(seed);
  const draw = () => random.nextInt(2000) * 50;
  const tokens = [draw(), draw()];
  while (tokens.length < length) tokens.push(marker.sampleWithDraw(draw, tokens, random));
  return tokens;
}

const identityOf = (results: readonly { channel: string }[]) => results.find((r) => r.channel === 'identity') as IdentityResult;
const campaignsOf = (results: readonly { channel: string }[]) => results.filter((r) => r.channel === 'campaign') as CampaignResult[];

describe('identity channel', () => {
  it("decodes a single account's 48-bit code from its text and names it among 1,000", () => {
    const tokens = markedText('acct-417', 2000, 'single');
    const result = decodeIdentity({ key, scheme: 'kgw', texts: [tokens], accounts: directory });
    expect(result).toMatchObject({
      status: 'account',
      account: 'acct-417',
      undecodedDigits: 0,
      verdict: 'marked',
      registeredAccounts: 1000,
    });
    expect(result.log10P).toBeLessThan(-6);
    expect(result.codeSpaceTerm).toBeCloseTo(1000 / 2 ** 48);
    // The same text with another key shows no identity mark.
    const other = keyFromSecret(new Uint8Array(32).fill(22));
    expect(decodeIdentity({ key: other, scheme: 'kgw', texts: [tokens], accounts }).status).toBe('not-detected');
  });

  it('refuses ambiguous inputs and names nobody on too little text', () => {
    const tokens = markedText('acct-417', 60, 'short');
    expect(() => decodeIdentity({ key, scheme: 'auto' as 'kgw', texts: [tokens], accounts })).toThrow(/one scheme/);
    expect(() => detectTokens({ key, scheme: 'kgw', texts: [tokens], accounts: 'acct-417' })).toThrow(/not one string/);
    const result = decodeIdentity({ key, scheme: 'kgw', texts: [tokens], accounts: directory });
    expect(result).toMatchObject({ account: null, candidates: [] });
    expect(result.status).not.toBe('account');
  });

  it('an unregistered account is "no single account", never another account', () => {
    const tokens = markedText('acct-unknown', 2000, 'unregistered');
    const result = decodeIdentity({ key, scheme: 'kgw', texts: [tokens], accounts: directory });
    expect(result).toMatchObject({ status: 'no-single-account', account: null, verdict: 'marked' });
  });

  it('a mixture of 1,000 accounts keeps a strong provider mark and names no account', () => {
    const texts = accounts.map((id, i) => markedText(id, 40, `mix-${i}`));
    const results = detectTokens({ key, scheme: 'kgw', texts, accounts: directory });
    const provider = results.find((r) => r.channel === 'provider');
    expect(provider?.log10P).toBeLessThan(-100);
    const identity = identityOf(results);
    expect(identity).toMatchObject({ account: null, status: 'no-single-account' });
    // Presence evidence far below 1e-308 stays finite in log10P (computed in log space).
    expect(identity.log10P).toBeLessThan(-400);
    expect(Number.isFinite(identity.log10P)).toBe(true);
    expect(campaignsOf(results).every((c) => c.verdict === 'not-marked')).toBe(true);
  });
});

describe('campaign channel', () => {
  it("finds an account's campaign, not the other campaign, and corrects for both", () => {
    const tokens = markedText('acct-5', 1000, 'campaign', 'c-1');
    const results = detectTokens({ key, scheme: 'kgw', texts: [tokens], accounts: directory });
    const [c1, c2] = campaignsOf(results) as [CampaignResult, CampaignResult];
    expect(c1).toMatchObject({ campaign: 'c-1', verdict: 'marked', correction: 'bonferroni over 2 campaigns' });
    expect(c1.pValue).toBeCloseTo(Math.min(1, 2 * (c1.uncorrectedPValue as number)), 12);
    expect(c1.log10P).toBeLessThan(-6);
    expect(c2).toMatchObject({ campaign: 'c-2', verdict: 'not-marked' });
    // Its identity positions carry the campaign, so no account is named.
    expect(identityOf(results).account).toBeNull();
    expect(results.find((r) => r.channel === 'provider')?.verdict).toBe('marked');
  });
});

describe('calibration of the identity and campaign tests', () => {
  it('gives uniform p-values on unmarked text (Gumbel scores are continuous, so exactly uniform)', () => {
    const random = new SeededRandom('clean-channels');
    const identity: number[] = [];
    const campaign: number[] = [];
    for (let i = 0; i < 600; i++) {
      const tokens = Array.from({ length: 400 }, () => random.nextInt(V));
      const results = detectTokens({ key, scheme: 'gumbel', texts: [tokens], accounts: directory });
      const id = identityOf(results);
      expect(id.status).not.toBe('account');
      identity.push(id.identityPValue);
      campaign.push((campaignsOf(results)[0] as CampaignResult).uncorrectedPValue as number);
    }
    expect(ksUniform(identity).pValue).toBeGreaterThan(1e-3);
    expect(ksUniform(campaign).pValue).toBeGreaterThan(1e-3);
  });

  it('Gumbel-marked text of one account decodes to it', () => {
    const marker = new GumbelMarker({ key, accountId: 'acct-9' });
    const random = new SeededRandom('gumbel-identity');
    const probabilities = new Float32Array(V);
    for (let t = 0; t < 2000; t++) probabilities[t * 50] = 1;
    const tokens = [1, 2, 3, 4];
    while (tokens.length < 1200) tokens.push(marker.sampleFromProbabilities(probabilities, tokens, random));
    expect(decodeIdentity({ key, scheme: 'gumbel', texts: [tokens], accounts: directory })).toMatchObject({
      status: 'account',
      account: 'acct-9',
    });
  });
});
