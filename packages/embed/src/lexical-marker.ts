/**
 * The text-level lexical marker: at every site of the lexicon (see @lineage/core's
 * lexical/site-scanner.ts) it writes the variant the account's channel key prefers in that
 * context. Most sites carry the provider mark; identity sites (picked by the provider seed)
 * carry the account's code digit, or its campaign's mark (marking-channels.ts). Everything
 * outside the sites, including casing, punctuation and whitespace, is copied unchanged.
 */
import {
  LexicalRewriter,
  type LexicalSite,
  type Lexicon,
  type LineageKey,
  preferredVariant,
  rewriteText,
  type SiteChooser,
} from '@lineage/core';
import { type MarkedAccountOptions, MarkingChannels } from './marking-channels.js';

export interface LexicalMarkerOptions extends MarkedAccountOptions {
  readonly key: LineageKey;
  /** Defaults to the built-in lexicon; the detector must use the same one. */
  readonly lexicon?: Lexicon;
}

export class LexicalMarker {
  readonly accountId: string;
  readonly campaignId: string | undefined;
  readonly #contextWords: number;
  readonly #lexicon: Lexicon | undefined;
  readonly #choose: SiteChooser;

  constructor(options: LexicalMarkerOptions) {
    const { key } = options;
    const channels = new MarkingChannels(key, 'lexical', options);
    this.accountId = channels.accountId;
    this.campaignId = channels.campaignId;
    this.#contextWords = key.schemes.lexical.contextWords;
    this.#lexicon = options.lexicon;
    const w = this.#contextWords;
    const seed = new Uint32Array(2);
    // The seed reads the whole tuple, context units and set id: which channel and digit a site
    // carries then differs between sets after the same word, so even one-word contexts spread
    // the identity digits over many sites instead of over the few most common words.
    this.#choose = (site: LexicalSite) => {
      const offset = channels.seed(site.tuple, w + 1, seed);
      return preferredVariant(seed[0] as number, seed[1] as number, site.set.id + offset);
    };
  }

  /** Marks a whole text. */
  mark(text: string): string {
    return rewriteText(text, this.#options());
  }

  /** An incremental marker for one text: `push` returns what is final so far, `end` the rest. */
  rewriter(): LexicalRewriter {
    return new LexicalRewriter(this.#options());
  }

  /**
   * A Web Streams transform for one text: the same output as `mark` for any chunking of
   * the input, each word written as soon as the few words after it that decide a site arrive.
   */
  stream(): TransformStream<string, string> {
    const rewriter = this.rewriter();
    return new TransformStream<string, string>({
      transform(chunk, controller) {
        const out = rewriter.push(chunk);
        if (out.length > 0) controller.enqueue(out);
      },
      flush(controller) {
        const out = rewriter.end();
        if (out.length > 0) controller.enqueue(out);
      },
    });
  }

  #options() {
    return { contextWords: this.#contextWords, choose: this.#choose, ...(this.#lexicon ? { lexicon: this.#lexicon } : {}) };
  }
}

/** Marks one text for one account. */
export function markText(text: string, options: LexicalMarkerOptions): string {
  return new LexicalMarker(options).mark(text);
}

/** A TransformStream<string, string> that marks one streamed text for one account. */
export function markTextStream(options: LexicalMarkerOptions): TransformStream<string, string> {
  return new LexicalMarker(options).stream();
}
