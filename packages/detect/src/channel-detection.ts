/**
 * The three channels of a token-level scheme as test results:
 *
 * - provider: the scores of every non-identity tuple against the scheme's exact null;
 * - campaigns: the identity-position scores under each campaign's key, Bonferroni-corrected
 *   for the number of campaigns tested;
 * - identity: sample splitting. Identity positions are split by a keyed coin into a decoding
 *   four fifths, where each slot's digit is the one with the highest score sum, and a testing
 *   fifth, scored under the decoded digits only. Under H0 the testing scores are independent
 *   of the decoding ones (each PRF input is scored once and in one half: halves split by
 *   window, and self-seeding de-duplicates (anchor, token) pairs), so their tail is exact with no
 *   correction for the choice of code. The decoded code names an account only if it is
 *   registered; an innocent account's code (independent of the text, being a keyed hash)
 *   equals the decoded one with probability radix^-digits, so the account's p-value adds
 *   registered accounts × radix^-digits to bound that event too.
 */
import { formatCode, LineageInputError, type LineageKey, lnOfPValue, logAddExp, type PValue, pValueFromLn } from '@lineage/core';
import type { AccountDirectory } from './account-directory.js';
import type { DetectionResult } from './detection-result.js';
import type { ChannelStatistic, SchemeStatistic } from './scheme-statistic.js';
import { type ChannelSums, checkDetectOptions, type ScoreSum, scanChannels, type TokenDetectOptions } from './tuple-scoring.js';

/** A result whose p-value was corrected for several tests (schemes, campaigns). */
export interface CorrectedResult extends DetectionResult {
  /** The p-value before correction; present when there was one. */
  readonly uncorrectedPValue?: number;
  readonly correction?: string;
}

export interface CampaignResult extends CorrectedResult {
  readonly channel: 'campaign';
  readonly campaign: string;
}

export type IdentityStatus = 'account' | 'no-single-account' | 'not-detected';

export interface IdentityResult extends CorrectedResult {
  readonly channel: 'identity';
  /**
   * 'account': the decoded code is a registered account's and the test is significant;
   * 'no-single-account': the text is marked (`presencePValue` <= alpha) but no single
   * registered account can be named: a mixture of accounts, a campaign, an unregistered
   * account, colliding codes, or too little text to decode every digit;
   * 'not-detected': no evidence of marks. `pValue` and `verdict` are the account's
   * (status 'account') or else `presencePValue`'s, so they always agree with the status.
   */
  readonly status: IdentityStatus;
  readonly account: string | null;
  /** Registered accounts with the decoded code, when the test is significant (two only if codes collide). */
  readonly candidates: readonly string[];
  /** The identity test on the testing positions (with the code-space term when an account matches). */
  readonly identityPValue: number;
  /** Evidence that the text is marked at all: the identity or provider test, Bonferroni over the two. */
  readonly presencePValue: number;
  /** The decoded code, one hex digit per code digit; '?' where no position decoded it. */
  readonly code: string;
  /** Digits with no decoding position. */
  readonly undecodedDigits: number;
  /** Identity positions used to pick the digits. */
  readonly decodingTuples: number;
  readonly registeredAccounts: number;
  /** What the account's p-value adds for the code space (registered × radix^-digits). */
  readonly codeSpaceTerm: number;
}

/**
 * How results of one test are corrected: Bonferroni over `schemes` schemes tested together and
 * over `looks` planned looks at a growing sample (a sequential probe that may stop early).
 */
export interface TestContext {
  readonly key: LineageKey;
  readonly alpha: number;
  readonly schemes: number;
  /** Planned looks (default 1). */
  readonly looks?: number;
}

/** Checks a `looks` option: a positive integer, 1 when absent. */
export function plannedLooks(looks: number | undefined): number {
  if (looks === undefined) return 1;
  if (!Number.isSafeInteger(looks) || looks < 1) throw new LineageInputError(`looks must be a positive integer, got ${looks}`);
  return looks;
}

/** The family every result of a test is corrected for: its size and how it is described. */
function family(test: TestContext): { readonly tests: number; readonly what: string } {
  const looks = test.looks ?? 1;
  const parts = [...(test.schemes > 1 ? [`${test.schemes} schemes`] : []), ...(looks > 1 ? [`${looks} planned looks`] : [])];
  return { tests: test.schemes * looks, what: parts.join(' x ') };
}

export function detectProvider(options: TokenDetectOptions, statistic: SchemeStatistic): DetectionResult {
  const alpha = checkDetectOptions(options);
  const sums = scanChannels(options, statistic, { identity: false, campaigns: [] });
  return providerResult({ key: options.key, alpha, schemes: 1 }, statistic, sums);
}

export function providerResult(test: TestContext, statistic: ChannelStatistic, sums: ChannelSums): CorrectedResult {
  return result(test, statistic, 'provider', sums.provider, statistic.tail(sums.provider.total, sums.provider.scored));
}

export function campaignResults(test: TestContext, statistic: ChannelStatistic, sums: ChannelSums): CampaignResult[] {
  const campaigns = sums.campaigns.size;
  const base = family(test);
  const tests = base.tests * campaigns;
  const what = base.what === '' ? `${campaigns} campaigns` : `${campaigns} campaigns x ${base.what}`;
  return [...sums.campaigns].map(([campaign, sum]) => ({
    ...result(test, statistic, 'campaign', sum, statistic.tail(sum.total, sum.scored), tests, what),
    channel: 'campaign',
    campaign,
  }));
}

export function identityResult(
  test: TestContext,
  statistic: ChannelStatistic,
  sums: ChannelSums,
  directory: AccountDirectory,
): IdentityResult {
  const { alpha } = test;
  const identity = sums.identity;
  if (!identity) throw new Error('identity sums were not collected');
  const { digits, radix, decodeTotals, decodeCounts, testTotals, testCounts } = identity;
  const code: number[] = [];
  let undecodedDigits = 0;
  let decodingTuples = 0;
  let scored = 0;
  let total = 0;
  for (let slot = 0; slot < digits; slot++) {
    decodingTuples += decodeCounts[slot] as number;
    if (decodeCounts[slot] === 0) {
      undecodedDigits++;
      code.push(-1);
      continue;
    }
    let best = 0;
    for (let d = 1; d < radix; d++)
      if ((decodeTotals[slot * radix + d] as number) > (decodeTotals[slot * radix + best] as number)) best = d;
    code.push(best);
    scored += testCounts[slot] as number;
    total += testTotals[slot * radix + best] as number;
  }
  const codeText = code.map((d) => (d < 0 ? '?' : formatCode([d]))).join('');
  const presence = statistic.tail(total, scored);
  const found = undecodedDigits === 0 ? directory.lookup(codeText) : [];
  const codeSpaceTerm = Math.min(1, directory.size * radix ** -digits);
  // Naming any account also claims "no innocent code equals the decoded one": add its bound.
  const tail = found.length > 0 ? pValueFromLn(logAddExp(lnOfPValue(presence), Math.log(codeSpaceTerm))) : presence;
  const base = result(test, statistic, 'identity', { scored, total }, tail);
  const significant = base.pValue <= alpha;
  const candidates = significant ? found : [];
  const single = candidates.length === 1;
  // "Marked, but no single account": the identity or the provider test, each at alpha / 2
  // (in log space, so it stays exact far below 1e-308).
  const provider = providerResult(test, statistic, sums);
  const presenceTail = pValueFromLn(Math.LN2 + Math.min(base.log10P, provider.log10P) * Math.LN10);
  // pValue, log10P and verdict state the claim behind the status: the account, or presence.
  const claim = single ? { pValue: base.pValue, log10P: base.log10P } : presenceTail;
  return {
    ...base,
    channel: 'identity',
    pValue: claim.pValue,
    log10P: claim.log10P,
    verdict: claim.pValue <= alpha ? 'marked' : 'not-marked',
    status: single ? 'account' : presenceTail.pValue <= alpha ? 'no-single-account' : 'not-detected',
    account: single ? (candidates[0] as string) : null,
    candidates,
    identityPValue: base.pValue,
    presencePValue: presenceTail.pValue,
    code: codeText,
    undecodedDigits,
    decodingTuples,
    registeredAccounts: directory.size,
    codeSpaceTerm,
  };
}

function result(
  test: TestContext,
  statistic: ChannelStatistic,
  channel: DetectionResult['channel'],
  { scored, total }: ScoreSum,
  raw: PValue,
  tests = family(test).tests,
  what = family(test).what,
): CorrectedResult {
  const tail = tests > 1 ? pValueFromLn(lnOfPValue(raw) + Math.log(tests)) : raw;
  return {
    scheme: statistic.scheme,
    channel,
    scored,
    score: total,
    expected: scored * statistic.nullMean,
    pValue: tail.pValue,
    log10P: tail.log10P,
    verdict: tail.pValue <= test.alpha ? 'marked' : 'not-marked',
    alpha: test.alpha,
    keyId: test.key.keyId,
    commitment: test.key.commitment,
    ...(tests > 1 ? { uncorrectedPValue: raw.pValue, correction: `bonferroni over ${what}` } : {}),
  };
}
