/**
 * The summary of attributing many texts, per account and per campaign, in memory bounded by
 * the number of accounts and campaigns named (never by the number of texts).
 *
 * Every per-text p-value already covers the choice among registered accounts (the identity
 * channel's code-space term), campaigns and schemes, but not the number of texts: among a
 * million clean texts about a million × alpha are attributed by chance. The summary's claim
 * about an account or campaign is therefore the Bonferroni bound over texts: the smallest
 * per-text p-value naming it, times the number of texts tested. The chance that some innocent
 * account gets a summary verdict at alpha is then at most alpha, and likewise for some innocent
 * campaign and for canary evidence: at most alpha per kind, so up to 2 x alpha that any innocent
 * account or campaign is named. It is computed in log space at the end, when the number of
 * texts is known.
 */
import { LineageInputError, pValueFromLn } from '@lineage/core';
import type { TextAttribution } from './attribution-text.js';

/** What the summary says about one account or campaign. */
export interface AttributionSummaryEntry {
  readonly id: string;
  /** Texts attributed to it at the per-text alpha (identity or campaign channel). */
  readonly texts: number;
  /** Bonferroni over texts of its smallest per-text p-value, or 1 when no text named it. */
  readonly pValue: number;
  readonly log10P: number;
  readonly verdict: 'attributed' | 'not-attributed';
  /** Texts whose canary scan, significant at alpha, found a canary served to it. */
  readonly canaryTexts: number;
  /** Bonferroni over texts of the smallest canary p-value of a text holding its canary, or 1. */
  readonly canaryPValue: number;
  readonly canaryLog10P: number;
  readonly canaryVerdict: 'canaries-found' | 'not-found';
}

export interface AttributionSummaryJson {
  readonly texts: number;
  readonly alpha: number;
  /** Texts whose provider channel is marked at alpha. */
  readonly marked: number;
  readonly attributedToAccount: number;
  readonly attributedToCampaign: number;
  readonly withCanaries: number;
  /** texts × alpha: the expected number of chance attributions of each kind (per text, each is at most alpha). */
  readonly expectedChanceAttributions: number;
  readonly correction: string;
  /** Most significant first. */
  readonly accounts: readonly AttributionSummaryEntry[];
  readonly campaigns: readonly AttributionSummaryEntry[];
}

interface Tally {
  texts: number;
  minLog10P: number;
  canaryTexts: number;
  canaryMinLog10P: number;
}

export class AttributionSummary {
  readonly alpha: number;
  #texts = 0;
  #marked = 0;
  #toAccount = 0;
  #toCampaign = 0;
  #withCanaries = 0;
  readonly #accounts = new Map<string, Tally>();
  readonly #campaigns = new Map<string, Tally>();

  constructor(options: { readonly alpha?: number } = {}) {
    const alpha = options.alpha ?? 1e-6;
    if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
    this.alpha = alpha;
  }

  /** Texts added so far: the number the summary corrects for. */
  get texts(): number {
    return this.#texts;
  }

  /** Counts one tested text (every tested text must be added, attributed or not). */
  add(result: TextAttribution): void {
    this.#texts++;
    if (result.presence.pValue <= this.alpha) this.#marked++;
    const a = result.attribution;
    if (a) {
      const at = this.alpha;
      const significant = a.pValue <= at;
      if (significant) a.kind === 'account' ? this.#toAccount++ : this.#toCampaign++;
      const tally = _tally(a.kind === 'account' ? this.#accounts : this.#campaigns, a.id);
      if (significant) tally.texts++;
      tally.minLog10P = Math.min(tally.minLog10P, a.log10P);
    }
    const canaries = result.canaries;
    if (canaries && canaries.hits.length > 0) {
      const found = canaries.verdict === 'canaries-found';
      if (found) this.#withCanaries++;
      // A text with two canaries of one account counts once for it.
      const accounts = new Set(canaries.hits.map((h) => h.account));
      const campaigns = new Set(canaries.hits.flatMap((h) => (h.campaign === undefined ? [] : [h.campaign])));
      for (const [map, ids] of [
        [this.#accounts, accounts],
        [this.#campaigns, campaigns],
      ] as const)
        for (const id of ids) {
          const tally = _tally(map, id);
          if (found) tally.canaryTexts++;
          tally.canaryMinLog10P = Math.min(tally.canaryMinLog10P, canaries.log10P);
        }
    }
  }

  toJSON(): AttributionSummaryJson {
    const n = this.#texts;
    const entries = (map: Map<string, Tally>) =>
      [...map]
        .map(([id, t]) => this.#entry(id, t, n))
        .sort((a, b) => Math.min(a.log10P, a.canaryLog10P) - Math.min(b.log10P, b.canaryLog10P) || (a.id < b.id ? -1 : 1));
    return {
      texts: n,
      alpha: this.alpha,
      marked: this.#marked,
      attributedToAccount: this.#toAccount,
      attributedToCampaign: this.#toCampaign,
      withCanaries: this.#withCanaries,
      expectedChanceAttributions: n * this.alpha,
      correction: `bonferroni over ${n} texts`,
      accounts: entries(this.#accounts),
      campaigns: entries(this.#campaigns),
    };
  }

  #entry(id: string, t: Tally, n: number): AttributionSummaryEntry {
    const overTexts = (log10P: number) => pValueFromLn(log10P * Math.LN10 + Math.log(Math.max(1, n)));
    const p = overTexts(t.minLog10P);
    const c = overTexts(t.canaryMinLog10P);
    return {
      id,
      texts: t.texts,
      pValue: p.pValue,
      log10P: p.log10P,
      verdict: p.pValue <= this.alpha ? 'attributed' : 'not-attributed',
      canaryTexts: t.canaryTexts,
      canaryPValue: c.pValue,
      canaryLog10P: c.log10P,
      canaryVerdict: c.pValue <= this.alpha ? 'canaries-found' : 'not-found',
    };
  }
}

function _tally(map: Map<string, Tally>, id: string): Tally {
  let tally = map.get(id);
  if (tally === undefined) {
    tally = { texts: 0, minLog10P: 0, canaryTexts: 0, canaryMinLog10P: 0 };
    map.set(id, tally);
  }
  return tally;
}
