/**
 * Which key marks each step of one account's response: the provider channel on most
 * positions; on identity positions (picked by the provider seed, see @lineage/core's
 * identity-channel.ts) the account's code digit for that slot, or its campaign's mark when
 * the account was flagged into a campaign.
 */
import {
  AccountCoder,
  type ChannelSchemeName,
  channelPurposes,
  contextSeed,
  DIGIT_STRIDE,
  IdentityLayout,
  LineageInputError,
  type LineageKey,
  type PrfKey,
} from '@lineage/core';

export interface MarkedAccountOptions {
  /** The account the response is served to (1-128 of A-Z a-z 0-9 . _ : @ -). */
  readonly accountId: string;
  /** A campaign registered in the key file that the account was flagged into. */
  readonly campaignId?: string;
}

export class MarkingChannels {
  readonly accountId: string;
  readonly campaignId: string | undefined;
  readonly #provider: PrfKey;
  readonly #identity: PrfKey;
  readonly #layout: IdentityLayout;
  readonly #code: Uint8Array;
  #last: PrfKey;

  constructor(key: LineageKey, scheme: ChannelSchemeName, account: MarkedAccountOptions) {
    const { accountId, campaignId } = account;
    this.#code = new AccountCoder(key).code(accountId);
    const purposes = channelPurposes(scheme);
    if (campaignId !== undefined && !key.campaigns.some((c) => c.id === campaignId)) {
      throw new LineageInputError(
        `campaign ${JSON.stringify(campaignId)} is not in key ${key.keyId}; register it first (lineage key campaign FILE ID) so detection tests it`,
      );
    }
    this.accountId = accountId;
    this.campaignId = campaignId;
    this.#provider = key.prfKey(purposes.provider);
    this.#identity = campaignId === undefined ? key.prfKey(purposes.identity) : key.prfKey(purposes.campaign, { id: campaignId });
    this.#layout = new IdentityLayout(key.schemes.identity);
    this.#last = this.#provider;
  }

  /** The channel key of the step last seeded (the self-seeded green list re-seeds with it). */
  get channelKey(): PrfKey {
    return this.#last;
  }

  /**
   * Seeds the step whose window is `context[n - h .. n)`: writes the seed into `out` and
   * returns the offset to add to token ids before `prfWord` / `prfUniform`.
   */
  seed(context: ArrayLike<number>, h: number, out: Uint32Array): number {
    const start = context.length - h;
    if (start < 0) throw new LineageInputError(`a marked step needs ${h} tokens of context, got ${context.length}`);
    contextSeed(this.#provider, context, start, h, out);
    const lo = out[0] as number;
    const hi = out[1] as number;
    this.#last = this.#provider;
    if (!this.#layout.isIdentity(lo, hi)) return 0;
    const slot = this.#layout.slot(lo, hi);
    this.#last = this.#identity;
    contextSeed(this.#identity, context, start, h, out);
    return this.campaignId === undefined ? (this.#code[slot] as number) * DIGIT_STRIDE : 0;
  }
}
