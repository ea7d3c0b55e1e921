/**
 * Detection of the lexical scheme on its three channels. At a site of a two-way set the
 * keyed preference is a fair coin independent of the text under H0 (the key is), so the
 * number of sites showing the preferred variant is exactly Binomial(n, 1/2) once each
 * (context, set) tuple is scored only once per test (the scoring tape) and tuples that occur
 * in the probe prompts are left out. Sites are sorted into channels exactly as the marker
 * sorts them (the provider seed of the whole tuple picks identity sites), and the channel results come from the
 * same code as the token-level schemes (channel-detection.ts).
 */
import {
  binomialTail,
  channelPurposes,
  contextSeed,
  DIGIT_STRIDE,
  forEachLexicalSite,
  IdentityLayout,
  type LexicalSite,
  type Lexicon,
  LineageInputError,
  type LineageKey,
  type PrfKey,
  preferredVariant,
  ScoringTape,
} from '@lineage/core';
import type { AccountDirectory } from './account-directory.js';
import {
  type CorrectedResult,
  campaignResults,
  identityResult,
  plannedLooks,
  providerResult,
  type TestContext,
} from './channel-detection.js';
import { directoryOf } from './detect-tokens.js';
import type { ChannelStatistic } from './scheme-statistic.js';
import { type ChannelSums, emptyIdentitySums, type ScoreSum } from './tuple-scoring.js';

export interface DetectLexicalOptions {
  readonly key: LineageKey;
  /** The texts of one test (one text, or a whole sample scored with one tape). */
  readonly texts: readonly string[];
  /** Verdict threshold (default 1e-6). */
  readonly alpha?: number;
  /** Sites of these texts (the probe prompts) are never scored. */
  readonly exclude?: readonly string[];
  /** Registered accounts: decodes the identity channel too. */
  readonly accounts?: AccountDirectory | Iterable<string>;
  /** Schemes tested together on these texts, for the Bonferroni correction (default 1). */
  readonly testedSchemes?: number;
  /** Planned looks of a sequential test on a growing sample, for the Bonferroni correction (default 1). */
  readonly looks?: number;
  /** Fingerprint seed of the tape, for reproducible runs (default random). */
  readonly tapeSeed?: Uint8Array;
  /** Defaults to the built-in lexicon (the marker's). */
  readonly lexicon?: Lexicon;
}

export const LEXICAL_STATISTIC: ChannelStatistic = {
  scheme: 'lexical',
  nullMean: 0.5,
  tail: (total, n) => binomialTail(total, n, 0.5),
};

/** Provider, campaign (one per campaign in the key file) and, given accounts, identity results. */
export function detectLexical(options: DetectLexicalOptions): CorrectedResult[] {
  const { key } = options;
  const alpha = options.alpha ?? 1e-6;
  if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
  for (const list of [options.texts, options.exclude ?? []])
    if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) throw new LineageInputError('texts must be an array of strings');
  const tested = options.testedSchemes ?? 1;
  if (!Number.isInteger(tested) || tested < 1) throw new LineageInputError(`testedSchemes must be a positive integer, got ${tested}`);
  const directory = directoryOf(options);
  const test: TestContext = { key, alpha, schemes: tested, looks: plannedLooks(options.looks) };
  const sums = scanLexicalChannels(options, directory !== undefined);
  return [
    providerResult(test, LEXICAL_STATISTIC, sums),
    ...campaignResults(test, LEXICAL_STATISTIC, sums),
    ...(directory ? [identityResult(test, LEXICAL_STATISTIC, sums, directory)] : []),
  ];
}

function scanLexicalChannels(options: DetectLexicalOptions, withIdentity: boolean): ChannelSums {
  const { key } = options;
  const w = key.schemes.lexical.contextWords;
  const scan = { contextWords: w, ...(options.lexicon ? { lexicon: options.lexicon } : {}) };
  const purposes = channelPurposes('lexical');
  const providerKey = key.prfKey(purposes.provider);
  const identityKey = withIdentity ? key.prfKey(purposes.identity) : undefined;
  const campaigns: [string, PrfKey, ScoreSum][] = key.campaigns.map((c) => [
    c.id,
    key.prfKey(purposes.campaign, { id: c.id }),
    { scored: 0, total: 0 },
  ]);
  const layout = new IdentityLayout(key.schemes.identity);
  const { radix } = layout;
  const identity = withIdentity ? emptyIdentitySums(layout) : undefined;
  // About one site per 60 characters of English; the tape grows past this if needed.
  const expectedTuples = options.texts.reduce((n, t) => n + t.length / 60, 0);
  const tape = new ScoringTape({ contextWidth: w, expectedTuples, ...(options.tapeSeed ? { seed: options.tapeSeed } : {}) });
  for (const prompt of options.exclude ?? []) forEachLexicalSite(prompt, scan, (site) => tape.excludeWords(site.tuple, 0, w + 1));
  const provider: ScoreSum = { scored: 0, total: 0 };
  const seed = new Uint32Array(2);
  const onSite = (site: LexicalSite): void => {
    const { tuple, variant } = site;
    if (!tape.admitWords(tuple, 0, w + 1)) return;
    const id = site.set.id;
    contextSeed(providerKey, tuple, 0, w + 1, seed);
    const lo = seed[0] as number;
    const hi = seed[1] as number;
    if (!layout.isIdentity(lo, hi)) {
      provider.scored++;
      if (preferredVariant(lo, hi, id) === variant) provider.total++;
      return;
    }
    if (identity && identityKey) {
      const slot = layout.slot(lo, hi);
      const decodes = layout.decodes(lo, hi);
      const totals = decodes ? identity.decodeTotals : identity.testTotals;
      const counts = decodes ? identity.decodeCounts : identity.testCounts;
      contextSeed(identityKey, tuple, 0, w + 1, seed);
      for (let d = 0; d < radix; d++)
        if (preferredVariant(seed[0] as number, seed[1] as number, id + d * DIGIT_STRIDE) === variant)
          totals[slot * radix + d] = (totals[slot * radix + d] as number) + 1;
      counts[slot] = (counts[slot] as number) + 1;
    }
    for (const [, campaignKey, sum] of campaigns) {
      contextSeed(campaignKey, tuple, 0, w + 1, seed);
      sum.scored++;
      if (preferredVariant(seed[0] as number, seed[1] as number, id) === variant) sum.total++;
    }
  };
  for (const text of options.texts) forEachLexicalSite(text, scan, onSite);
  return { provider, identity, campaigns: new Map(campaigns.map(([id, , sum]) => [id, sum])) };
}
