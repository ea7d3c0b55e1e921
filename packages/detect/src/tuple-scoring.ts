/**
 * What every token-level detector shares: input validation, and one pass over the
 * (h-token window, token) tuples that the scoring tape admits (each scored once per test,
 * prompt windows excluded), sorting each tuple into its channel the way the markers do
 * (@lineage/core identity-channel.ts) and summing its scores there.
 */
import {
  channelPurposes,
  contextSeed,
  DIGIT_STRIDE,
  IdentityLayout,
  LineageInputError,
  type LineageKey,
  type MinSelfHash,
  type PrfKey,
  ScoringTape,
} from '@lineage/core';
import type { SchemeStatistic } from './scheme-statistic.js';
import { checkTokenTexts } from './token-input.js';

export interface TokenDetectOptions {
  readonly key: LineageKey;
  /** Token ids of the texts of one test (one text, or a whole sample). */
  readonly texts: readonly ArrayLike<number>[];
  /** Verdict threshold (default 1e-6). */
  readonly alpha?: number;
  /** Windows of these token sequences are never scored (the probe prompts). */
  readonly exclude?: readonly ArrayLike<number>[];
  /** Fingerprint seed of the tape, for reproducible runs (default random). */
  readonly tapeSeed?: Uint8Array;
}

/** Validates the options; returns alpha. */
export function checkDetectOptions(options: TokenDetectOptions): number {
  const alpha = options.alpha ?? 1e-6;
  if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
  checkTokenTexts(options.texts);
  checkTokenTexts(options.exclude ?? [], 'prompt');
  return alpha;
}

export interface ScoreSum {
  scored: number;
  total: number;
}

/** Per digit slot and digit value, the identity scores of the decoding and the testing half. */
export interface IdentitySums {
  readonly digits: number;
  readonly radix: number;
  /** [slot * radix + digit] */
  readonly decodeTotals: Float64Array;
  readonly decodeCounts: Uint32Array;
  readonly testTotals: Float64Array;
  readonly testCounts: Uint32Array;
}

/** Zeroed identity sums for one layout. */
export function emptyIdentitySums({ digits, radix }: IdentityLayout): IdentitySums {
  return {
    digits,
    radix,
    decodeTotals: new Float64Array(digits * radix),
    decodeCounts: new Uint32Array(digits),
    testTotals: new Float64Array(digits * radix),
    testCounts: new Uint32Array(digits),
  };
}

export interface ChannelSums {
  readonly provider: ScoreSum;
  readonly identity: IdentitySums | undefined;
  readonly campaigns: ReadonlyMap<string, ScoreSum>;
}

export interface ScanRequest {
  readonly identity: boolean;
  readonly campaigns: readonly string[];
}

/** One pass over the admitted tuples of a test, summing scores per channel. */
export function scanChannels(options: TokenDetectOptions, statistic: SchemeStatistic, request: ScanRequest): ChannelSums {
  const { key } = options;
  const h = statistic.contextWidth;
  const purposes = channelPurposes(statistic.scheme);
  const providerKey = key.prfKey(purposes.provider);
  const identityKey = request.identity ? key.prfKey(purposes.identity) : undefined;
  const campaignKeys: [string, PrfKey, ScoreSum][] = request.campaigns.map((id) => [
    id,
    key.prfKey(purposes.campaign, { id }),
    { scored: 0, total: 0 },
  ]);
  const layout = new IdentityLayout(key.schemes.identity);
  const { radix } = layout;
  const identity = request.identity ? emptyIdentitySums(layout) : undefined;
  const expectedTuples = options.texts.reduce((n, t) => n + Math.max(0, t.length - h), 0);
  const tape = new ScoringTape({ contextWidth: h, expectedTuples, ...(options.tapeSeed ? { seed: options.tapeSeed } : {}) });
  const self = statistic.selfHash;
  // Self-seeded: a tuple is its (anchor, token) pair, which fixes its seed on every channel.
  const pair = new Uint32Array(2);
  const pairOf = (tokens: ArrayLike<number>, i: number): Uint32Array => {
    const token = tokens[i] as number;
    pair[0] = (self as MinSelfHash).anchor((self as MinSelfHash).windowAnchor(tokens, i - h, h), token);
    pair[1] = token;
    return pair;
  };
  for (const prompt of options.exclude ?? []) {
    if (!self) tape.exclude(prompt);
    else for (let i = h; i < prompt.length; i++) tape.excludeWords(pairOf(prompt, i), 0, 2);
  }
  const seed = new Uint32Array(2);
  const anchor = new Uint32Array(1);
  // The seed of the current tuple under a channel key: its window, or (self-seeded) its anchor.
  const seedUnder = (channelKey: PrfKey, tokens: ArrayLike<number>, i: number): void => {
    if (self) contextSeed(channelKey, anchor, 0, 1, seed);
    else contextSeed(channelKey, tokens, i - h, h, seed);
  };
  const provider: ScoreSum = { scored: 0, total: 0 };
  for (const tokens of options.texts) {
    for (let i = h; i < tokens.length; i++) {
      if (self) {
        if (!tape.admitWords(pairOf(tokens, i), 0, 2)) continue;
        anchor[0] = pair[0] as number;
      } else if (!tape.admit(tokens, i)) continue;
      const token = tokens[i] as number;
      contextSeed(providerKey, tokens, i - h, h, seed);
      const lo = seed[0] as number;
      const hi = seed[1] as number;
      if (!layout.isIdentity(lo, hi)) {
        if (self) seedUnder(providerKey, tokens, i);
        provider.total += statistic.score(seed[0] as number, seed[1] as number, token);
        provider.scored++;
        continue;
      }
      if (identity && identityKey) {
        const slot = layout.slot(lo, hi);
        const decodes = layout.decodes(lo, hi);
        const totals = decodes ? identity.decodeTotals : identity.testTotals;
        const counts = decodes ? identity.decodeCounts : identity.testCounts;
        seedUnder(identityKey, tokens, i);
        const ilo = seed[0] as number;
        const ihi = seed[1] as number;
        for (let d = 0; d < radix; d++)
          totals[slot * radix + d] = (totals[slot * radix + d] as number) + statistic.score(ilo, ihi, token + d * DIGIT_STRIDE);
        counts[slot] = (counts[slot] as number) + 1;
      }
      for (const [, campaignKey, sum] of campaignKeys) {
        seedUnder(campaignKey, tokens, i);
        sum.total += statistic.score(seed[0] as number, seed[1] as number, token);
        sum.scored++;
      }
    }
  }
  return { provider, identity, campaigns: new Map(campaignKeys.map(([id, , sum]) => [id, sum])) };
}
