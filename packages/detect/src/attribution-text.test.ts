import { keyFromSecret, SeededRandom } from '@lineage/core';
import { canarySpace } from '@lineage/core/canary';
import { createTokenizer } from '@lineage/core/tokenizer';
import { GreenListMarker } from '@lineage/embed/logits';
import { brownParagraphs, brownPassages, generateTokens, type SamplingStep, trainNgramModel } from '@lineage/testbed';
import { afterAll, describe, expect, it } from 'vitest';
import { AttributionSummary } from './attribution-summary.js';
import { TextAttributor } from './attribution-text.js';
import { CanaryScanner } from './canary/canary-scanner.js';

const key = keyFromSecret(new Uint8Array(32).fill(5)).withInfo({
  campaigns: [{ id: 'hydra', createdAt: '2026-01-01T00:00:00.000Z' }],
});
const tokenizer = createTokenizer({ encoding: key.tokenizer });
afterAll(() => tokenizer.dispose());
// A small real n-gram model: enough entropy for the marks, trained in well under a second.
const model = trainNgramModel(
  brownParagraphs('train')
    .slice(0, 300)
    .map((p) => tokenizer.encode(p)),
  { order: 3, encoding: key.tokenizer, source: 'attribution test' },
);
const accounts = Array.from({ length: 200 }, (_, i) => `acct-${i}`);

/** About 1,500 tokens of the model's text served to an account (flagged into a campaign, or not). */
function servedText(accountId: string, seed: string, campaignId?: string): string {
  const marker = new GreenListMarker({ key, accountId, vocabSize: model.vocabSize, ...(campaignId ? { campaignId } : {}) });
  const sampler = {
    sampleNext: (step: SamplingStep) => marker.sampleWithDraw(step.sampleUnmarked, step.tokens, step.random, step.promptLength),
  };
  const tokens = generateTokens(model, { prompt: [], maxTokens: 1500, random: new SeededRandom(seed), allowBoundary: false, sampler });
  return tokenizer.decode([...tokens]);
}

describe('TextAttributor', () => {
  const attributor = new TextAttributor({ key, accounts });
  afterAll(() => attributor.dispose());

  it('names the account a text was served to, and no other', () => {
    for (const account of ['acct-3', 'acct-150']) {
      const result = attributor.attribute(servedText(account, account));
      expect(result.attribution, JSON.stringify(result.attribution)).toMatchObject({ kind: 'account', id: account, scheme: 'kgw' });
      expect(result.attribution?.log10P).toBeLessThan(-6);
      expect(result.presence.verdict).toBe('marked');
      expect(result.identity).toBe('account');
    }
  });

  it('attributes a flagged account’s text to its campaign, not to the account', () => {
    const result = attributor.attribute(servedText('acct-9', 'flagged', 'hydra'));
    expect(result.attribution).toMatchObject({ kind: 'campaign', id: 'hydra', scheme: 'kgw' });
    expect(result.attribution?.correction).toMatch(/1 campaigns x 4 schemes/);
  });

  it('names nothing on clean Brown text, and its summary claims nothing', () => {
    const summary = new AttributionSummary();
    for (const text of brownPassages('heldout', 150).slice(0, 40)) {
      const result = attributor.attribute(text);
      expect(result.attribution).toBeNull();
      expect(result.presence.verdict).toBe('not-marked');
      summary.add(result);
    }
    expect(summary.toJSON()).toMatchObject({
      texts: 40,
      marked: 0,
      attributedToAccount: 0,
      attributedToCampaign: 0,
      accounts: [],
      campaigns: [],
    });
  });

  it('tokenizes once for the token schemes, and runs only the schemes asked for', () => {
    using lexicalOnly = new TextAttributor({ key, accounts, schemes: ['lexical'] });
    const result = lexicalOnly.attribute(servedText('acct-3', 'acct-3'));
    expect(new Set(result.results.map((r) => r.scheme))).toEqual(new Set(['lexical']));
    expect(result.attribution).toBeNull(); // the marks are kgw's
    const all = attributor.attribute('short');
    expect(new Set(all.results.map((r) => r.scheme))).toEqual(new Set(['kgw', 'gumbel', 'tournament', 'lexical']));
  });

  it('reports ledgered canaries with the scanner’s exact p-value and their account', () => {
    const canary = canarySpace().canaryAt(987_654_321).text;
    const scanner = new CanaryScanner([{ canary, accountId: 'acct-42', promptHash: 'a'.repeat(64), keyId: key.keyId }]);
    using withLedger = new TextAttributor({ key, accounts, canaries: scanner });
    const result = withLedger.attribute(`As ${canary} once said, the tides rise twice a day.`);
    expect(result.canaries).toMatchObject({ verdict: 'canaries-found', hits: [{ account: 'acct-42', occurrences: 1 }] });
    expect(result.canaries?.log10P).toBeLessThan(-6);
    expect(withLedger.attribute('No canary here.').canaries).toMatchObject({ verdict: 'not-found', hits: [], pValue: 1 });
  });

  it('refuses bad options with clear errors', () => {
    expect(() => new TextAttributor({ key, alpha: 0 })).toThrow(/alpha/);
    expect(() => new TextAttributor({ key, schemes: [] })).toThrow(/at least one scheme/);
    expect(() => new TextAttributor({ key, schemes: ['nope' as 'kgw'] })).toThrow(/unknown scheme "nope"/);
    expect(() => new TextAttributor({ key, schemes: ['kgw', 'kgw'] })).toThrow(/twice/);
    expect(() => attributor.attribute(42 as unknown as string)).toThrow(/must be a string/);
  });
});
