import fc from 'fast-check';
import { get_encoding } from 'tiktoken';
import cl100kJson from 'tiktoken/encoders/cl100k_base.json' with { type: 'json' };
import o200kJson from 'tiktoken/encoders/o200k_base.json' with { type: 'json' };
import { afterAll, describe, expect, it } from 'vitest';
import { TokenizerError } from './errors.js';
import { PRE_TOKENIZER_PATTERNS } from './pre-tokenizer.js';
import { createTokenizer } from './tokenizer.js';

const tokenizer = createTokenizer();
const raw = get_encoding('o200k_base');
afterAll(() => {
  tokenizer.dispose();
  raw.free();
});

// Characters that stress the pre-tokenizer: cases, marks, digits, apostrophes, every kind of space.
const tricky = fc.constantFrom(
  ...'aZ \n\r\t\u00a0\u2028\ufeff\'sStTlLdDmM\u017f\u212a1234567890.,!?/-_()[]{}"\u00e9\u0301\u4e2d\u6587\ud83d\ude00\u0000<|endoftext|>'.split(
    '',
  ),
  "'s",
  "'LL",
  '\r\n',
  '  ',
  '\ud800',
);

describe('tokenizer adapter', () => {
  it('carries the exact pre-tokenizer patterns of the tiktoken package', () => {
    expect(PRE_TOKENIZER_PATTERNS.o200k_base).toBe(o200kJson.pat_str);
    expect(PRE_TOKENIZER_PATTERNS.cl100k_base).toBe(cl100kJson.pat_str);
  });

  it('knows the ordinary vocabulary sizes', () => {
    const cl = createTokenizer({ encoding: 'cl100k_base' });
    const rawCl = get_encoding('cl100k_base');
    expect(cl.vocabSize).toBe(rawCl.token_byte_values().length);
    expect(tokenizer.vocabSize).toBe(raw.token_byte_values().length);
    rawCl.free();
    cl.dispose();
  });

  it('equals plain tiktoken on arbitrary text, batched or not (property)', () => {
    const small = createTokenizer({ maxPieceChars: 10_000 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 80 }).map((a) => a.join('')),
        (text) => {
          const want = Array.from(raw.encode_ordinary(text.toWellFormed()));
          expect(Array.from(small.encode(text))).toEqual(want);
        },
      ),
      { numRuns: 400, seed: 12 },
    );
    small.dispose();
  });

  it('cuts long texts into batches without changing a single token', () => {
    const text = Array.from({ length: 12_000 }, (_, i) => `Word${i}  and\tsome   spaces,\n\n it's ${i % 7}.`).join(' ');
    expect(text.length).toBeGreaterThan(100_000);
    expect(Array.from(tokenizer.encode(text))).toEqual(Array.from(raw.encode_ordinary(text)));
  });

  it('round-trips every string, lone surrogates becoming U+FFFD (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(tokenizer.decode(tokenizer.encode(text))).toBe(text.toWellFormed());
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('encodes special-token strings and NUL as ordinary text', () => {
    const ids = tokenizer.encode('a <|endoftext|> b\u0000c');
    expect(Array.from(ids).every((id) => id < tokenizer.vocabSize)).toBe(true);
    expect(tokenizer.decode(ids)).toBe('a <|endoftext|> b\u0000c');
  });

  it('stays fast on a pathological 10 MB single "word" and a 10 MB text', () => {
    const word = 'a'.repeat(10_000_000);
    const started = performance.now();
    const ids = tokenizer.encode(word);
    expect(tokenizer.decode(ids)).toBe(word);
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(230_000);
    expect(tokenizer.decode(tokenizer.encode(prose))).toBe(prose);
    // not a speed assertion: a guard that the quadratic path (minutes) is never taken
    expect(performance.now() - started).toBeLessThan(120_000);
  });

  it('refuses what it cannot do, with clear errors', () => {
    const tiny = createTokenizer({ maxInputChars: 10 });
    expect(() => tiny.encode('x'.repeat(11))).toThrow(/exceeds maxInputChars/);
    tiny.dispose();
    expect(() => tiny.encode('x')).toThrow(/disposed/);
    expect(() => tokenizer.decode([tokenizer.vocabSize])).toThrow(TokenizerError);
    expect(() => tokenizer.decode([-1])).toThrow(/not an ordinary/);
    expect(() => tokenizer.decode([1.5])).toThrow(/not an ordinary/);
    expect(tokenizer.decode([0, 1, 2]).length).toBeGreaterThan(0);
    // @ts-expect-error: runtime guard for JavaScript callers
    expect(() => createTokenizer({ encoding: 'gpt2' })).toThrow(/unknown encoding/);
  });
});
