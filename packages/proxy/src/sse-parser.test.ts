import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParseError, SseParser } from './sse-parser.js';

describe('SseParser', () => {
  it('yields the data of each event for any chunking and line ending, skipping comments and other fields', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((s) => !/[\r\n]/.test(s)),
          { minLength: 1, maxLength: 8 },
        ),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 10 }),
        (datas, eol, cuts) => {
          const text = datas.map((d) => `: comment${eol}event: message${eol}data: ${d}${eol}${eol}`).join('');
          const parser = new SseParser();
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const out: string[] = [];
          let at = 0;
          for (const point of [...points, text.length]) {
            out.push(...parser.push(text.slice(at, point)));
            at = point;
          }
          out.push(...parser.end());
          expect(out).toEqual(datas);
        },
      ),
    );
  });

  it('joins multi-line data, keeps an unterminated last event, and bounds an event', () => {
    const parser = new SseParser(64);
    expect(parser.push('data: a\ndata: b\n\ndata: [DONE]')).toEqual(['a\nb']);
    expect(parser.end()).toEqual(['[DONE]']);
    expect(() => new SseParser(64).push(`data: ${'x'.repeat(100)}`)).toThrow(SseParseError);
  });
});
