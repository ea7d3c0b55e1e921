import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributionSummary } from './attribution-summary.js';
import type { TextAttribution } from './attribution-text.js';

const NOT_MARKED = { scheme: 'kgw', pValue: 0.5, log10P: Math.log10(0.5), verdict: 'not-marked' } as const;

function named(kind: 'account' | 'campaign', id: string, log10P: number): TextAttribution {
  return {
    attribution: { kind, id, scheme: 'kgw', scored: 100, score: 90, expected: 25, pValue: 10 ** log10P, log10P },
    presence: { scheme: 'kgw', pValue: 1e-30, log10P: -30, verdict: 'marked' },
    results: [],
  };
}
const clean: TextAttribution = { attribution: null, presence: NOT_MARKED, results: [] };

describe('AttributionSummary', () => {
  it('corrects each account’s smallest per-text p-value for the number of texts, in log space', () => {
    const summary = new AttributionSummary({ alpha: 1e-6 });
    summary.add(named('account', 'a', -400));
    summary.add(named('account', 'a', -8));
    summary.add(named('account', 'b', -7)); // significant alone, not once 1,000 texts are counted
    summary.add(named('campaign', 'hydra', -12));
    for (let i = 0; i < 996; i++) summary.add(clean);
    const json = summary.toJSON();
    expect(json).toMatchObject({
      texts: 1000,
      marked: 4,
      attributedToAccount: 3,
      attributedToCampaign: 1,
      correction: 'bonferroni over 1000 texts',
    });
    expect(json.expectedChanceAttributions).toBeCloseTo(1e-3, 12);
    const [a, b] = json.accounts;
    expect(a).toMatchObject({ id: 'a', texts: 2, pValue: 0, verdict: 'attributed' });
    expect(a?.log10P).toBeCloseTo(-397, 9);
    expect(b).toMatchObject({ id: 'b', texts: 1, verdict: 'not-attributed' });
    expect(b?.pValue).toBeCloseTo(1e-4, 15);
    expect(json.campaigns).toEqual([expect.objectContaining({ id: 'hydra', texts: 1, verdict: 'attributed' })]);
    expect(json.campaigns[0]?.log10P).toBeCloseTo(-9, 9);
    expect(JSON.parse(JSON.stringify(summary)).texts).toBe(1000); // toJSON serves JSON.stringify too
  });

  it('tallies canary evidence per account and campaign, once per text', () => {
    const summary = new AttributionSummary();
    const hit = (account: string, campaign?: string) => ({ canary: 'x', account, ...(campaign ? { campaign } : {}), occurrences: 1 });
    summary.add({
      ...clean,
      canaries: {
        hits: [hit('a'), hit('a'), hit('c', 'hydra')],
        pValue: 1e-20,
        log10P: -20,
        verdict: 'canaries-found',
        expected: 0,
        shapedWindows: 3,
      },
    });
    summary.add({
      ...clean,
      canaries: { hits: [hit('a')], pValue: 0.01, log10P: -2, verdict: 'not-found', expected: 0, shapedWindows: 1 },
    });
    const json = summary.toJSON();
    expect(json.withCanaries).toBe(1);
    expect(json.accounts.map((e) => [e.id, e.canaryTexts, e.canaryVerdict, e.texts, e.verdict])).toEqual([
      ['a', 1, 'canaries-found', 0, 'not-attributed'],
      ['c', 1, 'canaries-found', 0, 'not-attributed'],
    ]);
    expect(json.campaigns.map((e) => e.id)).toEqual(['hydra']);
    expect(json.accounts[0]?.canaryLog10P).toBeCloseTo(-20 + Math.log10(2), 9);
  });

  it('never claims an account or campaign that no text supports at alpha / texts', () => {
    const text = fc.oneof(
      fc.constant(clean),
      fc
        .tuple(
          fc.constantFrom('account', 'campaign' as const),
          fc.constantFrom('a', 'b', 'c'),
          fc.double({ min: -500, max: -0.001, noNaN: true }),
        )
        .map(([kind, id, log10P]) => named(kind as 'account' | 'campaign', id, log10P)),
    );
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 60 }), fc.double({ min: 1e-12, max: 0.1, noNaN: true }), (texts, alpha) => {
        const summary = new AttributionSummary({ alpha });
        for (const t of texts) summary.add(t);
        const json = summary.toJSON();
        expect(json.texts).toBe(texts.length);
        for (const [kind, entries] of [
          ['account', json.accounts],
          ['campaign', json.campaigns],
        ] as const)
          for (const entry of entries) {
            const own = texts.flatMap((t) => (t.attribution?.kind === kind && t.attribution.id === entry.id ? [t.attribution.log10P] : []));
            const min = Math.min(...own);
            expect(entry.log10P).toBeCloseTo(Math.min(0, min + Math.log10(texts.length)), 9);
            expect(entry.texts).toBe(own.filter((l) => 10 ** l <= alpha).length);
            if (entry.verdict === 'attributed') expect(10 ** min * texts.length).toBeLessThanOrEqual(alpha * (1 + 1e-9));
          }
      }),
    );
  });

  it('refuses a bad alpha', () => {
    expect(() => new AttributionSummary({ alpha: 1 })).toThrow(/alpha/);
  });
});
