import { binomialTail, builtInLexicon, keyFromSecret, ksUniform, SeededRandom } from '@lineage/core';
import { LexicalMarker } from '@lineage/embed/text';
import { describe, expect, it } from 'vitest';
import type { IdentityResult } from './channel-detection.js';
import { detectLexical } from './lexical-detector.js';

const key = keyFromSecret(new Uint8Array(32).fill(7));
const otherKey = keyFromSecret(new Uint8Array(32).fill(8));
const FILLER = ['the', 'report', 'said', 'that', 'our', 'team', 'will', 'look', 'at', 'results', 'when', 'data', 'arrives', 'and', 'then'];
const FORMS = builtInLexicon().sets.flatMap((s) => s.variants);

/** Word salad with a lexicon form every few words: enough distinct contexts for many sites. */
function salad(random: SeededRandom, words: number): string {
  const out: string[] = [];
  while (out.length < words) {
    out.push(FILLER[random.nextInt(FILLER.length)] as string);
    if (random.next() < 0.3) out.push(FORMS[random.nextInt(FORMS.length)] as string);
  }
  return `${out.join(' ')}.`;
}

function randomizedPValue(k: number, n: number, u: number): number {
  const above = k + 1 > n ? 0 : binomialTail(k + 1, n, 0.5).pValue;
  return above + u * (binomialTail(k, n, 0.5).pValue - above);
}

describe('detectLexical', () => {
  it('is calibrated on unmarked text and on marked text under a wrong key', () => {
    const random = new SeededRandom('lexical-null');
    const marker = new LexicalMarker({ key: otherKey, accountId: 'someone' });
    const randomized: number[] = [];
    let falsePositives = 0;
    for (let i = 0; i < 600; i++) {
      const text = salad(random, 60);
      const [provider] = detectLexical({ key, texts: [i % 2 === 0 ? text : marker.mark(text)] });
      if (!provider) throw new Error('no provider result');
      randomized.push(randomizedPValue(provider.score, provider.scored, random.next()));
      if (provider.pValue <= 0.01) falsePositives++;
    }
    expect(ksUniform(randomized).pValue).toBeGreaterThan(1e-3);
    expect(falsePositives).toBeLessThanOrEqual(15); // 1% of 600 is 6; binomial 99.99th percentile is 15
  });

  it('finds the provider mark, and every site under the key follows it', () => {
    const text = salad(new SeededRandom('marked'), 600);
    const marked = new LexicalMarker({ key, accountId: 'acct-1' }).mark(text);
    const [provider] = detectLexical({ key, texts: [marked] });
    expect(provider?.score).toBe(provider?.scored);
    expect(provider?.log10P).toBeLessThan(-6);
    expect(provider?.verdict).toBe('marked');
    expect(provider?.expected).toBe((provider?.scored ?? 0) / 2);
  });

  it('returns scored 0 and p-value 1 for text without sites, not an error', () => {
    for (const text of ['', '```\nit is\n```', '\u0000\ud800 emoji \u{1f600} 42']) {
      const [provider] = detectLexical({ key, texts: [text] });
      expect(provider).toMatchObject({ scored: 0, score: 0, pValue: 1, verdict: 'not-marked' });
    }
  });

  it('scores each (context, set) tuple once across texts, and never a prompt site', () => {
    const text = new LexicalMarker({ key, accountId: 'acct-1' }).mark(salad(new SeededRandom('dup'), 300));
    const [once] = detectLexical({ key, texts: [text] });
    const [twice] = detectLexical({ key, texts: [text, text] });
    expect(twice?.scored).toBe(once?.scored);
    const [excluded] = detectLexical({ key, texts: [text], exclude: [text] });
    expect(excluded?.scored).toBe(0);
  });

  it('names the account from its identity sites, and attributes a campaign account to its campaign', () => {
    const random = new SeededRandom('identity');
    const accounts = Array.from({ length: 50 }, (_, i) => `acct-${i}`);
    const texts = Array.from({ length: 40 }, () => salad(random, 400));
    const account = new LexicalMarker({ key, accountId: 'acct-7' });
    const results = detectLexical({ key, texts: texts.map((t) => account.mark(t)), accounts });
    const identity = results.find((r) => r.channel === 'identity') as IdentityResult;
    expect(identity.status).toBe('account');
    expect(identity.account).toBe('acct-7');

    const withCampaign = key.withInfo({ campaigns: [{ id: 'hydra', createdAt: key.createdAt }] });
    const member = new LexicalMarker({ key: withCampaign, accountId: 'acct-3', campaignId: 'hydra' });
    const [, campaign] = detectLexical({ key: withCampaign, texts: texts.map((t) => member.mark(t)) });
    expect(campaign).toMatchObject({ channel: 'campaign', campaign: 'hydra', verdict: 'marked' });
    const [, clean] = detectLexical({ key: withCampaign, texts: texts.map((t) => account.mark(t)) });
    expect(clean?.pValue).toBeGreaterThan(1e-3);
  });

  it('refuses bad options with clear errors', () => {
    expect(() => detectLexical({ key, texts: ['x'], alpha: 2 })).toThrow(/alpha/);
    expect(() => detectLexical({ key, texts: [42 as unknown as string] })).toThrow(/strings/);
    expect(() => detectLexical({ key, texts: ['x'], testedSchemes: 0 })).toThrow(/testedSchemes/);
  });
});
