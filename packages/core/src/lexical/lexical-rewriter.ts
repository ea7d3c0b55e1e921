/**
 * Text in, text out, with a chooser deciding each lexical site: the segmenter and the site
 * scanner joined. `push` returns the text that is final so far, `end` the rest; one-shot
 * rewriting is one push and an end, so streamed and one-shot output are the same text.
 *
 * The output is the input with the swapped sites replaced, so it is cut from the input in a
 * few pieces rather than written back segment by segment.
 */
import { LineageInputError } from '../errors.js';
import { builtInLexicon, type Lexicon } from './lexicon.js';
import { type LexicalSite, type SiteChooser, SiteScanner } from './site-scanner.js';
import { TextSegmenter } from './text-segmenter.js';

export interface LexicalRewriterOptions {
  /** Preceding units each site's keyed preference reads (the key file's lexical.contextWords). */
  readonly contextWords: number;
  readonly choose: SiteChooser;
  /** Defaults to the built-in lexicon. */
  readonly lexicon?: Lexicon;
}

interface Swap {
  /** Where the site starts in the whole input. */
  readonly start: number;
  readonly length: number;
  readonly written: string;
}

export class LexicalRewriter {
  /** Input pushed but not yet returned, and where it starts in the whole input. */
  #pending = '';
  #pendingStart = 0;
  /** Sites in #pending written with the other variant, in order. */
  #swaps: Swap[] = [];
  readonly #segmenter: TextSegmenter;
  readonly #scanner: SiteScanner;
  #ended = false;

  constructor(options: LexicalRewriterOptions) {
    const { contextWords } = options;
    if (!Number.isInteger(contextWords) || contextWords < 1 || contextWords > 8)
      throw new LineageInputError(`contextWords must be an integer from 1 to 8, got ${contextWords}`);
    const swap = (start: number, length: number, written: string) => this.#swaps.push({ start, length, written });
    this.#scanner = new SiteScanner(options.lexicon ?? builtInLexicon(), contextWords, options.choose, swap);
    this.#segmenter = new TextSegmenter(this.#scanner);
  }

  /** Feeds a chunk; returns the output that no later input can change. */
  push(chunk: string): string {
    if (typeof chunk !== 'string') throw new LineageInputError(`text chunks must be strings, got ${typeof chunk}`);
    if (this.#ended) throw new LineageInputError('this rewriter has ended; start a new one per text');
    this.#pending += chunk;
    this.#segmenter.push(chunk);
    return this.#take();
  }

  /** Ends the text; returns the rest of the output. */
  end(): string {
    if (this.#ended) return '';
    this.#ended = true;
    this.#segmenter.end();
    this.#scanner.end();
    return this.#take();
  }

  /** The output for the input the scanner has decided: pending input up to there, swaps applied. */
  #take(): string {
    const pending = this.#pending;
    const base = this.#pendingStart;
    const decided = this.#scanner.offset - base;
    if (decided === 0) return '';
    let text: string;
    if (this.#swaps.length === 0) text = pending.slice(0, decided);
    else {
      const pieces: string[] = [];
      let at = 0;
      for (const { start, length, written } of this.#swaps) {
        pieces.push(pending.slice(at, start - base), written);
        at = start - base + length;
      }
      pieces.push(pending.slice(at, decided));
      text = pieces.join('');
      this.#swaps = [];
    }
    this.#pending = pending.slice(decided);
    this.#pendingStart += decided;
    return text;
  }
}

/** Rewrites a whole text at once. */
export function rewriteText(text: string, options: LexicalRewriterOptions): string {
  const rewriter = new LexicalRewriter(options);
  return rewriter.push(text) + rewriter.end();
}

/** Calls `onSite` for every site of a text, in order, without building any output. */
export function forEachLexicalSite(
  text: string,
  options: { readonly contextWords: number; readonly lexicon?: Lexicon },
  onSite: (site: LexicalSite) => void,
): void {
  if (typeof text !== 'string') throw new LineageInputError(`texts must be strings, got ${typeof text}`);
  const scanner = new SiteScanner(
    options.lexicon ?? builtInLexicon(),
    options.contextWords,
    (site) => {
      onSite(site);
      return site.variant;
    },
    () => {},
  );
  const segmenter = new TextSegmenter(scanner);
  segmenter.push(text);
  segmenter.end();
  scanner.end();
}
