/**
 * How the proxy learns who is calling: a client API key resolves to the account (and campaign)
 * it was issued to, or to nothing. The accounts file implements it; tests and other stores can too.
 */

/** The account a client key belongs to. */
export interface ResolvedAccount {
  readonly accountId: string;
  readonly campaignId?: string;
}

export interface AccountResolver {
  /** The key's account, or undefined for an unknown key. Must compare secrets in constant time. */
  resolve(apiKey: string): ResolvedAccount | undefined;
}
