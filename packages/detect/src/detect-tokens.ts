/**
 * One entry point for the token-level schemes: test one scheme, or every scheme (`auto`),
 * on every channel in one pass per scheme — the provider channel, each campaign registered
 * in the key file, and (given the registered accounts) the identity channel. With several
 * schemes each p-value is Bonferroni-corrected for the number of schemes, and campaign
 * p-values also for the number of campaigns, so the chance of any false "marked" per
 * question (provider? this campaign? this account?) stays at alpha. The uncorrected p-value
 * is kept beside the corrected one.
 */
import { LineageInputError } from '@lineage/core';
import { AccountDirectory } from './account-directory.js';
import {
  type CampaignResult,
  type CorrectedResult,
  campaignResults,
  type IdentityResult,
  identityResult,
  plannedLooks,
  providerResult,
  type TestContext,
} from './channel-detection.js';
import { greenListStatistic } from './green-list-detector.js';
import { gumbelStatistic } from './gumbel-detector.js';
import type { StatisticFactory } from './scheme-statistic.js';
import { tournamentStatistic } from './tournament-detector.js';
import { checkDetectOptions, scanChannels, type TokenDetectOptions } from './tuple-scoring.js';

export type { CorrectedResult } from './channel-detection.js';

export const TOKEN_SCHEMES = ['kgw', 'gumbel', 'tournament'] as const;
export type TokenSchemeName = (typeof TOKEN_SCHEMES)[number];

const STATISTICS: Record<TokenSchemeName, StatisticFactory> = {
  kgw: greenListStatistic,
  gumbel: gumbelStatistic,
  tournament: tournamentStatistic,
};

export interface DetectTokensOptions extends TokenDetectOptions {
  readonly scheme: TokenSchemeName | 'auto';
  /** The registered accounts (ids, or a prebuilt directory): decodes the identity channel too. */
  readonly accounts?: AccountDirectory | Iterable<string>;
  /** Schemes tested together on these texts, for the correction (default: those tested here). */
  readonly testedSchemes?: number;
  /** Planned looks of a sequential test on a growing sample, for the Bonferroni correction (default 1). */
  readonly looks?: number;
}

export function detectTokens(options: DetectTokensOptions): CorrectedResult[] {
  const alpha = checkDetectOptions(options);
  const schemes = schemesOf(options.scheme);
  const directory = directoryOf(options);
  const tested = options.testedSchemes ?? schemes.length;
  if (!Number.isInteger(tested) || tested < schemes.length)
    throw new LineageInputError(`testedSchemes must be an integer of at least ${schemes.length}, got ${tested}`);
  const test: TestContext = { key: options.key, alpha, schemes: tested, looks: plannedLooks(options.looks) };
  const campaigns = options.key.campaigns.map((c) => c.id);
  const provider: CorrectedResult[] = [];
  const campaign: CampaignResult[] = [];
  const identity: IdentityResult[] = [];
  for (const scheme of schemes) {
    const statistic = STATISTICS[scheme](options.key);
    const sums = scanChannels(options, statistic, { identity: directory !== undefined, campaigns });
    provider.push(providerResult(test, statistic, sums));
    campaign.push(...campaignResults(test, statistic, sums));
    if (directory) identity.push(identityResult(test, statistic, sums, directory));
  }
  return [...provider, ...campaign, ...identity];
}

/** The identity channel of one scheme: the decoded account, or why none can be named. */
export function decodeIdentity(options: DetectTokensOptions & { readonly scheme: TokenSchemeName }): IdentityResult {
  const alpha = checkDetectOptions(options);
  if ((options.scheme as string) === 'auto')
    throw new LineageInputError('decodeIdentity decodes one scheme: name kgw, gumbel or tournament');
  const [scheme] = schemesOf(options.scheme) as [TokenSchemeName];
  const statistic = STATISTICS[scheme](options.key);
  const directory = directoryOf(options) ?? new AccountDirectory(options.key);
  const sums = scanChannels(options, statistic, { identity: true, campaigns: [] });
  return identityResult({ key: options.key, alpha, schemes: 1 }, statistic, sums, directory);
}

function schemesOf(scheme: TokenSchemeName | 'auto'): readonly TokenSchemeName[] {
  if (scheme === 'auto') return TOKEN_SCHEMES;
  if (!(TOKEN_SCHEMES as readonly string[]).includes(scheme)) {
    throw new LineageInputError(`unknown scheme ${JSON.stringify(scheme)}; use ${TOKEN_SCHEMES.join(', ')} or auto`);
  }
  return [scheme];
}

export function directoryOf(options: Pick<DetectTokensOptions, 'accounts' | 'key'>): AccountDirectory | undefined {
  const { accounts, key } = options;
  if (accounts === undefined) return undefined;
  if (typeof accounts === 'string')
    throw new LineageInputError('accounts must be a list of account ids or an AccountDirectory, not one string');
  if (accounts instanceof AccountDirectory) {
    if (accounts.keyId !== key.keyId)
      throw new LineageInputError(`the account directory was built for key ${accounts.keyId}, not ${key.keyId}`);
    return accounts;
  }
  return new AccountDirectory(key, accounts);
}
