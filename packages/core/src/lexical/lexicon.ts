/**
 * The lexical scheme's sets of interchangeable variants, compiled for matching. The data is
 * generated (lexicon-data.ts, by packages/testbed/scripts/build-lexicon.ts from WordNet and
 * the Brown corpus, then curated); this file checks the rules that keep marking reversible:
 * a surface form belongs to one set, no variant starts another set's longer variant, and no
 * `notBefore` word starts a variant, so the sites of a text are the same before and after any
 * swap and the detector finds exactly the sites the marker chose at.
 *
 * A set's id is a 20-bit hash of its variants, not its position, so adding or removing sets
 * in a later lexicon leaves the keyed preferences of every other set unchanged.
 */
import { LineageInputError } from '../errors.js';
import { HashFilter } from './hash-filter.js';
import { LEXICON_SETS } from './lexicon-data.js';
import { extendForm, wordHash } from './word-form.js';

export interface LexicalSetEntry {
  /** Two interchangeable surface forms: lowercase, words separated by one space, ASCII apostrophe, sorted. */
  readonly variants: readonly [string, string];
  /**
   * Next words (lowercase) before which the set is not a site ("don't you" is a question).
   * The next word is compared whole and up to its first apostrophe, so 'it' also excludes "it's".
   */
  readonly notBefore?: readonly string[];
  /** Previous words (lowercase) after which the set is not a site. */
  readonly notAfter?: readonly string[];
  /** A site only when a word follows one space away ("what it is." must not become "what it's."). */
  readonly needsNextWord?: boolean;
}

export interface LexicalSet {
  readonly index: number;
  /** Keyed inputs read `id` (below 2^20, the identity channel's digit stride). */
  readonly id: number;
  readonly variants: readonly [string, string];
  readonly notBefore: ReadonlySet<string>;
  readonly notAfter: ReadonlySet<string>;
  readonly needsNextWord: boolean;
}

export interface VariantMatch {
  readonly set: LexicalSet;
  /** Which of the set's two variants this surface form is. */
  readonly variant: 0 | 1;
}

/** Bits in each form filter: a thousand or so forms leave most bits clear. */
const FILTER_BITS = 1 << 16;

const VARIANT_PATTERN = /^[a-z]+(?:'[a-z]+)*(?: [a-z]+(?:'[a-z]+)*){0,2}$/;

/** FNV-1a over UTF-16 code units, folded to 20 bits. */
function setIdOf(variants: readonly [string, string]): number {
  let h = 0x811c9dc5;
  const text = `${variants[0]}|${variants[1]}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return ((h >>> 20) ^ h) & 0xfffff;
}

export class Lexicon {
  readonly sets: readonly LexicalSet[];
  /** The most words in any variant. */
  readonly maxWords: number;
  readonly #byForm = new Map<string, VariantMatch>();
  /** The first n words of every variant longer than n words: forms a longer match can grow from. */
  readonly #prefixes = new Set<string>();
  /** Hashes (wordHash, extendForm) of the first n words of every variant, and of every variant. */
  readonly #startFilter = new HashFilter(FILTER_BITS);
  readonly #variantFilter = new HashFilter(FILTER_BITS);

  constructor(entries: readonly LexicalSetEntry[]) {
    const sets: LexicalSet[] = [];
    const ids = new Map<number, string>();
    let maxWords = 1;
    for (const [index, entry] of entries.entries()) {
      const { variants } = entry;
      if (!Array.isArray(variants) || variants.length !== 2 || !(variants[0] < variants[1]))
        throw new LineageInputError(`lexicon set ${index} must list two different variants in sorted order`);
      const set: LexicalSet = {
        index,
        id: setIdOf(variants),
        variants,
        notBefore: new Set(entry.notBefore ?? []),
        notAfter: new Set(entry.notAfter ?? []),
        needsNextWord: entry.needsNextWord === true,
      };
      const clash = ids.get(set.id);
      if (clash !== undefined) throw new LineageInputError(`lexicon sets ${clash} and ${variants.join('/')} share an id`);
      ids.set(set.id, variants.join('/'));
      for (const [variant, form] of variants.entries()) {
        if (!VARIANT_PATTERN.test(form)) throw new LineageInputError(`lexicon variant ${JSON.stringify(form)} is malformed`);
        if (this.#byForm.has(form)) throw new LineageInputError(`lexicon variant ${JSON.stringify(form)} is in two sets`);
        this.#byForm.set(form, { set, variant: variant as 0 | 1 });
        maxWords = Math.max(maxWords, form.split(' ').length);
      }
      sets.push(set);
    }
    this.sets = sets;
    this.maxWords = maxWords;
    for (const form of this.#byForm.keys()) {
      const words = form.split(' ');
      let hash = wordHash(words[0] as string);
      this.#startFilter.add(hash);
      for (let n = 1; n < words.length; n++) {
        this.#prefixes.add(words.slice(0, n).join(' '));
        hash = extendForm(hash, words[n] as string);
        this.#startFilter.add(hash);
      }
      this.#variantFilter.add(hash);
    }
    this.#checkReversible();
  }

  /** The set and variant of a lowercase surface form (words joined by one space, ASCII apostrophe). */
  match(form: string): VariantMatch | undefined {
    return this.#byForm.get(form);
  }

  /** Whether some variant starts with this form and has more words. */
  continues(form: string): boolean {
    return this.#prefixes.has(form);
  }

  /**
   * False when no variant starts with the words of this hash (wordHash of one word, extendForm
   * for more); true means maybe: ask continues or match.
   */
  mayStartWith(hash: number): boolean {
    return this.#startFilter.mayHave(hash);
  }

  /** False when no variant has this hash (wordHash, extendForm); true means maybe: ask match. */
  mayMatch(hash: number): boolean {
    return this.#variantFilter.mayHave(hash);
  }

  #checkReversible(): void {
    // A notBefore word that starts a variant of another set must come with the starts of all
    // that set's variants (it is / it's; everybody / everyone): a swap there cannot change
    // whether this set is a site.
    const heads = new Map<string, Set<LexicalSet>>();
    for (const [form, { set }] of this.#byForm) {
      const head = headWord(form.split(' ')[0] as string);
      heads.set(head, (heads.get(head) ?? new Set()).add(set));
    }
    for (const [form, { set }] of this.#byForm) {
      const words = form.split(' ');
      for (let n = 1; n < words.length; n++) {
        const prefix = this.#byForm.get(words.slice(0, n).join(' '));
        if (prefix && prefix.set !== set)
          throw new LineageInputError(`lexicon variant ${JSON.stringify(form)} starts with another set's variant`);
      }
      for (const word of set.notBefore)
        for (const other of heads.get(word) ?? [])
          if (other.variants.some((v) => !excludedBefore(set, v.split(' ')[0] as string)))
            throw new LineageInputError(
              `lexicon notBefore of ${set.variants.join('/')} names ${JSON.stringify(word)} but not every variant of ${other.variants.join('/')}`,
            );
    }
  }
}

/** Whether `next` (a normalized word) keeps `set` from being a site: listed whole or up to its apostrophe. */
export function excludedBefore(set: LexicalSet, next: string): boolean {
  return set.notBefore.has(next) || set.notBefore.has(headWord(next));
}

/** A word up to its first apostrophe: what notBefore compares ("it's" -> "it"). */
export function headWord(word: string): string {
  const apostrophe = word.indexOf("'");
  return apostrophe < 0 ? word : word.slice(0, apostrophe);
}

let defaultLexicon: Lexicon | undefined;

/** The committed lexicon, compiled once per process. */
export function builtInLexicon(): Lexicon {
  defaultLexicon ??= new Lexicon(LEXICON_SETS);
  return defaultLexicon;
}
