/**
 * Attribution of one leaked or published text: every scheme's three channels on that text
 * alone, then the account its identity channel names, else the campaign whose channel is
 * marked, else nothing. Each p-value is the channel's own, already Bonferroni-corrected for
 * the schemes tested (and campaign p-values for the campaigns), so "this text → account A" is
 * wrong with probability at most alpha per text; correcting over many texts is the summary's
 * job (attribution-summary.ts). Built once per run: one tokenizer and one account directory
 * serve every text, and each text is tokenized once for all token-level schemes.
 */
import { randomBytes } from 'node:crypto';
import { LineageInputError, type LineageKey, type PrfKey } from '@lineage/core';
import { createTokenizer, type Tokenizer } from '@lineage/core/tokenizer';
import type { AccountDirectory } from './account-directory.js';
import type { CanaryHit, CanaryScanResult } from './canary/canary-scanner.js';
import type { CampaignResult, CorrectedResult, IdentityResult, IdentityStatus } from './channel-detection.js';
import { detectTokens, directoryOf, TOKEN_SCHEMES, type TokenSchemeName } from './detect-tokens.js';
import { detectLexical } from './lexical-detector.js';

export const ATTRIBUTION_SCHEMES = [...TOKEN_SCHEMES, 'lexical'] as const;
export type AttributionSchemeName = (typeof ATTRIBUTION_SCHEMES)[number];

export interface TextAttributorOptions {
  readonly key: LineageKey;
  /** Registered accounts (ids, or a directory built for this key): without them no account can be named. */
  readonly accounts?: AccountDirectory | Iterable<string>;
  /** Schemes to test, each p-value corrected for their number (default: all four). */
  readonly schemes?: readonly AttributionSchemeName[];
  /** Verdict threshold per text (default 1e-6). */
  readonly alpha?: number;
  /** A canary scanner over the ledger (`CanaryScanner` from `@lineage/detect/canary`). */
  readonly canaries?: { scan(text: string): CanaryScanResult };
}

/** The channel result behind an attribution. */
export interface Attribution {
  readonly kind: 'account' | 'campaign';
  /** The account id (kind 'account') or campaign id. */
  readonly id: string;
  readonly scheme: string;
  readonly scored: number;
  readonly score: number;
  readonly expected: number;
  readonly pValue: number;
  readonly log10P: number;
  readonly correction?: string;
}

/** Whether the text carries the key's marks at all: the most significant provider channel. */
export interface Presence {
  readonly scheme: string;
  readonly pValue: number;
  readonly log10P: number;
  readonly verdict: 'marked' | 'not-marked';
}

export interface CanaryEvidence {
  readonly hits: readonly CanaryHit[];
  /** P(this many ledgered canaries by chance): exact, from the scanner. */
  readonly pValue: number;
  readonly log10P: number;
  readonly verdict: 'canaries-found' | 'not-found';
  readonly expected: number;
  readonly shapedWindows: number;
}

export interface TextAttribution {
  /** The account or campaign named at alpha, or null. */
  readonly attribution: Attribution | null;
  readonly presence: Presence;
  /** The most informative identity status over the schemes (absent without registered accounts). */
  readonly identity?: IdentityStatus;
  /** Ledgered canaries found in the text (only with a scanner). */
  readonly canaries?: CanaryEvidence;
  /** Every channel result behind the above. */
  readonly results: readonly CorrectedResult[];
}

const STATUS_RANK: Record<IdentityStatus, number> = { account: 2, 'no-single-account': 1, 'not-detected': 0 };

export class TextAttributor {
  readonly key: LineageKey;
  readonly alpha: number;
  readonly schemes: readonly AttributionSchemeName[];
  /** Registered accounts the identity channel can name (0 without a directory). */
  readonly registeredAccounts: number;
  readonly #directory: AccountDirectory | undefined;
  readonly #tokenSchemes: readonly TokenSchemeName[];
  readonly #lexical: boolean;
  readonly #canaries: TextAttributorOptions['canaries'];
  /** The key with its channel PRF keys derived once per run (HKDF would dominate short texts). */
  readonly #cachedKey: LineageKey;
  /** One fingerprint seed for every text's tape (drawing one per text costs a syscall each). */
  readonly #tapeSeed = new Uint8Array(randomBytes(16));
  #tokenizer: Tokenizer | undefined;

  constructor(options: TextAttributorOptions) {
    const alpha = options.alpha ?? 1e-6;
    if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
    const schemes = options.schemes ?? ATTRIBUTION_SCHEMES;
    if (!Array.isArray(schemes) || schemes.length === 0) throw new LineageInputError('schemes must list at least one scheme');
    for (const s of schemes)
      if (!(ATTRIBUTION_SCHEMES as readonly string[]).includes(s))
        throw new LineageInputError(`unknown scheme ${JSON.stringify(s)}; use ${ATTRIBUTION_SCHEMES.join(', ')}`);
    if (new Set(schemes).size !== schemes.length) throw new LineageInputError('schemes lists a scheme twice');
    this.key = options.key;
    this.alpha = alpha;
    this.schemes = Object.freeze([...schemes]);
    this.#tokenSchemes = TOKEN_SCHEMES.filter((s) => schemes.includes(s));
    this.#lexical = schemes.includes('lexical');
    this.#directory = directoryOf(options);
    this.registeredAccounts = this.#directory?.size ?? 0;
    this.#canaries = options.canaries;
    this.#cachedKey = _withCachedPrfKeys(options.key);
    if (this.#tokenSchemes.length > 0) this.#tokenizer = createTokenizer({ encoding: options.key.tokenizer });
  }

  /** Attributes one text on its own. */
  attribute(text: string): TextAttribution {
    if (typeof text !== 'string') throw new LineageInputError('the text to attribute must be a string');
    const results = this.#detect(text);
    const provider = results.filter((r) => r.channel === 'provider');
    const best = minBy(provider) as CorrectedResult;
    const identity = results.filter((r): r is IdentityResult => r.channel === 'identity');
    const named = minBy(identity.filter((r) => r.status === 'account'));
    const campaign = minBy(results.filter((r): r is CampaignResult => r.channel === 'campaign' && r.verdict === 'marked'));
    const attribution: Attribution | null = named
      ? evidence('account', named.account as string, named)
      : campaign
        ? evidence('campaign', campaign.campaign, campaign)
        : null;
    const status = identity.reduce<IdentityStatus | undefined>(
      (s, r) => (s === undefined || STATUS_RANK[r.status] > STATUS_RANK[s] ? r.status : s),
      undefined,
    );
    return {
      attribution,
      presence: { scheme: best.scheme, pValue: best.pValue, log10P: best.log10P, verdict: best.verdict },
      ...(status === undefined ? {} : { identity: status }),
      ...(this.#canaries ? { canaries: this.#scanCanaries(text) } : {}),
      results,
    };
  }

  /** Releases the tokenizer's WASM memory; further calls throw. */
  dispose(): void {
    this.#tokenizer?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #detect(text: string): CorrectedResult[] {
    const common = {
      key: this.#cachedKey,
      tapeSeed: this.#tapeSeed,
      alpha: this.alpha,
      testedSchemes: this.schemes.length,
      ...(this.#directory ? { accounts: this.#directory } : {}),
    };
    const results: CorrectedResult[] = [];
    if (this.#tokenizer) {
      const tokens = this.#tokenizer.encode(text);
      for (const scheme of this.#tokenSchemes) results.push(...detectTokens({ ...common, scheme, texts: [tokens] }));
    }
    if (this.#lexical) results.push(...detectLexical({ ...common, texts: [text] }));
    return results;
  }

  #scanCanaries(text: string): CanaryEvidence {
    const scan = (this.#canaries as NonNullable<TextAttributorOptions['canaries']>).scan(text);
    return {
      hits: scan.hits,
      pValue: scan.pValue,
      log10P: scan.log10P,
      verdict: scan.hits.length > 0 && scan.pValue <= this.alpha ? 'canaries-found' : 'not-found',
      expected: scan.expected,
      shapedWindows: scan.shapedWindows,
    };
  }
}

/**
 * A view of the key whose `prfKey` remembers what it derived; everything else is the key's
 * own (methods bound to it, so its private secret stays reachable only through them). The cache
 * holds one entry per channel and campaign.
 */
function _withCachedPrfKeys(key: LineageKey): LineageKey {
  const cache = new Map<string, PrfKey>();
  const prfKey: LineageKey['prfKey'] = (purpose, options = {}) => {
    const id = `${purpose}\u0000${options.id ?? ''}\u0000${options.epoch ?? ''}`;
    let found = cache.get(id);
    if (found === undefined) {
      found = key.prfKey(purpose, options);
      cache.set(id, found);
    }
    return found;
  };
  return new Proxy(key, {
    get(target, property) {
      if (property === 'prfKey') return prfKey;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The result with the smallest p-value (log10P, exact below 1e-308), or undefined. */
function minBy<R extends CorrectedResult>(results: readonly R[]): R | undefined {
  let best: R | undefined;
  for (const r of results) if (best === undefined || r.log10P < best.log10P) best = r;
  return best;
}

function evidence(kind: Attribution['kind'], id: string, r: CorrectedResult): Attribution {
  return {
    kind,
    id,
    scheme: r.scheme,
    scored: r.scored,
    score: r.score,
    expected: r.expected,
    pValue: r.pValue,
    log10P: r.log10P,
    ...(r.correction === undefined ? {} : { correction: r.correction }),
  };
}
