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
  /** Distinct ledger draws the scan could find. */
  readonly draws: number;
  readonly hits: readonly CanaryHit[];
  /** Expected number of draws found under the null: draws · m / 2^44. */
  readonly expected: number;
  /** P(at least hits.length draws found | the text does not depend on the key). */
  readonly pValue: number;
  readonly log10P: number;
}

interface Draw {
  readonly canary: string;
  readonly account: string;
  readonly campaign: string | undefined;
  readonly keyId: string;
  readonly promptHash: string;
}

export class CanaryScanner {
  readonly #table: CanaryWordTable;
  /** Canary index → the draws that chose it (almost always one). */
  readonly #byIndex = new Map<number, Draw | Draw[]>();
  readonly draws: number;
  /** Ledger canaries that are not in this version's canary space (skipped, reported). */
  readonly unknown: number;

  constructor(entries: Iterable<LedgeredCanary>, options: { readonly space?: CanarySpace } = {}) {
    this.#table = new CanaryWordTable(options.space ?? canarySpace());
    let draws = 0;
    let unknown = 0;
    for (const entry of entries) {
      const index = this.indexOf(entry.canary);
      if (index < 0) {
        unknown++;
        continue;
      }
      const draw: Draw = {
        canary: entry.canary,
        account: entry.accountId,
        campaign: entry.campaignId,
        keyId: entry.keyId,
        promptHash: entry.promptHash,
      };
      // A repeated (key, account, prompt) is the same draw, and the same draw has the same index.
      const existing = this.#byIndex.get(index);
      if (existing === undefined) {
        this.#byIndex.set(index, draw);
      } else {
        const list = Array.isArray(existing) ? existing : [existing];
        if (list.some((d) => d.keyId === draw.keyId && d.account === draw.account && d.promptHash === draw.promptHash)) continue;
        list.push(draw);
        this.#byIndex.set(index, list);
      }
      draws++;
    }
    this.draws = draws;
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
    return codes.length === 4 ? this.#table.space.indexOfCodes(...(codes as [number, number, number, number])) : -1;
  }

  /** Scans one whole text. */
  scan(text: string): CanaryScanResult {
    const session = this.session();
    session.push(text);
    return session.end();
  }

  /** A scan fed in chunks (a stream, or several texts tested as one sample); same result for any chunking. */
  session(): CanaryScanSession {
    return new CanaryScanSession(this.#table, this.#byIndex, this.draws);
  }
}

export class CanaryScanSession {
  readonly #reader: CanaryWordReader;
  readonly #byIndex: ReadonlyMap<number, Draw | Draw[]>;
  readonly #draws: number;
  readonly #space: CanarySpace;
  readonly #window = [-1, -1, -1];
  readonly #shaped = new Set<number>();
  readonly #found = new Map<Draw, number>();

  constructor(table: CanaryWordTable, byIndex: ReadonlyMap<number, Draw | Draw[]>, draws: number) {
    this.#space = table.space;
    this.#byIndex = byIndex;
    this.#draws = draws;
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
    const hits: CanaryHit[] = [];
    for (const [draw, occurrences] of this.#found) {
      hits.push({
        canary: draw.canary,
        account: draw.account,
        ...(draw.campaign === undefined ? {} : { campaign: draw.campaign }),
        occurrences,
      });
    }
    const probability = this.#shaped.size / CANARY_SPACE_SIZE;
    const p = binomialTail(hits.length, this.#draws, probability);
    return {
      words: this.#reader.words,
      shapedWindows: this.#shaped.size,
      draws: this.#draws,
      hits,
      expected: this.#draws * probability,
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
    const draws = this.#byIndex.get(index);
    if (draws === undefined) return;
    for (const draw of Array.isArray(draws) ? draws : [draws]) this.#found.set(draw, (this.#found.get(draw) ?? 0) + 1);
  }
}
