import { canarySpace } from '@lineage/core/canary';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanaryWordReader, CanaryWordTable } from './canary-words.js';

const space = canarySpace();
const table = new CanaryWordTable(space);
const canary = space.canaryAt(123_456_789_012).text;
const other = space.canaryAt(9_876_543_210_987).text;
const [given, surname, , stem, industry] = canary.split(' ') as [string, string, string, string, string];

interface Reading {
  readonly codes: number[];
  readonly words: number;
}

/** Reads text pushed in the given pieces. */
function read(...chunks: string[]): Reading {
  const codes: number[] = [];
  const reader = new CanaryWordReader(table, (code) => codes.push(code));
  for (const chunk of chunks) reader.push(chunk);
  reader.end();
  return { codes, words: reader.words };
}

/** Text cut at the given offsets (any order, clamped). */
function cut(text: string, offsets: readonly number[]): string[] {
  const chunks: string[] = [];
  let at = 0;
  for (const offset of offsets.map((o) => Math.min(o, text.length)).sort((a, b) => a - b)) {
    chunks.push(text.slice(at, offset));
    at = offset;
  }
  chunks.push(text.slice(at));
  return chunks;
}

/** The codes of a canary's four list words. */
function codesOf(text: string): number[] {
  return text
    .split(' ')
    .filter((w) => w !== 'of')
    .map((w) => space.wordCode(w.toLowerCase()));
}

/** Letters in MATHEMATICAL BOLD (U+1D400...), which NFKC folds to ASCII; other characters kept. */
function mathBold(text: string): string {
  return [...text]
    .map((ch) => {
      const c = ch.charCodeAt(0);
      if (c >= 65 && c <= 90) return String.fromCodePoint(0x1d400 + c - 65);
      if (c >= 97 && c <= 122) return String.fromCodePoint(0x1d41a + c - 97);
      return ch;
    })
    .join('');
}

describe('canary word reader', () => {
  it('reads a canary as its four list words', () => {
    expect(read(`Ask ${canary} today.`).codes).toEqual([-1, ...codesOf(canary), -1]);
  });

  it('reads astral compatibility letters the same for every cut, past the carry limit (L1)', () => {
    const squaredF = '\u{1F135}'; // 🄵 SQUARED LATIN CAPITAL F, NFKC "F"
    for (const filler of ['\u3000', '\u00a0']) {
      const text = `${filler.repeat(70_000)}${mathBold(canary)} ${squaredF}${mathBold('red')}`;
      const whole = read(text);
      expect(whole.codes.slice(0, 4)).toEqual(codesOf(canary));
      expect(whole.words).toBe(6);
      for (let offset = 69_995; offset < 70_000 + 2 * canary.length + 10; offset++) {
        expect(read(text.slice(0, offset), text.slice(offset)), `cut at ${offset}`).toEqual(whole);
      }
    }
  });

  it('cuts text with no safe cut for 64K code units where NFKC cannot reach across', () => {
    // Hangul jamo (a leading consonant composes with the vowel after it, a syllable with a final
    // consonant), math-bold letters (surrogate pairs), marks and fullwidth letters, with no ASCII,
    // whitespace or CJK ideograph anywhere.
    const unit = `\u1100\u1161\u11a8\u1102\u1161${mathBold('Kos')}\u0301\u0327ＡＢ\uac00\u11a8·`;
    const text = unit.repeat(Math.ceil(150_000 / unit.length));
    const whole = read(text);
    expect(whole.words).toBeGreaterThan(1000);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: text.length }), { maxLength: 6 }), (offsets) => {
        expect(read(...cut(text, offsets))).toEqual(whole);
      }),
      { numRuns: 30 },
    );
  });

  it('reads text with no safe cut pushed one code unit at a time in linear time (L2)', () => {
    // Cyrillic letters with marks, math-bold canary words and Hangul jamo, between non-ASCII
    // punctuation: no character after which a cut is safe under the fast rule.
    const unit = `д\u0301ж\u0308${mathBold(given)}·${mathBold(surname)}«\u1100\u1161\u11a8»${mathBold(stem)}—${mathBold(industry)}\u2014`;
    const text = unit.repeat(Math.ceil(200_000 / unit.length)).slice(0, 200_000);
    const whole = read(text);
    expect(whole.words).toBeGreaterThan(10_000);
    const started = performance.now();
    const codes: number[] = [];
    const reader = new CanaryWordReader(table, (code) => codes.push(code));
    for (let i = 0; i < text.length; i++) reader.push(text[i] as string);
    reader.end();
    const seconds = (performance.now() - started) / 1000;
    expect({ codes, words: reader.words }).toEqual(whole);
    expect(seconds).toBeLessThan(1);
  });

  it('ends a hyphenated word before an uppercase letter after a lowercase one (L3)', () => {
    expect(read('to the pre-\nJohn Doe address').words).toBe(6);
    expect(read(`to the pre-\n${canary} address`).codes).toEqual([-1, -1, -1, ...codesOf(canary), -1]);
    expect(read(`to the pre-\n  ${given} ${surname} of ${stem} ${industry}`).codes.slice(3)).toEqual(codesOf(canary));
    expect(read(`to the café-\n${canary}`).codes.slice(3)).toEqual(codesOf(canary));
    // A line-break hyphenation inside a word still joins its halves, in any case.
    const [head, tail] = [surname.slice(0, 3), surname.slice(3)];
    for (const form of [
      `${given} ${head}-\n${tail} of ${stem} ${industry}`,
      `${given} ${head.toLowerCase()}-\n${tail} of ${stem} ${industry}`,
      `${given.toUpperCase()} ${head.toUpperCase()}-\n${tail.toUpperCase()} of ${stem} ${industry}`,
      `${given} ${head}-\r\n  ${tail} of ${stem} ${industry}`,
      `${given} ${head}\u2010\n${tail} of ${stem} ${industry}`,
    ]) {
      expect(read(form).codes, form).toEqual(codesOf(canary));
    }
    expect(read('pre-\njohn').words).toBe(1);
    expect(read('KOS-\nTELL').words).toBe(1);
    expect(read('ÉCOLE-\nNORMALE').words).toBe(1);
    expect(read('straße-\nJohn').words).toBe(2);
    expect(read('Kos-\ntell').words).toBe(1);
    // The same across chunks: the last letter's case is carried.
    expect(read('to the pr', 'e', '-', '\n', 'J', 'ohn Doe')).toEqual(read('to the pre-\nJohn Doe'));
    expect(read('KO', 'S-\n', 'TELL')).toEqual(read('KOS-\nTELL'));
  });

  it('emits the same codes and word count for every chunking (fast-check)', () => {
    const pieces = fc.constantFrom(
      'word',
      'The',
      ' ',
      ', ',
      '.\n',
      canary,
      other.toUpperCase(),
      given,
      surname.toLowerCase(),
      ` ${stem} ${industry}`,
      mathBold(surname),
      '-\n',
      '-',
      '\u00ad',
      '\u0301',
      '\ud835\udc05',
      '\u{1F135}',
      'ＫＯＳ',
      'ｔｅｌｌ',
      '東京',
      '\u3000',
      '\u00a0',
      '😀',
      '\ud835',
      '\udc05',
      '\u1100\u1161',
      '\u11a8',
      'é',
      '2024',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 6, arbitrary: pieces }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) }), {
          maxLength: 30,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (parts, offsets) => {
          const text = parts.join('');
          expect(read(...cut(text, offsets))).toEqual(read(text));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
