import { LineageInputError } from '@lineage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  _longestOccurringPrefixes,
  BROWN_HELDOUT_RULE,
  type BrownDocument,
  brownDocumentTexts,
  brownParagraphs,
  brownPassages,
  brownSentences,
  brownText,
  isBrownHeldOut,
  loadBrownCorpus,
} from './brown-corpus.js';
import { detokenizeBrown } from './brown-detokenizer.js';

const documents = loadBrownCorpus();
const isWord = (token: string): boolean => /[A-Za-z0-9]/.test(token);
const inSplit = (split: BrownDocument['split']) => documents.filter((d) => d.split === split);

describe('loadBrownCorpus', () => {
  it('holds the 500 documents and 1,161,192 tokens of the Brown corpus in 15 genres', () => {
    expect(documents).toHaveLength(500);
    expect(documents[0]?.id).toBe('ca01');
    expect(documents.at(-1)?.id).toBe('cr09');
    let tokens = 0;
    for (const { paragraphs } of documents) for (const { tagged } of paragraphs) for (const { words } of tagged) tokens += words.length;
    expect(tokens).toBe(1_161_192);
    const genres = new Map(documents.map((d) => [d.id.slice(0, 2), d.category]));
    expect(genres.size).toBe(15);
    expect(genres.get('ca')).toBe('news');
    expect(genres.get('cm')).toBe('science_fiction');
    expect(genres.get('cr')).toBe('humor');
    for (const d of documents) expect(genres.get(d.id.slice(0, 2))).toBe(d.category);
  });

  it('is parsed once and cached', () => {
    expect(loadBrownCorpus()[7]).toBe(documents[7]);
  });

  it('keeps tags aligned with words and sentences equal to their detokenized words', () => {
    const ca01 = documents[0] as BrownDocument;
    const first = ca01.paragraphs[0];
    expect(first?.sentences[0]).toBe(
      `The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced "no evidence" that any irregularities took place.`,
    );
    expect(first?.tagged[0]?.words.slice(0, 4)).toEqual(['The', 'Fulton', 'County', 'Grand']);
    expect(first?.tagged[0]?.tags.slice(0, 4)).toEqual(['at', 'np-tl', 'nn-tl', 'jj-tl']);
    for (const d of documents.slice(0, 60)) {
      for (const paragraph of d.paragraphs) {
        expect(paragraph.tagged).toHaveLength(paragraph.sentences.length);
        paragraph.tagged.forEach(({ words, tags }, i) => {
          expect(tags).toHaveLength(words.length);
          expect(detokenizeBrown(words)).toBe(paragraph.sentences[i]);
        });
      }
    }
  });

  it('takes the word before the last slash', () => {
    const wanted = new Set(['1/2', 'and/or', '/']);
    for (const { paragraphs } of documents)
      for (const { tagged } of paragraphs) for (const { words } of tagged) for (const w of words) wanted.delete(w);
    expect([...wanted]).toEqual([]);
  });

  it('makes headlines paragraphs of their own, left out of the prose', () => {
    const ca01 = documents[0] as BrownDocument;
    const headings = ca01.paragraphs.filter((p) => p.heading).map((p) => p.sentences.join(' '));
    expect(headings).toContain('Merger proposed');
    expect(brownParagraphs('train')).not.toContain('Merger proposed');
    const after = ca01.paragraphs[ca01.paragraphs.findIndex((p) => p.heading) + 1];
    expect(after?.heading).toBe(false);
    expect(after?.sentences[0]).toMatch(/^However, the jury said it believes "these two offices should be combined/);
  });
});

describe('the held-out split', () => {
  it('holds out the documents the rule names, in every genre', () => {
    const heldout = inSplit('heldout').map((d) => d.id);
    expect(heldout).toHaveLength(43);
    expect(heldout).toEqual(expect.arrayContaining(['ca10', 'ca20', 'ca30', 'ca40', 'cb10', 'cj80', 'cm06', 'cr09']));
    expect(heldout).not.toContain('ca01');
    for (const id of heldout) expect(id === 'cm06' || id === 'cr09' || id.endsWith('0')).toBe(true);
    expect(BROWN_HELDOUT_RULE).toMatch(/multiple of 10/);
    expect(isBrownHeldOut(20, 44)).toBe(true);
    expect(isBrownHeldOut(21, 44)).toBe(false);
    expect(isBrownHeldOut(6, 6)).toBe(true);
    expect(isBrownHeldOut(5, 6)).toBe(false);
  });

  it('is disjoint and covers every genre on both sides', () => {
    const train = new Set(inSplit('train').map((d) => d.id));
    const heldout = new Set(inSplit('heldout').map((d) => d.id));
    expect(train.size + heldout.size).toBe(500);
    for (const id of heldout) expect(train.has(id)).toBe(false);
    expect(new Set(inSplit('train').map((d) => d.category)).size).toBe(15);
    expect(new Set(inSplit('heldout').map((d) => d.category)).size).toBe(15);
  });

  it('puts no held-out sentence of six or more words verbatim anywhere in the training text', () => {
    const train = brownText('train');
    const sentences = inSplit('heldout').flatMap((d) =>
      d.paragraphs
        .filter((p) => !p.heading)
        .flatMap((p) => p.sentences.filter((_, i) => (p.tagged[i]?.words.filter(isWord).length ?? 0) >= 6)),
    );
    expect(sentences.length).toBeGreaterThan(4000);
    const matched = _longestOccurringPrefixes(train, sentences);
    const found = sentences.filter((s, i) => matched[i] === s.length);
    expect(found).toEqual([]);
    // The index against plain substring search, on a sample.
    for (const s of sentences.filter((_, i) => i % 200 === 0)) expect(train.includes(s)).toBe(false);
  });
});

describe('brownParagraphs, brownSentences, brownText', () => {
  it('agree with the documents of each split', () => {
    for (const split of ['train', 'heldout'] as const) {
      const prose = inSplit(split).flatMap((d) => d.paragraphs.filter((p) => !p.heading));
      const paragraphs = brownParagraphs(split);
      expect(paragraphs).toEqual(prose.map((p) => p.sentences.join(' ')));
      expect(brownSentences(split)).toEqual(prose.flatMap((p) => p.sentences));
      expect(brownText(split)).toBe(paragraphs.join('\n\n'));
      for (const p of paragraphs) expect(p).toMatch(/^\S(?:.*\S)?$/);
    }
    expect(brownParagraphs('heldout').length).toBeGreaterThan(1000);
    expect(brownText('train').length).toBeGreaterThan(5_000_000);
  });

  it('returns copies callers may change', () => {
    brownSentences('heldout').length = 0;
    brownParagraphs('heldout').pop();
    expect(brownSentences('heldout').length).toBeGreaterThan(4000);
    expect(brownParagraphs('heldout')).toHaveLength(inSplit('heldout').flatMap((d) => d.paragraphs.filter((p) => !p.heading)).length);
  });

  it('cuts brownText at the last whole paragraph that fits', () => {
    const full = brownText('train');
    for (const maxChars of [1, 100, 300_000, 3_000_000]) {
      const text = brownText('train', maxChars);
      expect(text.length).toBeLessThanOrEqual(maxChars);
      expect(full.startsWith(text)).toBe(true);
      if (text.length > 200) expect(full.slice(text.length, text.length + 2)).toBe('\n\n');
      if (maxChars >= 300_000) expect(text.length).toBeGreaterThan(maxChars - 5_000);
    }
    expect(brownText('train', 0)).toBe('');
    expect(brownText('heldout', 1e9)).toBe(brownText('heldout'));
  });

  it('rejects a bad split or length', () => {
    expect(() => brownText('test' as 'train')).toThrow(LineageInputError);
    expect(() => brownSentences('dev' as 'train')).toThrow(/'train' or 'heldout'/);
    expect(() => brownText('train', -1)).toThrow(LineageInputError);
    expect(() => brownText('train', 2.5)).toThrow(/non-negative integer/);
    expect(() => brownText('train', Number.NaN)).toThrow(LineageInputError);
  });
});

describe('_longestOccurringPrefixes', () => {
  const brute = (text: string, query: string, anchor: number): number => {
    let length = query.length;
    while (length > 0 && !text.includes(query.slice(0, length))) length--;
    return length >= Math.min(anchor, query.length) ? length : 0;
  };

  it('agrees with plain substring search', () => {
    const small = fc.string({ unit: fc.constantFrom('a', 'b', ' '), maxLength: 12 });
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ' '), maxLength: 80 }),
        fc.array(small, { maxLength: 8 }),
        fc.integer({ min: 1, max: 6 }),
        (text, queries, anchor) => {
          expect(Array.from(_longestOccurringPrefixes(text, queries, anchor))).toEqual(queries.map((q) => brute(text, q, anchor)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finds real Brown sentences and their prefixes', () => {
    const train = brownText('train');
    const sentence = brownSentences('train')[1234] as string;
    const [whole, prefix] = _longestOccurringPrefixes(train, [sentence, `${sentence.slice(0, 30)}\u0000never`]);
    expect(whole).toBe(sentence.length);
    expect(prefix).toBe(30);
  });

  it('cuts each held-out document into passages of exactly N words, whitespace kept', () => {
    const documents = brownDocumentTexts('heldout');
    expect(documents).toHaveLength(43);
    const passages = brownPassages('heldout', 400);
    expect(passages.length).toBeGreaterThan(150);
    for (const p of passages) expect(p.split(/\s+/)).toHaveLength(400);
    expect(documents.some((d) => d.startsWith(passages[0] as string))).toBe(true);
    expect(() => brownPassages('heldout', 0)).toThrow(LineageInputError);
  });
});
