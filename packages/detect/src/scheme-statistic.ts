/**
 * What a token-level scheme contributes to detection on any channel: the context width, the
 * per-tuple score of a token under a seed, its mean under H0, and the exact upper tail of the
 * sum of n scores under H0. The channels differ only in which seed and input they score.
 */
import type { LineageKey, MinSelfHash, PValue, TokenSchemeName } from '@lineage/core';

/** What a channel's test needs: the scheme's name, the mean of one score and the exact tail of a sum. */
export interface ChannelStatistic {
  readonly scheme: string;
  /** Mean of one score under H0. */
  readonly nullMean: number;
  /** Exact P(sum of n null scores >= total). */
  tail(total: number, n: number): PValue;
}

export interface SchemeStatistic extends ChannelStatistic {
  readonly scheme: TokenSchemeName;
  readonly contextWidth: number;
  /** Score of input `x` (token id plus channel offset) under seed (lo, hi). */
  score(lo: number, hi: number, x: number): number;
  /** Self-seeded green list: seeds come from the (anchor, token) pair instead of the window. */
  readonly selfHash?: MinSelfHash;
}

export type StatisticFactory = (key: LineageKey) => SchemeStatistic;
