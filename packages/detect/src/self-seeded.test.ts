/** The self-seeded (Min-SelfHash) green list: marked text is found on every channel, clean text is calibrated. */
import { binomialTail, keyFromSecret, ksUniform, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { GreenListMarker } from '@lineage/embed/logits';
import { describe, expect, it } from 'vitest';
import { decodeIdentity, detectTokens } from './detect-tokens.js';
import { detectGreenList } from './green-list-detector.js';

const key = keyFromSecret(new Uint8Array(32).fill(41), {
  schemes: { greenList: { contextWidth: 4, gamma: 0.25, delta: 2.5, selfSeeded: true } },
});
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];

function text(length: number, seed: string, marker?: GreenListMarker): number[] {
  const random = new SeededRandom(seed);
  const draw = () => random.nextInt(2000) * 50;
  const tokens = [draw(), draw(), draw(), draw()];
  while (tokens.length < length) tokens.push(marker ? marker.sampleWithDraw(draw, tokens, random) : draw());
  return tokens;
}

describe('self-seeded green list', () => {
  it('marks with the anchor seed: the provider channel is found, and a wrong key finds nothing', () => {
    const marker = new GreenListMarker({ key, accountId: 'acct-1' });
    const tokens = text(300, 'marked', marker);
    const result = detectGreenList({ key, texts: [tokens] });
    expect(result.log10P).toBeLessThan(-10);
    const other = keyFromSecret(new Uint8Array(32).fill(42), { schemes: key.schemes });
    expect(detectGreenList({ key: other, texts: [tokens] }).verdict).toBe('not-marked');
    // processLogits and sampleFromProbabilities agree with isGreen on the same step.
    const logits = new Float32Array(V);
    const context = tokens.slice(0, 10);
    marker.processLogits(logits, context);
    for (const t of [0, 50, 100, 150, 200, 250]) expect(logits[t] === key.schemes.greenList.delta).toBe(marker.isGreen(context, t));
  });

  it('is calibrated on clean text (randomized binomial p-values pass KS) and scores each (anchor, token) pair once', () => {
    const random = new SeededRandom('u');
    const randomized: number[] = [];
    for (let i = 0; i < 800; i++) {
      const r = detectGreenList({ key, texts: [text(120, `clean-${i}`)] });
      const above = r.score + 1 > r.scored ? 0 : binomialTail(r.score + 1, r.scored, 0.25).pValue;
      randomized.push(above + random.next() * (binomialTail(r.score, r.scored, 0.25).pValue - above));
    }
    expect(ksUniform(randomized).pValue).toBeGreaterThan(1e-3);
    const tokens = text(200, 'dup');
    expect(detectGreenList({ key, texts: [tokens, tokens] }).scored).toBe(detectGreenList({ key, texts: [tokens] }).scored);
    expect(detectGreenList({ key, texts: [tokens], exclude: [tokens] }).scored).toBe(0);
  });

  it('carries the identity and campaign channels too', () => {
    const withCampaign = key.withInfo({ campaigns: [{ id: 'c-1', createdAt: key.createdAt }] });
    const tokens = text(2000, 'identity', new GreenListMarker({ key: withCampaign, accountId: 'acct-3' }));
    expect(decodeIdentity({ key: withCampaign, scheme: 'kgw', texts: [tokens], accounts: ['acct-1', 'acct-2', 'acct-3'] })).toMatchObject({
      status: 'account',
      account: 'acct-3',
    });
    const flagged = text(1000, 'campaign', new GreenListMarker({ key: withCampaign, accountId: 'acct-4', campaignId: 'c-1' }));
    const campaign = detectTokens({ key: withCampaign, scheme: 'kgw', texts: [flagged] }).find((r) => r.channel === 'campaign');
    expect(campaign?.verdict).toBe('marked');
  });
});
