/**
 * The canary space: every canary is `{Given} {Surname} of {Stem} {Industry}`, one word from
 * each of four disjoint lists of 2^10, 2^14, 2^14 and 2^6 words, so the space holds exactly
 * 2^44 strings and a canary's 44-bit index and its text determine each other. Given names are
 * real; surnames and company stems are invented (no Brown or WordNet word, no real surname), so
 * ordinary text almost never holds a string of this shape, and never a particular one unless it
 * copied it. The lists are built by `packages/testbed/scripts/build-canary-names.ts`.
 *
 * Exactness of the scanner's p-value rests on two facts checked here and in tests: list sizes
 * are powers of two (a keyed draw is uniform over the space, no modulo bias), and the lists are
 * disjoint and duplicate-free after lowercasing (each string has one index).
 */
import { LineageInputError } from '../errors.js';
import { COMPANY_STEMS, GIVEN_NAMES, INDUSTRIES, SURNAMES } from './canary-names-data.js';

/** Bits of each part of a canary, in reading order: given name, surname, stem, industry. */
export const CANARY_PART_BITS: readonly number[] = [10, 14, 14, 6];
/** log2 of the number of canaries. */
export const CANARY_SPACE_BITS = 44;
/** The number of canaries, 2^44 (a safe integer). */
export const CANARY_SPACE_SIZE = 2 ** CANARY_SPACE_BITS;
/** Connecting words a canary may be written with; the scanner skips them. */
export const CANARY_CONNECTORS: readonly string[] = ['of', 'from', 'at'];

/** One canary: its index in the space, its four words and its text. */
export interface Canary {
  readonly index: number;
  /** Given name and surname, as substituted for a placeholder person name. */
  readonly person: string;
  /** Company stem and industry word. */
  readonly company: string;
  /** `${person} of ${company}`: the string the ledger records and the scanner looks for. */
  readonly text: string;
}

export class CanarySpace {
  /** The four word lists, in reading order, as written (capitalized). */
  readonly parts: readonly (readonly string[])[];
  /** Lowercased word → part · 2^16 + position in its part. */
  readonly #codes = new Map<string, number>();

  constructor(parts: readonly (readonly string[])[]) {
    if (parts.length !== CANARY_PART_BITS.length) throw new LineageInputError('a canary space has four word lists');
    parts.forEach((words, part) => {
      const expected = 2 ** (CANARY_PART_BITS[part] as number);
      if (words.length !== expected) {
        throw new LineageInputError(`canary word list ${part} holds ${words.length} words; it must hold exactly ${expected}`);
      }
      words.forEach((word, position) => {
        const lower = word.toLowerCase();
        if (!/^[a-z]{3,12}$/.test(lower)) throw new LineageInputError(`canary word ${JSON.stringify(word)} is not 3-12 ASCII letters`);
        if (this.#codes.has(lower) || CANARY_CONNECTORS.includes(lower)) {
          throw new LineageInputError(`canary word ${JSON.stringify(word)} occurs twice: each canary must have one index`);
        }
        this.#codes.set(lower, part * 0x10000 + position);
      });
    });
    this.parts = parts;
  }

  /** The canary at an index in [0, 2^44). */
  canaryAt(index: number): Canary {
    if (!Number.isSafeInteger(index) || index < 0 || index >= CANARY_SPACE_SIZE) {
      throw new LineageInputError(`a canary index is an integer in [0, 2^44), got ${index}`);
    }
    const words: string[] = [];
    let rest = index;
    for (let part = CANARY_PART_BITS.length - 1; part >= 0; part--) {
      const size = 2 ** (CANARY_PART_BITS[part] as number);
      words[part] = (this.parts[part] as readonly string[])[rest % size] as string;
      rest = Math.floor(rest / size);
    }
    const person = `${words[0]} ${words[1]}`;
    const company = `${words[2]} ${words[3]}`;
    return { index, person, company, text: `${person} of ${company}` };
  }

  /**
   * Part · 2^16 + position of a lowercased word, or -1 when the word is in no list. Parts are
   * 0 given name, 1 surname, 2 stem, 3 industry.
   */
  wordCode(lowercaseWord: string): number {
    return this.#codes.get(lowercaseWord) ?? -1;
  }

  /** Every word of every list, lowercased, with its code (for building fast lookup tables). */
  wordCodes(): IterableIterator<[string, number]> {
    return this.#codes.entries();
  }

  /** The index of four word codes in reading order, or -1 when they do not form a canary. */
  indexOfCodes(given: number, surname: number, stem: number, industry: number): number {
    if (given >>> 16 !== 0 || surname >>> 16 !== 1 || stem >>> 16 !== 2 || industry >>> 16 !== 3) return -1;
    const [, surnameBits, stemBits, industryBits] = CANARY_PART_BITS as [number, number, number, number];
    const low = ((surname & 0xffff) * 2 ** stemBits + (stem & 0xffff)) * 2 ** industryBits + (industry & 0xffff);
    return (given & 0xffff) * 2 ** (surnameBits + stemBits + industryBits) + low;
  }
}

let builtIn: CanarySpace | undefined;

/** The canary space of this version of Lineage (its lists are part of format v1). */
export function canarySpace(): CanarySpace {
  builtIn ??= new CanarySpace([GIVEN_NAMES, SURNAMES, COMPANY_STEMS, INDUSTRIES].map((list) => list.split(' ')));
  return builtIn;
}
