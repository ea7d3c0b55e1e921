/**
 * Finds the sites of the lexical scheme in segmented text (text-segmenter.ts) and writes the
 * text back, letting a chooser pick the variant at each site. The marker chooses by key; the
 * detector keeps what it found. Shared by both, so they always agree on what a site is.
 *
 * A site is the longest variant (up to the lexicon's longest, words joined by exactly one
 * space) starting at a word, every word eligible, with a casing pattern that survives the swap
 * (lower, Capitalized or UPPER), not excluded by the set's notAfter (previous word, as written,
 * when one space away) or notBefore (next word, one space away). Each site reads the hashes of
 * the preceding `contextWords` units (a word, or a whole site as its set, so the context
 * does not depend on which variants were written) and the set's id.
 *
 * The scanner holds back at most one word plus the few words a match needs to look ahead.
 */
import { mix32 } from '../prf.js';
import { excludedBefore, type LexicalSet, type Lexicon } from './lexicon.js';
import type { Segment } from './text-segmenter.js';

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

/** Lowercase with typographic apostrophes made ASCII: the form the lexicon and hashes use. */
export function normalizeWord(text: string): string {
  const lower = text.toLowerCase();
  return lower.includes('\u2019') ? lower.replaceAll('\u2019', "'") : lower;
}

/** FNV-1a of a normalized word. */
function wordHash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

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

type WordSegment = Extract<Segment, { kind: 'word' }>;

export class SiteScanner {
  readonly #lexicon: Lexicon;
  readonly #choose: SiteChooser;
  readonly #write: (text: string) => void;
  readonly #ring: Uint32Array;
  readonly #tuple: Uint32Array;
  #queue: Segment[] = [];
  #head = 0;
  /** Raw text since the last word: none, exactly one space, or anything else. */
  #gap: 'none' | 'space' | 'other' = 'other';
  #previousWord = '';
  #apostrophe = "'";
  /** Input consumed so far, in UTF-16 code units. */
  #offset = 0;

  constructor(lexicon: Lexicon, contextWords: number, choose: SiteChooser, write: (text: string) => void) {
    this.#lexicon = lexicon;
    this.#choose = choose;
    this.#write = write;
    this.#ring = new Uint32Array(contextWords);
    this.#tuple = new Uint32Array(contextWords + 1);
  }

  readonly push = (segment: Segment): void => {
    const waiting = this.#queue.length > this.#head;
    this.#queue.push(segment);
    // A single space after a waiting word only extends its look-ahead; it cannot decide it.
    if (!(waiting && segment.kind === 'raw' && segment.text === ' ')) this.#drain(false);
  };

  end(): void {
    this.#drain(true);
  }

  #drain(final: boolean): void {
    const q = this.#queue;
    const maxWords = this.#lexicon.maxWords;
    for (;;) {
      while (this.#head < q.length && (q[this.#head] as Segment).kind === 'raw') this.#raw((q[this.#head++] as Segment).text);
      if (this.#head >= q.length) break;
      // The words that follow the head one space apart: a match and its notBefore word need them.
      const chain: WordSegment[] = [];
      let gap = '';
      let complete = false;
      for (let k = this.#head + 1; k < q.length; k++) {
        const s = q[k] as Segment;
        if (s.kind === 'raw') {
          gap += s.text;
          if (gap !== ' ') {
            complete = true;
            break;
          }
        } else if (gap !== ' ') {
          complete = true;
          break;
        } else {
          chain.push(s);
          gap = '';
          if (chain.length === maxWords) {
            complete = true;
            break;
          }
        }
      }
      if (!complete && !final) break;
      this.#head += this.#decide(q[this.#head] as WordSegment, chain);
    }
    if (this.#head > 0) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
  }

  #raw(text: string): void {
    this.#offset += text.length;
    this.#write(text);
    this.#gap = this.#gap === 'none' && text === ' ' ? 'space' : 'other';
  }

  /** Writes the head word, or the site starting there; returns the segments consumed. */
  #decide(head: WordSegment, chain: readonly WordSegment[]): number {
    const lexicon = this.#lexicon;
    const first = normalizeWord(head.text);
    // Most words start no variant: skip building the longer candidate forms for them.
    if (head.eligible && lexicon.startsVariant(first)) {
      const forms = [first];
      for (let k = 0; k < chain.length && forms.length < lexicon.maxWords; k++) {
        const word = chain[k] as WordSegment;
        if (!word.eligible) break;
        forms.push(`${forms[k] as string} ${normalizeWord(word.text)}`);
      }
      for (let length = forms.length; length >= 1; length--) {
        const found = lexicon.match(forms[length - 1] as string);
        if (!found) continue;
        const { set, variant } = found;
        if (this.#gap === 'space' && set.notAfter.has(this.#previousWord)) continue;
        const next = chain[length - 1];
        if (next ? excludedBefore(set, normalizeWord(next.text)) : set.needsNextWord) continue;
        let original = head.text;
        for (let k = 0; k < length - 1; k++) original += ` ${(chain[k] as WordSegment).text}`;
        const casing = casingOf(original);
        if (!casing) continue;
        this.#tuple.set(this.#ring);
        this.#tuple[this.#ring.length] = set.id;
        const chosen = this.#choose({ set, variant, tuple: this.#tuple, start: this.#offset, length: original.length });
        const written = chosen === variant ? original : render(set.variants[chosen], casing, this.#apostrophe);
        const last = written.lastIndexOf(' ');
        this.#unit(siteHash(set.id), written, original, last < 0 ? normalizeWord(written) : normalizeWord(written.slice(last + 1)));
        // A site of n words spans n word segments and the n - 1 single spaces between them.
        return 2 * length - 1;
      }
    }
    this.#unit(wordHash(first), head.text, head.text, first);
    return 1;
  }

  #unit(hash: number, written: string, original: string, lastWord: string): void {
    this.#offset += original.length;
    this.#write(written);
    const ring = this.#ring;
    if (ring.length > 0) {
      ring.copyWithin(0, 1);
      ring[ring.length - 1] = hash;
    }
    this.#previousWord = lastWord;
    this.#gap = 'none';
    if (original.includes('\u2019')) this.#apostrophe = '\u2019';
    else if (original.includes("'")) this.#apostrophe = "'";
  }
}
