import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineageInputError } from '../errors.js';
import { forEachLexicalSite, LexicalRewriter, rewriteText } from './lexical-rewriter.js';
import { builtInLexicon, Lexicon } from './lexicon.js';
import type { LexicalSite, SiteChooser } from './site-scanner.js';

const W = 3;
/** A deterministic stand-in for a keyed chooser: flips the variant at sites whose tuple hashes odd. */
const flipSome: SiteChooser = (site) => {
  let h = 0;
  for (const x of site.tuple) h = (Math.imul(h, 31) + x) | 0;
  return ((h & 1) === 0 ? site.variant : 1 - site.variant) as 0 | 1;
};
const flipAll: SiteChooser = (site) => (1 - site.variant) as 0 | 1;

function rewriteWithLog(text: string, choose: SiteChooser): { out: string; sites: { site: LexicalSite; chosen: 0 | 1 }[] } {
  const sites: { site: LexicalSite; chosen: 0 | 1 }[] = [];
  const out = rewriteText(text, {
    contextWords: W,
    choose: (site) => {
      const chosen = choose(site);
      sites.push({ site: { ...site, tuple: site.tuple.slice() }, chosen });
      return chosen;
    },
  });
  return { out, sites };
}

/** The output equals the input outside the sites; at each site it spells the chosen variant. */
function expectOnlySitesChanged(input: string, out: string, sites: readonly { site: LexicalSite; chosen: 0 | 1 }[]): void {
  let inPos = 0;
  let outPos = 0;
  for (const { site, chosen } of sites) {
    const between = input.slice(inPos, site.start);
    expect(out.slice(outPos, outPos + between.length)).toBe(between);
    outPos += between.length;
    const want = site.set.variants[chosen];
    const length = chosen === site.variant ? site.length : want.length;
    const written = out.slice(outPos, outPos + length);
    expect(written.toLowerCase().replaceAll('\u2019', "'")).toBe(want);
    if (chosen === site.variant) expect(written).toBe(input.slice(site.start, site.start + site.length));
    outPos += length;
    inPos = site.start + site.length;
  }
  expect(out.slice(outPos)).toBe(input.slice(inPos));
}

const forms = builtInLexicon().sets.flatMap((s) => s.variants);
const casings = (f: string) => [f, f.toUpperCase(), f[0]?.toUpperCase() + f.slice(1), f.replaceAll("'", '\u2019')];
const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...forms).chain((f) => fc.constantFrom(...casings(f))) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      ' ',
      ' ',
      ' ',
      '  ',
      '\n',
      '\n\n',
      '\t',
      ', ',
      '. ',
      '"',
      '\u201c',
      '\u201d',
      '`',
      '```',
      '    ',
      '> ',
      "'",
      '-',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('the', 'you', 'not', 'been', 'http://x.io/a', 'me@x.org', '42', 'well-known', '**', '#', '[a](b)'),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);
const textArb = fc.array(piece, { maxLength: 60 }).map((p) => p.join(''));

describe('lexical rewriting', () => {
  it('changes nothing when every site keeps its variant, and only the sites otherwise', () => {
    fc.assert(
      fc.property(textArb, fc.boolean(), (text, all) => {
        expect(rewriteText(text, { contextWords: W, choose: (s) => s.variant })).toBe(text);
        const { out, sites } = rewriteWithLog(text, all ? flipAll : flipSome);
        expectOnlySitesChanged(text, out, sites);
      }),
      { numRuns: 400 },
    );
  });

  it('streams byte-identically to one-shot rewriting for every chunking', () => {
    fc.assert(
      fc.property(textArb, fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 30 }), (text, cuts) => {
        const oneShot = rewriteText(text, { contextWords: W, choose: flipSome });
        const rewriter = new LexicalRewriter({ contextWords: W, choose: flipSome });
        const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
        let out = '';
        let last = 0;
        for (const p of [...points, text.length]) {
          out += rewriter.push(text.slice(last, p));
          last = p;
        }
        out += rewriter.end();
        expect(out).toBe(oneShot);
      }),
      { numRuns: 400 },
    );
  });

  it('finds the same sites in its own output (so the detector sees what the marker chose)', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const { out, sites } = rewriteWithLog(text, flipSome);
        const again: LexicalSite[] = [];
        forEachLexicalSite(out, { contextWords: W }, (s) => again.push({ ...s, tuple: s.tuple.slice() }));
        expect(again.map((s) => [s.set.id, s.variant, [...s.tuple]])).toEqual(
          sites.map((s) => [s.site.set.id, s.chosen, [...s.site.tuple]]),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('keeps casing and the apostrophe style', () => {
    const out = rewriteText('It is here. IT IS here. it is here. Don\u2019t go; it is here. It is.', { contextWords: W, choose: flipAll });
    // The last one ends a clause: "It's." is not English, so that set is no site there.
    expect(out).toBe("It's here. IT'S here. it's here. Do not go; it\u2019s here. It is.");
  });

  it('never touches code, URLs, e-mail, quotes, numbers, indented code or block quotes', () => {
    const protectedText = [
      '```\nit is big\n```',
      '`it is` and ``it is``',
      'http://example.com/it-is-big www.it.is e-mail it.is@big.org',
      '"it is big" \u201cit is big\u201d',
      '\n    it is indented\n> it is quoted\n',
      'it-is big-time 3big',
    ].join('\n');
    const sites: LexicalSite[] = [];
    forEachLexicalSite(protectedText, { contextWords: W }, (s) => sites.push(s));
    expect(sites).toEqual([]);
    expect(rewriteText(protectedText, { contextWords: W, choose: flipAll })).toBe(protectedText);
  });

  it('does not swap in a question ("don\'t you") nor across punctuation or line breaks', () => {
    for (const text of ["Don't you see?", 'it\nis', 'it, is', 'it  is'])
      expect(rewriteText(text, { contextWords: W, choose: flipAll })).toBe(text);
  });

  it('streams a 10 MB line with no whitespace in bounded pieces', () => {
    const rewriter = new LexicalRewriter({ contextWords: W, choose: flipAll });
    const chunk = 'x'.repeat(1 << 16);
    let written = 0;
    for (let i = 0; i < 160; i++) written += rewriter.push(chunk).length;
    expect(written).toBeGreaterThan(160 * chunk.length - 300);
    expect(written + rewriter.end().length).toBe(160 * chunk.length);
  });

  it('keeps a long whitespace-free line of backticks and fences whole, one-shot and streamed', () => {
    for (const text of [`${'`'.repeat(300)}it`, '```x'.repeat(20_000), `${'a`'.repeat(5_000)} it is`]) {
      const oneShot = rewriteText(text, { contextWords: W, choose: flipSome });
      if (!text.includes(' ')) expect(oneShot).toBe(text);
      const rewriter = new LexicalRewriter({ contextWords: W, choose: flipSome });
      let streamed = '';
      for (let i = 0; i < text.length; i += 4_093) streamed += rewriter.push(text.slice(i, i + 4_093));
      expect(streamed + rewriter.end()).toBe(oneShot);
    }
  });

  it('never ends an output chunk inside a surrogate pair when the input chunks are whole characters', () => {
    const piece = fc.constantFrom('\u{1F600}', 'é', 'a', 'it is', ' ', '\n', '```', '`', '"', 'x'.repeat(120));
    fc.assert(
      fc.property(fc.array(fc.array(piece, { maxLength: 12 }), { maxLength: 12 }), (chunks) => {
        const rewriter = new LexicalRewriter({ contextWords: W, choose: flipAll });
        const outputs = [...chunks.map((c) => rewriter.push(c.join(''))), rewriter.end()];
        for (const out of outputs) {
          const last = out.charCodeAt(out.length - 1);
          expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
        }
        expect(outputs.join('')).toBe(rewriteText(chunks.flat().join(''), { contextWords: W, choose: flipAll }));
      }),
      { numRuns: 300 },
    );
    const rewriter = new LexicalRewriter({ contextWords: W, choose: flipAll });
    expect(rewriter.push('```\n\u{1F600}a')).toBe('```\n');
    expect(new LexicalRewriter({ contextWords: W, choose: flipAll }).push(`${'x'.repeat(300)}\u{1F600}a`)).toBe('x'.repeat(300));
  });

  it('refuses non-string chunks and use after end, with clear errors', () => {
    const rewriter = new LexicalRewriter({ contextWords: W, choose: flipAll });
    expect(() => rewriter.push(42 as unknown as string)).toThrow(LineageInputError);
    rewriter.end();
    expect(() => rewriter.push('x')).toThrow(/ended/);
    expect(() => new LexicalRewriter({ contextWords: 0, choose: flipAll })).toThrow(/contextWords/);
  });
});

describe('lexicon checks', () => {
  it('refuses a form in two sets, a variant that starts another set, and unsafe notBefore words', () => {
    expect(() => new Lexicon([{ variants: ['big', 'large'] }, { variants: ['big', 'huge'] }])).toThrow(/two sets/);
    expect(() => new Lexicon([{ variants: ['big', 'large'] }, { variants: ['big deal', 'matter'] }])).toThrow(/starts with/);
    expect(() => new Lexicon([{ variants: ['do not', "don't"] }, { variants: ['big', 'large'], notBefore: ['do'] }])).toThrow(/notBefore/);
    expect(() => new Lexicon([{ variants: ['do not', "don't"] }, { variants: ['big', 'large'], notBefore: ['do', 'don'] }])).not.toThrow();
    expect(() => new Lexicon([{ variants: ['large', 'big'] }])).toThrow(/sorted/);
    expect(() => new Lexicon([{ variants: ['Big', 'large'] }])).toThrow(/malformed/);
  });

  it('gives every built-in set a distinct 20-bit id', () => {
    const ids = builtInLexicon().sets.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.max(...ids)).toBeLessThan(2 ** 20);
  });
});
