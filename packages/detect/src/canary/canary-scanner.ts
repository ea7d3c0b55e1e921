/**
 * Finds every ledgered canary in text in one pass, in time that does not grow with the number of
 * canaries: each word is looked up once in the space's word table, and only a run of four words
 * with the canary shape (given name, surname, company stem, industry word) costs a lookup of its
 * 44-bit index in the ledger's hash map. Equivalent to an Aho–Corasick automaton over word codes
 * whose patterns all have length four.
 *
 * The p-value of a scan is exact under the null that the text does not depend on the key. Each
 * ledger draw (one per keyId, account and prompt hash) is an independent uniform index in the
 * 2^44-string space, so whatever the text, the draw lands on one of its m distinct canary-shaped
 * windows with probability exactly m / 2^44, and the number of draws found is
 * Binomial(draws, m / 2^44). Clean prose has no canary-shaped window at all (m = 0, p = 1); a hit
 * among a million draws in a text with one shaped window has p ≈ 6·10^-8.
 */
import { binomialTail, LineageInputError } from '@lineage/core';
import { CANARY_SPACE_SIZE, type CanarySpace, canarySpace } from '@lineage/core/canary';
import { CanaryWordReader, CanaryWordTable } from './canary-words.js';

/** A canary as the ledger recorded it. */
export interface LedgeredCanary {
  readonly canary: string;
  readonly accountId: string;
  readonly campaignId?: string;
  /** With keyId and accountId, names the draw: one per (account, prompt) under a key. */
  readonly promptHash: string;
  readonly keyId: string;
}

/** One ledger draw whose canary the text contains. */
export interface CanaryHit {
  readonly canary: string;
  readonly account: string;
  readonly campaign?: string;
  /** How many times the text contains it. */
  readonly occurrences: number;
}

export interface CanaryScanResult {
  /** Words read, connecting words included. */
  readonly words: number;
  /** Distinct canary-shaped four-word windows (m): the text's chances to hold a canary by accident. */
  readonly shapedWindows: number;
  /** Distinct ledger draws the test counts (after any exclusion). */
  readonly draws: number;
  /** Draws left out because their invented words occur in the excluded texts (the probe's prompts). */
  readonly excludedDraws: number;
  readonly hits: readonly CanaryHit[];
  /** Expected number of draws found under the null: draws · m / 2^44. */
  readonly expected: number;
  /** P(at least hits.length draws found | the text does not depend on the key). */
  readonly pValue: number;
  readonly log10P: number;
}

export interface CanaryScanSessionOptions {
  /**
   * Texts whose canaries the scanned text may legitimately copy, such as the prompts a probe
   * sends: a suspect that echoes a prompt quoting an earlier canary-bearing answer must not count
   * as having learned it. Every draw whose invented surname or company stem occurs in them is
   * left out of the test (hits and draw count alike), which keeps the null exact.
   */
  readonly exclude?: Iterable<string>;
}

const SURNAME_PART = 1;
const STEM_PART = 2;

/** A 53-bit tag of a draw's identity (key, account, prompt hash), compared only among draws of one canary. */
function drawTag(keyId: string, accountId: string, promptHash: string): number {
  const text = `${keyId}\u0000${accountId}\u0000${promptHash}`;
  let a = 0x811c9dc5 | 0;
  let b = 0x050c5d1f | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 0x01000193 ^ 0x2f);
  }
  return (a >>> 0) * 2 ** 21 + (b >>> 11);
}

/** The surname and stem word codes of a canary index (see CanarySpace.indexOfCodes). */
function inventedCodes(index: number): [number, number] {
  const stem = Math.floor(index / 2 ** 6) % 2 ** 14;
  const surname = Math.floor(index / 2 ** 20) % 2 ** 14;
  return [SURNAME_PART * 0x10000 + surname, STEM_PART * 0x10000 + stem];
}

/** Draws in parallel arrays (about 100 bytes each with the index map, instead of an object per ledger row). */
interface DrawTable {
  readonly canaryIndex: number[];
  readonly account: number[];
  /** Position in `campaigns`, or -1. */
  readonly campaign: number[];
  readonly accounts: string[];
  readonly campaigns: string[];
  /** Canary index → draw id, or ids when several draws chose it. */
  readonly byIndex: Map<number, number | number[]>;
}

export class CanaryScanner {
  readonly #table: CanaryWordTable;
  readonly #draws: DrawTable = { canaryIndex: [], account: [], campaign: [], accounts: [], campaigns: [], byIndex: new Map() };
  /** Distinct ledger draws (key, account, prompt hash) with a canary of this space. */
  readonly draws: number;
  /** Ledger canaries that are not in this version's canary space (skipped, reported). */
  readonly unknown: number;

  constructor(entries: Iterable<LedgeredCanary>, options: { readonly space?: CanarySpace } = {}) {
    this.#table = new CanaryWordTable(options.space ?? canarySpace());
    const d = this.#draws;
    const accountIds = new Map<string, number>();
    const campaignIds = new Map<string, number>();
    const intern = (ids: Map<string, number>, list: string[], id: string) => {
      let at = ids.get(id);
      if (at === undefined) {
        at = list.length;
        list.push(id);
        ids.set(id, at);
      }
      return at;
    };
    /** Tags of the draws of canaries chosen by more than one ledger row (repeats are the common case). */
    const tags = new Map<number, number[]>();
    const firstTag: number[] = [];
    let unknown = 0;
    for (const entry of entries) {
      const index = this.indexOf(entry.canary);
      if (index < 0) {
        unknown++;
        continue;
      }
      const tag = drawTag(entry.keyId, entry.accountId, entry.promptHash);
      const existing = d.byIndex.get(index);
      if (existing !== undefined) {
        const ids = Array.isArray(existing) ? existing : [existing];
        const known = tags.get(index) ?? ids.map((id) => firstTag[id] as number);
        if (known.includes(tag)) continue; // the same draw again: one (key, account, prompt) has one canary
        tags.set(index, [...known, tag]);
      }
      const id = d.canaryIndex.length;
      d.canaryIndex.push(index);
      d.account.push(intern(accountIds, d.accounts, entry.accountId));
      d.campaign.push(entry.campaignId === undefined ? -1 : intern(campaignIds, d.campaigns, entry.campaignId));
      firstTag.push(tag);
      if (existing === undefined) d.byIndex.set(index, id);
      else d.byIndex.set(index, Array.isArray(existing) ? [...existing, id] : [existing, id]);
    }
    this.draws = d.canaryIndex.length;
    this.unknown = unknown;
  }

  /** The index of a canary written in any accepted form, or -1 when the text is not exactly one canary. */
  indexOf(text: string): number {
    if (typeof text !== 'string') throw new LineageInputError('a canary must be a string');
    const space = this.#table.space;
    // The ledger's own form, "Given Surname of Stem Industry", without the reader.
    const words = text.split(' ');
    if (words.length === 5 && words[2] === 'of') {
      const [given, surname, , stem, industry] = words as [string, string, string, string, string];
      const index = space.indexOfCodes(
        space.wordCode(given.toLowerCase()),
        space.wordCode(surname.toLowerCase()),
        space.wordCode(stem.toLowerCase()),
        space.wordCode(industry.toLowerCase()),
      );
      if (index >= 0) return index;
    }
    const codes: number[] = [];
    const reader = new CanaryWordReader(this.#table, (code) => codes.push(code));
    reader.push(text);
    reader.end();
    return codes.length === 4 ? space.indexOfCodes(...(codes as [number, number, number, number])) : -1;
  }

  /** Scans one whole text. */
  scan(text: string): CanaryScanResult {
    const session = this.session();
    session.push(text);
    return session.end();
  }

  /** A scan fed in chunks (a stream, or several texts tested as one sample); same result for any chunking. */
  session(options: CanaryScanSessionOptions = {}): CanaryScanSession {
    let excludedCodes: Set<number> | undefined;
    let excludedDraws = 0;
    if (options.exclude !== undefined) {
      const codes = new Set<number>();
      const reader = new CanaryWordReader(this.#table, (code) => {
        if (code >>> 16 === SURNAME_PART || code >>> 16 === STEM_PART) codes.add(code);
      });
      for (const text of options.exclude) {
        if (typeof text !== 'string') throw new LineageInputError('an excluded text must be a string');
        reader.push(text);
        reader.end();
      }
      if (codes.size > 0) {
        excludedCodes = codes;
        for (const index of this.#draws.canaryIndex) {
          const [surname, stem] = inventedCodes(index);
          if (codes.has(surname) || codes.has(stem)) excludedDraws++;
        }
      }
    }
    return new CanaryScanSession(this.#table, this.#draws, this.draws - excludedDraws, excludedDraws, excludedCodes);
  }
}

export class CanaryScanSession {
  readonly #reader: CanaryWordReader;
  readonly #draws: DrawTable;
  readonly #drawCount: number;
  readonly #excludedDraws: number;
  readonly #excludedCodes: ReadonlySet<number> | undefined;
  readonly #space: CanarySpace;
  readonly #window = [-1, -1, -1];
  readonly #shaped = new Set<number>();
  /** Draw id → occurrences. */
  readonly #found = new Map<number, number>();

  constructor(table: CanaryWordTable, draws: DrawTable, drawCount: number, excludedDraws: number, excludedCodes?: ReadonlySet<number>) {
    this.#space = table.space;
    this.#draws = draws;
    this.#drawCount = drawCount;
    this.#excludedDraws = excludedDraws;
    this.#excludedCodes = excludedCodes;
    this.#reader = new CanaryWordReader(table, (code) => this.#word(code));
  }

  push(text: string): void {
    if (typeof text !== 'string') throw new LineageInputError('a scanned text must be a string');
    this.#reader.push(text);
  }

  /** Ends a text: a canary never spans two texts fed to one session. */
  separate(): void {
    this.#reader.end();
    this.#window.fill(-1);
  }

  end(): CanaryScanResult {
    this.separate();
    const d = this.#draws;
    const hits: CanaryHit[] = [];
    for (const [id, occurrences] of this.#found) {
      const campaign = d.campaign[id] as number;
      hits.push({
        canary: this.#space.canaryAt(d.canaryIndex[id] as number).text,
        account: d.accounts[d.account[id] as number] as string,
        ...(campaign < 0 ? {} : { campaign: d.campaigns[campaign] as string }),
        occurrences,
      });
    }
    const probability = this.#shaped.size / CANARY_SPACE_SIZE;
    const p = binomialTail(hits.length, this.#drawCount, probability);
    return {
      words: this.#reader.words,
      shapedWindows: this.#shaped.size,
      draws: this.#drawCount,
      excludedDraws: this.#excludedDraws,
      hits,
      expected: this.#drawCount * probability,
      pValue: p.pValue,
      log10P: p.log10P,
    };
  }

  #word(code: number): void {
    const [a, b, c] = this.#window as [number, number, number];
    this.#window[0] = b;
    this.#window[1] = c;
    this.#window[2] = code;
    if (code >>> 16 !== 3 || code < 0) return;
    const index = this.#space.indexOfCodes(a, b, c, code);
    if (index < 0) return;
    this.#shaped.add(index);
    const ids = this.#draws.byIndex.get(index);
    if (ids === undefined) return;
    if (this.#excludedCodes !== undefined && (this.#excludedCodes.has(b) || this.#excludedCodes.has(c))) return;
    for (const id of Array.isArray(ids) ? ids : [ids]) this.#found.set(id, (this.#found.get(id) ?? 0) + 1);
  }
}
