/**
 * Which responses carry a canary. The choice is keyed on (account, prompt), so it is
 * deterministic and auditable: anyone holding the key can recompute why a response was chosen.
 * A response is chosen when its keyed uniform falls below the account's rate: the base rate, or
 * the flagged rate when traffic analytics flagged the account or its campaign. A cap per account
 * per UTC day bounds what one account can receive; opted-out accounts never get one.
 */
import { ID_PATTERN, LineageInputError, type LineageKey } from '@lineage/core';
import { type CanaryDraw, CanaryDrawer } from '@lineage/core/canary';

/** Counts the canaries an account already received (the ledger implements it). */
export interface CanaryCounter {
  countForAccountSince(accountId: string, sinceMs: number): number;
}

export interface CanaryPolicyOptions {
  readonly key: LineageKey;
  /** Share of an ordinary account's responses that carry a canary, in [0, 1]. Default 0.01. */
  readonly rate?: number;
  /** Share for flagged accounts and accounts of flagged campaigns, in [0, 1]. Default 0.25. */
  readonly flaggedRate?: number;
  readonly flaggedAccounts?: Iterable<string>;
  /** Every account served with one of these campaign ids counts as flagged. */
  readonly flaggedCampaigns?: Iterable<string>;
  /** Accounts that never receive a canary. */
  readonly optedOut?: Iterable<string>;
  /** Most canaries one account receives per UTC day. Default 100. */
  readonly capPerDay?: number;
  /** Where earlier canaries are counted for the cap; without it, this process counts them. */
  readonly counter?: CanaryCounter;
  /** The clock (ms since the epoch), for tests. */
  readonly now?: () => number;
}

export interface CanaryRequest {
  readonly accountId: string;
  readonly campaignId?: string;
  readonly prompt: string;
}

export type CanaryDecision =
  | { readonly insert: true; readonly draw: CanaryDraw; readonly rate: number }
  | { readonly insert: false; readonly reason: 'not-chosen' | 'opted-out' | 'cap-reached'; readonly rate: number };

const DAY_MS = 86_400_000;

function checkRate(name: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new LineageInputError(`${name} must be a number in [0, 1], got ${value}`);
  return value;
}

function idSet(name: string, ids: Iterable<string> | undefined): ReadonlySet<string> {
  const set = new Set<string>();
  for (const id of ids ?? []) {
    if (typeof id !== 'string' || !ID_PATTERN.test(id))
      throw new LineageInputError(`${name} holds an id that is not 1-128 characters of A-Z a-z 0-9 . _ : @ -`);
    set.add(id);
  }
  return set;
}

export class CanaryPolicy {
  readonly drawer: CanaryDrawer;
  readonly rate: number;
  readonly flaggedRate: number;
  readonly capPerDay: number;
  readonly #flaggedAccounts: ReadonlySet<string>;
  readonly #flaggedCampaigns: ReadonlySet<string>;
  readonly #optedOut: ReadonlySet<string>;
  readonly #counter: CanaryCounter | undefined;
  readonly #now: () => number;
  /** This process's own counts for the cap when there is no counter: account → [day, count]. */
  readonly #local = new Map<string, [number, number]>();

  constructor(options: CanaryPolicyOptions) {
    this.drawer = new CanaryDrawer(options.key);
    this.rate = checkRate('rate', options.rate ?? 0.01);
    this.flaggedRate = checkRate('flaggedRate', options.flaggedRate ?? 0.25);
    const cap = options.capPerDay ?? 100;
    if (!Number.isSafeInteger(cap) || cap < 0) throw new LineageInputError(`capPerDay must be a non-negative integer, got ${cap}`);
    this.capPerDay = cap;
    this.#flaggedAccounts = idSet('flaggedAccounts', options.flaggedAccounts);
    this.#flaggedCampaigns = idSet('flaggedCampaigns', options.flaggedCampaigns);
    this.#optedOut = idSet('optedOut', options.optedOut);
    this.#counter = options.counter;
    this.#now = options.now ?? Date.now;
  }

  /** The rate that applies to an account (and its campaign, when it has one). */
  rateFor(accountId: string, campaignId?: string): number {
    const flagged = this.#flaggedAccounts.has(accountId) || (campaignId !== undefined && this.#flaggedCampaigns.has(campaignId));
    return flagged ? Math.max(this.rate, this.flaggedRate) : this.rate;
  }

  /**
   * Decides for one response. A chosen response counts toward the cap when `accepted` is called
   * (after the canary was really inserted); a ledger counter counts it when it is recorded.
   */
  decide(request: CanaryRequest): CanaryDecision {
    const { accountId, campaignId, prompt } = request;
    if (campaignId !== undefined && (typeof campaignId !== 'string' || !ID_PATTERN.test(campaignId))) {
      throw new LineageInputError('a campaign id is 1-128 characters of A-Z a-z 0-9 . _ : @ -');
    }
    const draw = this.drawer.draw(accountId, prompt);
    const rate = this.rateFor(accountId, campaignId);
    if (this.#optedOut.has(accountId)) return { insert: false, reason: 'opted-out', rate };
    if (!(draw.rateUniform < rate)) return { insert: false, reason: 'not-chosen', rate };
    if (this.#usedToday(accountId) >= this.capPerDay) return { insert: false, reason: 'cap-reached', rate };
    return { insert: true, draw, rate };
  }

  /** Counts an inserted canary toward the account's cap (only needed without a ledger counter). */
  accepted(accountId: string): void {
    if (this.#counter !== undefined) return;
    const day = Math.floor(this.#now() / DAY_MS);
    const entry = this.#local.get(accountId);
    if (entry === undefined || entry[0] !== day) {
      if (entry === undefined && this.#local.size >= 1_000_000) this.#forgetOldDays(day);
      this.#local.set(accountId, [day, 1]);
    } else {
      entry[1]++;
    }
  }

  #usedToday(accountId: string): number {
    const now = this.#now();
    const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
    if (this.#counter !== undefined) return this.#counter.countForAccountSince(accountId, dayStart);
    const entry = this.#local.get(accountId);
    return entry !== undefined && entry[0] === dayStart / DAY_MS ? entry[1] : 0;
  }

  /** Bounded memory: counts from earlier days are dropped once a million accounts are tracked. */
  #forgetOldDays(day: number): void {
    for (const [account, [d]] of this.#local) if (d !== day) this.#local.delete(account);
  }
}
