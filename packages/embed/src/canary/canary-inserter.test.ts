import { LineageInputError } from '@lineage/core';
import { type Canary, canarySpace } from '@lineage/core/canary';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANARY_ASIDE_TEMPLATES, canaryAside } from './canary-asides.js';
import { CANARY_PLACEHOLDERS, CanaryInserter, canaryInsertStream, insertCanary } from './canary-inserter.js';

const canary: Canary = { index: 0, person: 'Fred Kostell', company: 'Karmora Coffee', text: 'Fred Kostell of Karmora Coffee' };
const FULL = canary.text;
const PERSON = canary.person;
const V = 2;
const ASIDE = canaryAside(FULL, V);

const insert = (text: string, variant = V) => insertCanary(text, canary, variant);
const out = (text: string, variant = V) => insert(text, variant).text;

/** Runs the inserter over the given chunks; returns every push's output and the end's. */
function chunked(chunks: readonly string[], variant = V): { pieces: string[]; inserter: CanaryInserter } {
  const inserter = new CanaryInserter(canary, variant);
  const pieces = chunks.map((c) => inserter.push(c));
  pieces.push(inserter.end());
  return { pieces, inserter };
}

function cutAt(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let last = 0;
  for (const p of [...points, text.length]) {
    chunks.push(text.slice(last, p));
    last = p;
  }
  return chunks;
}

/** Undoes substitutions, assuming `placeholder` was the one replaced. */
function unsubstitute(text: string, placeholder: string | undefined): string {
  if (placeholder === undefined) return text;
  const given = placeholder.slice(0, placeholder.indexOf(' '));
  return text
    .replaceAll(FULL, placeholder)
    .replaceAll(PERSON, placeholder)
    .replace(/(?<![\p{L}\p{N}])Fred(?![\p{L}\p{N}])/gu, given);
}

/** The texts the output may have been before its aside went in (at a boundary, or appended). */
function withoutAside(text: string, aside: string): string[] {
  const k = text.indexOf(aside);
  if (k < 0) return [text];
  expect(text.indexOf(aside, k + 1)).toBe(-1);
  const before = text.slice(0, k);
  const after = text.slice(k + aside.length);
  if (after === '') {
    // Appended: after zero to two newlines of one style.
    const added = ['\n', '\n\n', '\r\n', '\r\n\r\n'].filter((s) => before.endsWith(s));
    return [before, ...added.map((s) => before.slice(0, -s.length))];
  }
  const sep = after.startsWith('\r\n\r\n') ? '\r\n\r\n' : '\n\n';
  expect(after.startsWith(sep)).toBe(true);
  expect(before === '' || before.endsWith('\n')).toBe(true);
  return [before + after.slice(sep.length)];
}

/** Whether some way of taking out the inserted material gives `input` back. */
function restores(input: string, output: string, aside: string): boolean {
  return withoutAside(output, aside).some((c) => [undefined, ...CANARY_PLACEHOLDERS].some((p) => unsubstitute(c, p) === input));
}

/** CommonMark HTML blocks: types 1-5 end at a terminator, type 6 at a blank line. */
const HTML_RAW: [RegExp, RegExp][] = [
  [/^<(script|pre|style|textarea)(?=(\s|>|$))/i, /<\/(script|pre|style|textarea)>/i],
  [/^<!--/, /-->/],
  [/^<\?/, /\?>/],
  [/^<![A-Za-z]/, />/],
  [/^<!\[CDATA\[/, /\]\]>/],
];
const HTML_BLOCK = new RegExp(
  '^</?(address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|' +
    'fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|legend|li|link|' +
    'main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|' +
    'title|tr|track|ul)(?=(\\s|/?>|$))',
  'i',
);
/** Type 7: a line holding one complete open or closing tag; only after a blank line here, and in lines up to 256 characters. */
const ATTRIBUTE = `\\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\\s*=\\s*(?:[^"'=<>\`\\x00-\\x20]+|'[^']*'|"[^"]*"))?`;
const HTML_TAG_LINE = new RegExp(`^(?:<[A-Za-z][A-Za-z0-9-]*(?:${ATTRIBUTE})*\\s*/?>|</[A-Za-z][A-Za-z0-9-]*\\s*>)\\s*$`);

/** A list marker line: 'list' (may interrupt a paragraph), 'list-late' (ordered, not 1), or, with nothing after the marker, 'single' ("-") or 'text'. */
function listItem(rest: string): 'list' | 'list-late' | 'single' | 'text' | undefined {
  const m = /^([-*+_]|\d{1,10}[.)])([ \t\r].*|)$/s.exec(rest);
  if (!m) return undefined;
  const marker = m[1] as string;
  if (marker === '_') return 'text';
  const after = m[2] as string;
  const c = after[Math.min(5, (/^ */.exec(after) as RegExpExecArray)[0].length)];
  if (c === undefined || c === '\r') return marker === '-' ? 'single' : 'text';
  return /^\d/.test(marker) && Number(marker.slice(0, -1)) !== 1 ? 'list-late' : 'list';
}

/** A thematic break, or after a paragraph line a setext underline (first 256 characters only). */
function ruleLine(rest: string, previous: string): boolean {
  const head = rest.slice(0, 256);
  const c = head[0] as string;
  if (!'=-*_'.includes(c) || !new RegExp(`^[${c === '-' ? '\\-' : c === '*' ? '\\*' : c} \t\r]*$`).test(head)) return false;
  const contiguous = new RegExp(`^${c === '*' ? '\\*' : c}+[ \t\r]*$`).test(head);
  if ((c === '=' || c === '-') && contiguous && previous === 'paragraph') return true;
  return c !== '=' && head.split(c).length - 1 >= 3;
}

/**
 * An independent one-shot Markdown reading of the protected regions (the module comment's
 * definitions): fenced blocks, HTML blocks, indented and block-quote lines, and inline code
 * spans (CommonMark pairing of equal backtick runs within one paragraph; a paragraph goes on
 * only over lines CommonMark would continue it with). `open`: the text ends inside a fence or
 * an HTML block of types 1-5.
 */
function protectedRanges(text: string): { ranges: [number, number][]; open: boolean } {
  const ranges: [number, number][] = [];
  let fence: { char: string; length: number; start: number; indent: number; minIndent: number } | undefined;
  let html: { end: RegExp; start: number } | undefined;
  let block = false;
  let inList = false;
  type LineClass = 'blank' | 'paragraph' | 'quote' | 'single' | 'code';
  let previous: LineClass = 'blank';
  let runs: { start: number; length: number }[] = [];
  const flush = () => {
    for (let r = 0; r < runs.length; r++) {
      const open = runs[r] as { start: number; length: number };
      const close = runs.findIndex((x, k) => k > r && x.length === open.length);
      if (close < 0) continue;
      const c = runs[close] as { start: number; length: number };
      ranges.push([open.start, c.start + c.length]);
      r = close;
    }
    runs = [];
  };
  let start = 0;
  for (const line of text.split('\n')) {
    const end = start + line.length;
    const lead = (/^[ \t\r]*/.exec(line) as RegExpExecArray)[0];
    const rest = line.slice(lead.length);
    const indented = lead.includes('\t') || lead.length >= 4;
    const blank = rest === '';
    const spaces = (/^ */.exec(line) as RegExpExecArray)[0].length;
    if (fence && spaces < fence.minIndent && ![undefined, '\t', '\r'].includes(line[spaces])) {
      // A list-marker fence ends with its item.
      ranges.push([fence.start, start]);
      fence = undefined;
      previous = 'single';
    }
    const continuing: boolean = previous === 'paragraph' || previous === 'quote';
    let current: LineClass = previous;
    if (html) {
      if (html.end.test(line)) {
        ranges.push([html.start, end]);
        html = undefined;
        current = 'single';
      }
    } else if (fence) {
      const close = new RegExp(`^[ \\r]{0,${fence.indent}}(\`+|~+)[ \\t\\r]*$`).exec(line);
      if (close?.[1]?.[0] === fence.char && close[1].length >= fence.length) {
        ranges.push([fence.start, end]);
        fence = undefined;
        current = 'single';
      }
    } else if (blank) {
      flush();
      block = false;
      current = 'blank';
    } else if (block) {
      ranges.push([start, end]);
    } else if (indented) {
      if (!continuing) flush();
      current = continuing || (inList && (previous as LineClass) !== 'code') ? 'paragraph' : 'code';
      ranges.push([start, end]);
      for (const m of line.matchAll(/`+/g)) runs.push({ start: start + (m.index as number), length: m[0].length });
    } else {
      // A fence at the line start, or right after a list marker ("- ```js"); no backtick after a backtick fence's run.
      const fenceMatch = /^((?:[-*+]|\d{1,10}[.)]) {1,4})?(`{3,}|~{3,})/.exec(rest);
      const open =
        fenceMatch && !(fenceMatch[2]?.[0] === '`' && rest.slice(0, 256).indexOf('`', fenceMatch[0].length) >= 0) ? fenceMatch : null;
      const item = listItem(rest);
      if (item === 'list' || item === 'list-late' || open?.[1]) inList = true;
      else if (lead === '' && previous === 'blank') inList = false;
      const htmlEnd = HTML_RAW.find(([begin]) => begin.test(rest))?.[1];
      const tagLine = !continuing && rest.length <= 256 && HTML_TAG_LINE.test(rest);
      if (htmlEnd) {
        flush();
        html = { end: htmlEnd, start };
        if (htmlEnd.test(line)) {
          ranges.push([start, end]);
          html = undefined;
          current = 'single';
        }
      } else if (HTML_BLOCK.test(rest) || tagLine) {
        flush();
        block = true;
        current = 'single';
        ranges.push([start, end]);
      } else if (open) {
        flush();
        const run = open[2] as string;
        const minIndent = open[1] ? lead.length + open[1].length : 0;
        fence = { char: run[0] as string, length: run.length, start, indent: minIndent + 3, minIndent };
      } else {
        const quote = rest.startsWith('>');
        const single: boolean =
          /^(#{1,6}([ \t\r]|$)|\|)/.test(rest) || ruleLine(rest, previous) || (!ruleLine(rest, previous) && item === 'single');
        const fresh = quote ? previous !== 'quote' : single || item === 'list' || !continuing;
        if (fresh) flush();
        current = quote ? 'quote' : single ? 'single' : 'paragraph';
        if (quote) ranges.push([start, end]);
        for (const m of line.matchAll(/`+/g)) runs.push({ start: start + (m.index as number), length: m[0].length });
      }
    }
    previous = current;
    start = end + 1;
  }
  const unclosed = fence ?? html;
  if (unclosed) ranges.push([unclosed.start, text.length]);
  flush();
  return { ranges, open: unclosed !== undefined };
}

function expectNoCanaryInCode(text: string): void {
  const { ranges } = protectedRanges(text);
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])Fred(?![\p{L}\p{N}])/gu)) {
    const at = m.index as number;
    const inside = ranges.find(([s, e]) => at + 4 > s && at < e);
    expect(inside, `canary at ${at} inside protected ${JSON.stringify(inside && text.slice(...inside))}`).toBeUndefined();
  }
}

describe('placeholder substitution', () => {
  it('writes the full canary once, then the person; a possessive is always the person', () => {
    expect(out("Say John Doe opens an account. John Doe's balance grows, then John Doe closes it.")).toBe(
      `Say ${FULL} opens an account. ${PERSON}'s balance grows, then ${PERSON} closes it.`,
    );
    expect(insert('Ask John Doe.').method).toBe('placeholder');
    // Possessive first: the person, and the full text at the first non-possessive occurrence.
    expect(out('John Doe\u2019s cat likes John Doe.')).toBe(`${PERSON}\u2019s cat likes ${FULL}.`);
    for (const name of CANARY_PLACEHOLDERS) expect(out(`Take ${name} as an example.`)).toBe(`Take ${FULL} as an example.`);
  });

  it('leaves other placeholders alone, and maps the bare given name only when it is safe', () => {
    expect(out('John Doe pays Jane Doe, and John thanks Jane. John\u2019s receipt says so.')).toBe(
      `${FULL} pays Jane Doe, and Fred thanks Jane. Fred\u2019s receipt says so.`,
    );
    // "Elton John" and "John Lennon" are other Johns: from there on the bare name stays.
    expect(out('John Doe met Elton John. John left.')).toBe(`${FULL} met Elton John. John left.`);
    expect(out('John Doe likes John Lennon. John sings.')).toBe(`${FULL} likes John Lennon. John sings.`);
    // A second placeholder with the same given name makes a bare "John" ambiguous.
    expect(out('John Doe and John Smith met. John waved.')).toBe(`${FULL} and John Smith met. John waved.`);
    // Before any placeholder, "John" is just a name.
    expect(out('John waved at John Doe.')).toBe(`John waved at ${FULL}.`);
  });

  it('matches whole words only, with light punctuation around them', () => {
    for (const text of [
      'JohnDoe',
      'John Doe2',
      '@John Doe',
      'John Doe.txt',
      'John Doe-like',
      "'John Doe'",
      '_John Doe_',
      '[John Doe](https://x.io)',
      'x.John Doe',
      'John  Doe',
      'John\nDoe',
      'JOHN DOE',
      'John Doe Jr.',
      'John Smith Foundation',
      'John Doe@example.org',
      '/home/John Doe/x',
    ]) {
      expect(out(text), text).toBe(`${text}\n\n${ASIDE}`);
    }
    expect(out('(John Doe), **John Doe**: [John Doe]')).toBe(`(${FULL}), **${PERSON}**: [${PERSON}]`);
    expect(out('Dear John Doe!')).toBe(`Dear ${FULL}!`);
  });

  it('never touches code, quotes, URLs, e-mail, paths, indented lines or block quotes', () => {
    const text = [
      'Text first.',
      '```',
      'user = "John Doe" # John Doe',
      '```',
      '~~~',
      'John Doe',
      '~~~',
      'Use `John Doe` or ``a ` John Doe`` here, "John Doe" and \u201cJohn Doe\u201d too.',
      '    John Doe indented',
      '\tJohn Doe tabbed',
      '> John Doe quoted',
      'https://x.io/John_Doe mail John.Doe@x.org /srv/John',
    ].join('\n');
    const got = insert(text);
    expect(got.method).toBe('aside');
    expect(got.text).toBe(`${text}\n\n${ASIDE}`);
  });

  it('treats raw HTML blocks that span blank lines (<!-- -->, <pre>, <script>, …) as protected', () => {
    expect(insert('<!-- John Doe\n\nJohn Doe. -->\nThen John Doe.').text).toBe(`<!-- John Doe\n\nJohn Doe. -->\nThen ${FULL}.`);
    expect(insert('<PRE>\nJohn Doe.\n\nMore.\n</pre>\n\nDone.\n\nEnd.').text).toBe(
      `<PRE>\nJohn Doe.\n\nMore.\n</pre>\n\nDone.\n\n${ASIDE}\n\nEnd.`,
    );
    expect(insert('Text.\n<!-- open comment')).toEqual({ text: 'Text.\n<!-- open comment', inserted: false });
    expect(insert('<pretty> John Doe').text).toBe(`<pretty> ${FULL}`);
    // A fence on a list-marker line closes at the item's indentation.
    const listed = '10. ```js\n    John Doe\n    ```\n\n```\nJohn Doe\n```\n\nJohn Doe.';
    expect(insert(listed).text).toBe(listed.replace(/John Doe\.$/, `${FULL}.`));
    // A block-level tag, or a lone tag after a blank line, protects its lines up to a blank line, fences included.
    expect(insert('Hi.\n\n<span class="a">\n```\nJohn Doe\n\n```\nJohn Doe\n```\n').text).toBe(
      `Hi.\n\n${ASIDE}\n\n<span class="a">\n\`\`\`\nJohn Doe\n\n\`\`\`\nJohn Doe\n\`\`\`\n`,
    );
    expect(insert('Hi\n<span>\n```\nJohn Doe\n```').text).toBe(`Hi\n<span>\n\`\`\`\nJohn Doe\n\`\`\`\n\n${ASIDE}`);
    expect(insert('<div>\n```\nJohn Doe\n\n````\nJohn Doe\n````\n').text).toBe(
      `<div>\n\`\`\`\nJohn Doe\n\n\`\`\`\`\nJohn Doe\n\`\`\`\`\n\n${ASIDE}`,
    );
    expect(insert('<details>\nJohn Doe\n\nJohn Doe.').text).toBe(`<details>\nJohn Doe\n\n${FULL}.`);
  });

  it('substitutes in headings, list items and table cells (they are prose)', () => {
    expect(out('# John Doe\n\n- John Doe\n| John Doe |')).toBe(`# ${FULL}\n\n- ${PERSON}\n| ${PERSON} |`);
  });
});

describe('aside', () => {
  it('goes at the first eligible boundary, before the next non-blank line, whitespace kept', () => {
    expect(out('One.\n\nTwo.\n\nThree.')).toBe(`One.\n\n${ASIDE}\n\nTwo.\n\nThree.`);
    expect(out('One.\n \t\n\n  \nTwo.')).toBe(`One.\n \t\n\n  \n${ASIDE}\n\nTwo.`);
    expect(out('One.\r\n\r\nTwo.\r\n')).toBe(`One.\r\n\r\n${ASIDE}\r\n\r\nTwo.\r\n`);
    expect(out('One line\nand its second line.\n\n    code follows')).toBe(
      `One line\nand its second line.\n\n${ASIDE}\n\n    code follows`,
    );
  });

  it('skips code, headings, lists, tables, quotes, indented text, titles and lines ending with ":"', () => {
    const skipped = [
      '# Heading',
      'Setext title\n============',
      '- item one.\n- item two.',
      '* item.',
      '1. first.\n2) second.',
      '| a | b |\n|---|---|',
      '> Quoted.',
      '    Indented code.',
      '  Indented continuation.',
      '```\nFenced.\n\nStill fenced.\n```',
      '~~~~\nFenced.\n~~~\n\nStill fenced.\n~~~~',
      'Here is how:',
      'A title with no full stop',
      '<div>Some html.</div>',
      '---',
    ];
    for (const block of skipped) {
      const text = `${block}\n\nLast paragraph.`;
      expect(out(text), block).toBe(`${text}\n\n${ASIDE}`);
    }
    // Ordinary prose may start with emphasis, inline code or a number, and end with closers.
    for (const block of ['**Bold** start.', '`npm test` runs it.', '2024 was a year.', 'He said "done."', '(See above.)', 'Wait\u2026']) {
      expect(out(`${block}\n\nNext.`), block).toBe(`${block}\n\n${ASIDE}\n\nNext.`);
    }
  });

  it('is appended when there is no eligible boundary, adding only the newlines needed', () => {
    expect(out('Hello')).toBe(`Hello\n\n${ASIDE}`);
    expect(out('Hello\n')).toBe(`Hello\n\n${ASIDE}`);
    expect(out('Hello\n\n')).toBe(`Hello\n\n${ASIDE}`);
    expect(out('Hello\n\n\n')).toBe(`Hello\n\n\n${ASIDE}`);
    expect(out('Hello\n  ')).toBe(`Hello\n  \n${ASIDE}`);
    expect(out('Hello\n\n     ')).toBe(`Hello\n\n     \n${ASIDE}`);
    expect(out('Hello\r\n')).toBe(`Hello\r\n\r\n${ASIDE}`);
    expect(out('Steps:\n\n- a\n- b')).toBe(`Steps:\n\n- a\n- b\n\n${ASIDE}`);
    expect(out('```\ncode\n```')).toBe(`\`\`\`\ncode\n\`\`\`\n\n${ASIDE}`);
    expect(out('Unclosed `code')).toBe(`Unclosed \`code\n\n${ASIDE}`);
  });

  it('is not inserted into an unclosed fence, an empty or a whitespace-only response', () => {
    for (const text of ['Text:\n\n```js\nlet a = 1;', 'Hi\n~~~', '```', '', ' ', '\n\n\t\r\n', '\u00a0\u2003']) {
      expect(insert(text), JSON.stringify(text)).toEqual({ text, inserted: false });
    }
    // An aside placed before the fence stays.
    expect(insert('One.\n\n```\nx').text).toBe(`One.\n\n${ASIDE}\n\n\`\`\`\nx`);
  });

  it('is followed by the person for later placeholders', () => {
    expect(out('Intro.\n\nThen John Doe signs up, and John logs in.')).toBe(
      `Intro.\n\n${ASIDE}\n\nThen ${PERSON} signs up, and Fred logs in.`,
    );
    // A placeholder before the boundary wins: no aside.
    expect(out('John Doe first.\n\nThen John Doe.')).toBe(`${FULL} first.\n\nThen ${PERSON}.`);
  });

  it('picks one of eight short templates by variant, each holding the canary once', () => {
    expect(CANARY_ASIDE_TEMPLATES).toHaveLength(8);
    const seen = new Set<string>();
    for (let v = 0; v < 16; v++) {
      const aside = canaryAside(FULL, v);
      expect(aside).toBe(canaryAside(FULL, v + 8));
      expect(aside.split(FULL)).toHaveLength(2);
      expect(aside.length).toBeLessThan(120);
      expect(aside).toMatch(/[.]$/);
      seen.add(aside);
      expect(insertCanary('Hi.', canary, v).text).toBe(`Hi.\n\n${aside}`);
    }
    expect(seen.size).toBe(8);
    expect(insertCanary('Hi.', canary, 0xffffffff).text).toBe(`Hi.\n\n${canaryAside(FULL, 0xffffffff % 8)}`);
    expect(canaryAside('A $& B', 0)).toContain('A $& B');
  });

  it('works with a canary from the keyed space', () => {
    const real = canarySpace().canaryAt(123_456_789);
    const got = insertCanary('Suppose John Doe buys two.\n\nJohn Doe pays.', real, 5);
    expect(got.text).toBe(`Suppose ${real.text} buys two.\n\n${real.person} pays.`);
  });
});

describe('API', () => {
  it('refuses a bad canary, a bad variant, non-string chunks and use after end', () => {
    expect(() => new CanaryInserter({ ...canary, person: 'Fred' }, 0)).toThrow(LineageInputError);
    expect(() => new CanaryInserter(canary, -1)).toThrow(/variant/);
    expect(() => new CanaryInserter(canary, 1.5)).toThrow(/variant/);
    const inserter = new CanaryInserter(canary, 0);
    expect(() => inserter.push(7 as unknown as string)).toThrow(LineageInputError);
    expect(inserter.end()).toBe('');
    expect(inserter.end()).toBe('');
    expect(() => inserter.push('x')).toThrow(/ended/);
  });

  it('streams through a TransformStream to the one-shot output and reports insertion', async () => {
    const text = 'First, John Doe asks.\n\n```\nJohn Doe\n```\nDone.';
    let reported: boolean | undefined;
    const stream = canaryInsertStream(canary, V, (inserted) => {
      reported = inserted;
    });
    const writer = stream.writable.getWriter();
    const pieces: string[] = [];
    const reading = (async () => {
      for await (const piece of stream.readable as unknown as AsyncIterable<string>) pieces.push(piece);
    })();
    for (const chunk of text.split(/(?<=\s)/)) await writer.write(chunk);
    await writer.close();
    await reading;
    expect(pieces.join('')).toBe(out(text));
    expect(reported).toBe(true);
  });
});

const names = ['John Doe', 'Jane Doe', 'John Smith', 'Jane Smith', 'Joe Bloggs', 'John', 'Jane', 'Joe', 'Doe'];
const nameArb = fc
  .tuple(
    fc.constantFrom('', '', '', '(', '[', '*', '**', '@', '_', '"', '\u201c', '`', '/', 'x.', "'", ' ', 'Elton ', 'St. '),
    fc.constantFrom(...names),
    fc.constantFrom(
      '',
      '',
      '',
      "'s",
      '\u2019s',
      '.',
      ',',
      ':',
      ')',
      ']',
      '**',
      '.txt',
      '-like',
      '@x.org',
      '_',
      '/',
      ' Jr.',
      ' Lennon',
      "'",
      '"',
    ),
  )
  .map((parts) => parts.join(''));
const piece = fc.oneof(
  { weight: 5, arbitrary: nameArb },
  {
    weight: 8,
    arbitrary: fc.constantFrom(' ', ' ', ' ', 'the', 'It works', 'Then', 'and', '.', '. ', '!', '?', ':', ', ', 'end.', '2024', '\u2026'),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom('\n', '\n', '\n\n', '\n\n', '\r\n', '\r\n\r\n', ' \n \t\n', '\n\n\n'),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '# ',
      '- ',
      '* ',
      '1. ',
      '> ',
      '    ',
      '\t',
      '  ',
      '| a |',
      '---',
      '===',
      '<div>',
      '**',
      '~',
      '<!--',
      '-->',
      '<pre>',
      '</PRE>',
      '<?php',
      '?>',
      '<!DOCTYPE',
      '<details>',
      '</div>',
      '<span a="1">',
      '</b>',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom('```', '```js\n', '\n```\n', '~~~', '\n~~~\n', '````\n', '\n````\n', '`', '``', '"', '\u201c', '\u201d'),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'https://x.io/John Doe',
      'me@x.org',
      '/usr/bin/john',
      'a.b',
      'C:\\John Doe',
      '\u0000',
      '\ud800',
      '\ud83d\ude00',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);
const markdownArb = fc.array(piece, { maxLength: 60 }).map((p) => p.join(''));
const textArb = fc.oneof({ weight: 4, arbitrary: markdownArb }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) });
const cutsArb = fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 40 });

describe('properties', () => {
  it('never throws, and streams to the one-shot output for every chunking', () => {
    fc.assert(
      fc.property(textArb, cutsArb, fc.nat(), (text, cuts, variant) => {
        const oneShot = insertCanary(text, canary, variant);
        const { pieces, inserter } = chunked(cutAt(text, cuts), variant);
        expect(pieces.join('')).toBe(oneShot.text);
        expect(inserter.inserted).toBe(oneShot.inserted);
        expect(inserter.method).toBe(oneShot.method);
        // One character at a time, too.
        expect(chunked([...text], variant).pieces.join('')).toBe(oneShot.text);
      }),
      { numRuns: 600 },
    );
  });

  it('changes nothing but the inserted material, and places the full canary exactly once when inserted', () => {
    fc.assert(
      fc.property(textArb, fc.nat(), (text, variant) => {
        const got = insertCanary(text, canary, variant);
        const aside = canaryAside(FULL, variant);
        expect(restores(text, got.text, aside), JSON.stringify({ text, out: got.text })).toBe(true);
        expect(got.text.split(FULL).length - 1).toBe(got.inserted ? 1 : 0);
        expect(got.text.includes(aside)).toBe(got.method === 'aside');
        // Only an empty or blank response, or one ending in an open fence, may get nothing.
        if (text.trim() !== '' && !protectedRanges(text).open) expect(got.inserted).toBe(true);
        if (text.trim() === '') expect(got).toEqual({ text, inserted: false });
      }),
      { numRuns: 800 },
    );
  });

  it('never writes the canary into fenced code, inline code, indented lines or block quotes', () => {
    fc.assert(
      fc.property(textArb, fc.nat(), (text, variant) => {
        expectNoCanaryInCode(insertCanary(text, canary, variant).text);
      }),
      { numRuns: 800 },
    );
  });
});

describe('streaming bounds', () => {
  const TEXT =
    'Suppose John Doe opens an account at a bank. The bank asks John Doe\u2019s employer for a reference, and John signs.\n\n' +
    'Then Jane Smith, a clerk, checks it:\n\n```python\nprint("John Doe")\n```\n\n' +
    '    indented John Doe\n\n' +
    'Finally Joe Bloggs (a friend) reads `John Doe` aloud. It is done. Everything works as expected now, mostly.\n\n' +
    'Later paragraphs follow with many more words, so the stream goes on for a while before it ends.';

  /** The input characters not yet reflected in the output, after each push of `chunks`. */
  function holdBacks(text: string, chunks: readonly string[]): number[] {
    const inserter = new CanaryInserter(canary, V);
    let pushed = 0;
    let written = '';
    const held: number[] = [];
    for (const chunk of chunks) {
      written += inserter.push(chunk);
      pushed += chunk.length;
      const undone = unsubstitute(written.replace(`${ASIDE}\n\n`, ''), 'John Doe');
      expect(text.startsWith(undone)).toBe(true);
      held.push(pushed - undone.length);
    }
    written += inserter.end();
    expect(written).toBe(out(text));
    return held;
  }

  it('holds back at most a placeholder and one character, word by word (measured: 11 characters)', () => {
    const words = TEXT.split(/(?<=\s)/);
    const held = holdBacks(TEXT, words);
    // "Joe Bloggs " waits for the next character: a capital would make it another name ("Joe Bloggs Ltd").
    expect(Math.max(...held)).toBe(11);
    expect(held.filter((h) => h === 0).length).toBeGreaterThan(words.length / 2);
    const chars = holdBacks(TEXT, [...TEXT]);
    expect(Math.max(...chars)).toBeLessThanOrEqual(11);
  });

  it('streams 10 MB lines (no spaces, all spaces, words, fenced) with bounded hold-back', () => {
    const size = 10 * 2 ** 20;
    const cases = [
      ['x', ''],
      ['x', '```\n'],
      [' ', 'Intro.\n\n'],
      ['word ', 'Intro.\n\n'],
      ['J(', ''],
      ['`', ''],
    ];
    for (const [unit, prefix] of cases as [string, string][]) {
      const line = unit.repeat(Math.ceil(size / unit.length));
      {
        const inserter = new CanaryInserter(canary, V);
        let written = inserter.push(prefix).length;
        let pushed = prefix.length;
        const step = 1 << 16;
        let worst = 0;
        for (let k = 0; k < line.length; k += step) {
          const chunk = line.slice(k, k + step);
          written += inserter.push(chunk).length;
          pushed += chunk.length;
          // Before the aside goes in, output is input; after, the aside adds its paragraph.
          const extra = inserter.inserted ? ASIDE.length + 2 : 0;
          worst = Math.max(worst, pushed - (written - extra));
        }
        expect(worst, `${JSON.stringify(unit)} after ${JSON.stringify(prefix)}`).toBeLessThanOrEqual(80);
        inserter.end();
      }
    }
    const big = `Intro.\n\n${'John Doe went home. '.repeat(1e5)}`;
    const streamed = chunked(cutAt(big, [3, 100, 5_000_000, 5_000_001])).pieces.join('');
    expect(streamed).toBe(out(big));
    expect(streamed.startsWith(`Intro.\n\n${ASIDE}\n\n${PERSON} went home. ${PERSON}`)).toBe(true);
  });
});
