import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { _isProtectedSpan, _mayBeProtected } from './text-segmenter.js';

describe('protected spans', () => {
  it('only match spans with a character the span scan notes (so skipping the regex is exact)', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '/',
        '\\',
        '@',
        '<',
        '>',
        '=',
        '_',
        '{',
        '}',
        '|',
        '~',
        '^',
        '#',
        '$',
        ':',
        ']',
        '(',
        '.',
        'www',
        'a',
        'Z',
        '9',
        "'",
        '-',
        '!',
        ',',
        '"',
        '`',
        'é',
      ),
      fc.string({ unit: 'binary', maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const span = pieces.join('');
        if (_isProtectedSpan(span)) expect(_mayBeProtected(span)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    for (const span of ['http://x.io', 'me@x.org', 'a.b', 'a:b', '[a](b)', 'www.x', 'x_y', '<b>'])
      expect([_isProtectedSpan(span), _mayBeProtected(span)]).toEqual([true, true]);
    for (const span of ['word,', "don't", 'well-known', '(aside)'])
      expect([_isProtectedSpan(span), _mayBeProtected(span)]).toEqual([false, false]);
  });
});
