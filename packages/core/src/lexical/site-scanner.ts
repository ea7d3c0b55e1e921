/**
 * Finds the sites of the lexical scheme in segmented text (text-segmenter.ts), letting a chooser
 * pick the variant at each site, and reports each site written with the other variant (all
 * other text is kept as it is). The marker chooses by key; the detector keeps what it found.
 * Shared by both, so they always agree on what a site is.
 *
 * A site is the longest variant (up to the lexicon's longest, words joined by exactly one
 * space) starting at a word, every word eligible, with a casing pattern that survives the swap
 * (lower, Capitalized or UPPER), not excluded by the set's notAfter (previous word, as written,
 * when one space away) or notBefore (next word, one space away). Each site reads the hashes of
 * the preceding `contextWords` units (a word, or a whole site as its set, so the context
 * does not depend on which variants were written) and the set's id.
 *
 * The scanner holds back only a word that may start a site, plus the few words a match needs
 * to look ahead; everything else is decided as it arrives.
 */
import { mix32 } from '../prf.js';
import { excludedBefore, type LexicalSet, type Lexicon } from './lexicon.js';
import type { SegmentSink } from './text-segmenter.js';
import { extendForm, normalizeWord, wordHash } from './word-form.js';

export { normalizeWord } from './word-form.js';

export interface LexicalSite {
  readonly set: LexicalSet;
  /** The variant found in the text. */
  readonly variant: 0 | 1;
  /** Where the site starts in the input text (UTF-16 code units, counted across every pushed chunk). */
  readonly start: number;
  /** Its length in the input. */
  readonly length: number;
  /**
   * Hashes of the `contextWords` preceding units, then the set's id: what keyed preferences
   * read and what the detector de-duplicates on. A reused buffer: copy it to keep it.
   */
  readonly tuple: Uint32Array;
}

/** Returns the variant to write at a site. */
export type SiteChooser = (site: LexicalSite) => 0 | 1;

type Casing = 'lower' | 'capital' | 'upper';

function siteHash(setId: number): number {
  return mix32(setId + 0x100000);
}

function casingOf(text: string): Casing | undefined {
  const lower = text.toLowerCase();
  if (text === lower) return 'lower';
  const upper = text.toUpperCase();
  if (text === upper && text.replace(/[^A-Z]/g, '').length >= 2) return 'upper';
  if (text[0] === upper[0] && text.slice(1) === lower.slice(1)) return 'capital';
  return undefined;
}

function render(variant: string, casing: Casing, apostrophe: string): string {
  const text = apostrophe === "'" ? variant : variant.replaceAll("'", apostrophe);
  if (casing === 'upper') return text.toUpperCase();
  if (casing === 'capital') return (text[0] as string).toUpperCase() + text.slice(1);
  return text;
}

/** The apostrophe style a unit sets: typographic if it has one, else ASCII if it has one. */
function apostropheIn(text: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2019) return '\u2019';
    if (c === 39) found = "'";
  }
  return found;
}

/** What a held segment is: raw text, a word no site may use, an eligible word, or one that may also start a site. */
const RAW = 0;
const WORD = 1;
const ELIGIBLE = 2;
const STARTS = 3;
type Kind = typeof RAW | typeof WORD | typeof ELIGIBLE | typeof STARTS;

/** Called when a site is written with the other variant: what replaces the input at `start`. */
export type SwapSink = (start: number, length: number, written: string) => void;

export class SiteScanner implements SegmentSink {
  readonly #lexicon: Lexicon;
  readonly #choose: SiteChooser;
  readonly #swap: SwapSink;
  /** Hashes of the last `contextWords` units, oldest at #ringAt (a circle: no shifting per word). */
  readonly #ring: Uint32Array;
  #ringAt = 0;
  readonly #tuple: Uint32Array;
  /** #decide's scratch: hashes of the forms from the head word. */
  readonly #formHashes: number[] = [];
  /**
   * Segments held while a word that may start a site waits for the words after it: the first
   * #held entries of two parallel arrays (no object per segment, reused). None most of the
   * time: other words and raw text are decided as they arrive.
   */
  readonly #texts: string[] = [];
  readonly #kinds: Kind[] = [];
  #held = 0;
  /** Raw text since the last word: none, exactly one space, or anything else. */
  #gap: 'none' | 'space' | 'other' = 'other';
  /** The last word written, as written (normalized only when a notAfter list asks). */
  #previousWord = '';
  #apostrophe = "'";
  /** Input decided so far, in UTF-16 code units: everything before it is final. */
  #offset = 0;

  constructor(lexicon: Lexicon, contextWords: number, choose: SiteChooser, swap: SwapSink) {
    this.#lexicon = lexicon;
    this.#choose = choose;
    this.#swap = swap;
    this.#ring = new Uint32Array(contextWords);
    this.#tuple = new Uint32Array(contextWords + 1);
  }

  /** How much of the input is decided; output up to here can no longer change. */
  get offset(): number {
    return this.#offset;
  }

  raw(text: string): void {
    if (this.#held === 0) {
      this.#raw(text);
      return;
    }
    this.#hold(text, RAW);
    // A single space after a waiting word only extends its look-ahead; it cannot decide it.
    if (text !== ' ') this.#drain(false);
  }

  word(text: string, eligible: boolean): void {
    const hash = wordHash(text);
    // A filter false positive is held and then written as a word: later, never differently.
    const kind = !eligible ? WORD : this.#lexicon.mayStartWith(hash) ? STARTS : ELIGIBLE;
    if (this.#held === 0 && kind !== STARTS) {
      this.#unit(hash, text, text);
      return;
    }
    this.#hold(text, kind);
    // A word that may start a site waits at least for the segment after it.
    if (this.#held > 1) this.#drain(false);
  }

  end(): void {
    this.#drain(true);
  }

  #hold(text: string, kind: Kind): void {
    this.#texts[this.#held] = text;
    this.#kinds[this.#held] = kind;
    this.#held++;
  }

  #drain(final: boolean): void {
    const texts = this.#texts;
    const kinds = this.#kinds;
    const held = this.#held;
    const maxWords = this.#lexicon.maxWords;
    let head = 0;
    for (;;) {
      while (head < held && kinds[head] === RAW) this.#raw(texts[head++] as string);
      if (head >= held) break;
      if (kinds[head] !== STARTS) {
        this.#word(texts[head++] as string);
        continue;
      }
      // The words that follow the head one space apart (at head + 2, head + 4, ...): a match
      // and its notBefore word need them.
      let chain = 0;
      let complete = false;
      for (let k = head + 1; k < held; k += 2) {
        if (kinds[k] !== RAW || texts[k] !== ' ' || (k + 1 < held && kinds[k + 1] === RAW)) {
          complete = true;
          break;
        }
        if (k + 1 === held) break;
        if (++chain === maxWords) {
          complete = true;
          break;
        }
      }
      const consumed = this.#decide(head, chain, complete || final);
      if (consumed === 0) break;
      head += consumed;
    }
    // Keep what still waits at the front; clear the rest so no old text stays reachable.
    for (let k = head; k < held; k++) {
      texts[k - head] = texts[k] as string;
      kinds[k - head] = kinds[k] as Kind;
    }
    for (let k = held - head; k < held; k++) texts[k] = '';
    this.#held = held - head;
  }

  #raw(text: string): void {
    this.#offset += text.length;
    this.#gap = this.#gap === 'none' && text === ' ' ? 'space' : 'other';
  }

  /**
   * Writes the held word at `head` that may start a site, or the site starting there; returns
   * the segments consumed, or 0 when the decision needs a word after the `chain` held ones and
   * more may come (`chainKnown` false). Waiting only for words the decision reads keeps the
   * hold-back short: most words that start a variant are decided by the next one.
   */
  #decide(head: number, chain: number, chainKnown: boolean): number {
    const lexicon = this.#lexicon;
    const texts = this.#texts;
    const headText = texts[head] as string;
    // Hashes of the forms of 1, 2, ... words from the head, while some variant may start so.
    const hashes = this.#formHashes;
    hashes[0] = wordHash(headText);
    let words = 1;
    while (words < lexicon.maxWords) {
      if (words - 1 === chain) {
        if (!chainKnown && lexicon.continues(this.#form(head, words))) return 0;
        break;
      }
      const at = head + 2 * words;
      if (this.#kinds[at] === WORD) break;
      hashes[words] = extendForm(hashes[words - 1] as number, texts[at] as string);
      if (!lexicon.mayStartWith(hashes[words] as number)) break;
      words++;
    }
    for (let length = words; length >= 1; length--) {
      const found = lexicon.mayMatch(hashes[length - 1] as number) ? lexicon.match(this.#form(head, length)) : undefined;
      if (!found) continue;
      const { set, variant } = found;
      if (this.#gap === 'space' && set.notAfter.has(normalizeWord(this.#previousWord))) continue;
      const readsNext = set.needsNextWord || set.notBefore.size > 0;
      if (readsNext && length > chain && !chainKnown) return 0;
      const next = length <= chain ? (texts[head + 2 * length] as string) : undefined;
      if (next !== undefined ? excludedBefore(set, normalizeWord(next)) : set.needsNextWord) continue;
      // A site of n words spans n word segments and the n - 1 single spaces between them.
      const consumed = 2 * length - 1;
      const original = consumed === 1 ? headText : texts.slice(head, head + consumed).join('');
      const casing = casingOf(original);
      if (!casing) continue;
      const chosen = this.#choose({ set, variant, tuple: this.#contextTuple(set.id), start: this.#offset, length: original.length });
      let written = original;
      if (chosen !== variant) {
        written = render(set.variants[chosen], casing, this.#apostrophe);
        this.#swap(this.#offset, original.length, written);
      }
      this.#unit(siteHash(set.id), original, written.slice(written.lastIndexOf(' ') + 1));
      return consumed;
    }
    this.#unit(hashes[0] as number, headText, headText);
    return 1;
  }

  /** The normalized form of `words` held words from `head` (one space apart). */
  #form(head: number, words: number): string {
    let form = normalizeWord(this.#texts[head] as string);
    for (let k = 1; k < words; k++) form += ` ${normalizeWord(this.#texts[head + 2 * k] as string)}`;
    return form;
  }

  #contextTuple(setId: number): Uint32Array {
    const ring = this.#ring;
    const tuple = this.#tuple;
    for (let k = 0; k < ring.length; k++) tuple[k] = ring[(this.#ringAt + k) % ring.length] as number;
    tuple[ring.length] = setId;
    return tuple;
  }

  /** A held word that is not (the start of) a site. */
  #word(text: string): void {
    this.#unit(wordHash(text), text, text);
  }

  #unit(hash: number, original: string, lastWord: string): void {
    this.#offset += original.length;
    const ring = this.#ring;
    if (ring.length > 0) {
      ring[this.#ringAt] = hash;
      this.#ringAt = this.#ringAt + 1 === ring.length ? 0 : this.#ringAt + 1;
    }
    this.#previousWord = lastWord;
    this.#gap = 'none';
    this.#apostrophe = apostropheIn(original) ?? this.#apostrophe;
  }
}
