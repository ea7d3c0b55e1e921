/**
 * Puts a canary (canary-space.ts in @lineage/core: "Fred Kostell of Karmora Coffee") into one
 * model response, whole or streamed, so that the response carries `canary.text` exactly once,
 * in prose, reading naturally. Two ways, in this order:
 *
 * 1. Placeholder substitution. Where prose names a stock example person ("John Doe", "Jane Doe",
 *    "John Smith", "Jane Smith", "Joe Bloggs": exact capitals, one space between the names), the
 *    first such person met becomes the canary's person. Its first non-possessive occurrence while
 *    no canary is placed yet becomes `canary.text`; every other occurrence becomes
 *    `canary.person` (a possessive always does: "Fred Kostell's", never "… Coffee's"). Other
 *    placeholders stay as written: turning "John Doe pays Jane Doe" into one person would change
 *    the meaning. A later bare given name of the chosen placeholder ("John", "John's") becomes
 *    the canary's given name, unless it follows a capitalized word after one space ("Elton
 *    John", "St. John") or precedes one ("John Lennon"); once such another "John" shows up, or
 *    another placeholder with the same given name does, bare names are left alone from there on.
 *    A name matches only as whole whitespace-delimited words: the given name may be led by `(`,
 *    `[` or `*`, the surname followed by `'s`/`’s` and then only `. , ; : ! ? ) ] *`, so
 *    "JohnDoe", "@John Doe", "John Doe.txt", "John Doe-like", "'John Doe'", "_John Doe_" and link
 *    text "[John Doe](…)" never match; a bare "John Doe" followed by a space and a capital letter
 *    ("John Doe Jr.", "John Smith Foundation") is another name and is left alone.
 *
 * 2. Aside. When the first eligible paragraph boundary comes and no canary is placed yet, one
 *    aside paragraph (canary-asides.ts, template `variant mod 8`) goes there: after the blank
 *    line(s), before the next non-blank line, as `aside + "\n\n"` ("\r\n\r\n" when the blank line
 *    ended in CRLF); the original whitespace is kept byte for byte, so deleting that inserted
 *    string gives the input back. A boundary is eligible when a blank line (only spaces, tabs
 *    and CRs before "\n") ends a paragraph whose every line is ordinary prose: outside a fence,
 *    not indented at all, not starting a heading (`#`), list item (`- `, `* `, `+ `, `1.`, `1)`),
 *    thematic break or setext underline (`---`, `***`, `___`, `=`), table row (`|`), block quote
 *    (`>`) or `<`, and whose last line ends a sentence (`.` `!` `?` `…`, possibly followed
 *    by closing quotes, brackets, `*`, `_` or backticks): so never after a line ending in `:`,
 *    after a bare title, or inside a list. With no eligible boundary the aside is appended as a
 *    last paragraph, adding only the newlines that make one blank line before it (none when the
 *    text already ends with a blank line); a text that ends inside an unclosed fence or HTML
 *    block of types 1-5, or is empty or whitespace only, gets nothing. After an aside, the
 *    chosen placeholder becomes `canary.person` (rule 1 goes on, so the response reads
 *    consistently). In the rare response with a possessive substituted and then nothing placed
 *    (no eligible boundary, and it ends in an open fence), "Fred Kostell's" stays and the result
 *    says `inserted: false`.
 *
 * Protected text is never changed, and no aside is put into it. Blocks follow CommonMark as far
 * as a line-by-line machine can: fenced code (three or more backticks or tildes at most three
 * spaces in, or right after a list marker, "- ```js"; a backtick fence's info string holds no
 * backtick; closed by a line of at least as many of the same character, at most three spaces
 * in, or three past a list item's text; a list-item fence also ends at a line indented less
 * than the item's text), HTML blocks (`<!--`, `<pre>`, `<script>`, `<style>`, `<textarea>`,
 * `<?`, `<!X`, `<![CDATA[` up to their terminator; block-level tags, and a line holding one
 * lone tag where it does not continue a paragraph, up to the next blank line), indented lines (four
 * or more leading spaces/CRs or a tab; conservative: CommonMark parses those that continue a
 * paragraph or belong to a list item as text) and block quotes (`>`). Inline: code spans (a run of n backticks up to the next
 * run of exactly n; the span goes on over lines only where CommonMark continues the paragraph:
 * not across blank lines, fences, HTML blocks, headings, thematic breaks, table rows, bullet or
 * "1." list items, or into a block quote), text after a double quote (`"`, `“`) up to the next
 * (`"`, `”`) or the line's end, and any whitespace-delimited span that is more than a name with
 * light punctuation, which covers URLs, e-mail addresses, paths and identifiers. These extend
 * the lexical scheme's definitions (text-segmenter.ts in @lineage/core), which has no notion of
 * lines and blocks, so that one is not reused. Not modelled: other list-item containers (a
 * fence opened on its own line inside an item is taken at its own indentation), lazy
 * continuation subtleties, and HTML or fences inside block quotes (those lines are protected
 * whole anyway).
 *
 * Streaming: `push` returns everything later input cannot change. What is held back: a
 * candidate name span, the span after it and one more character (spans longer than MAX_SPAN =
 * 32 are no name and stream through), measured at 11 characters for "Joe Bloggs " word by word;
 * or the start of a line, up to MAX_INDENT = 64 blank characters plus its first few characters,
 * and up to 256 characters of a line that starts a backtick fence or, after a blank line, with
 * a tag. So memory is bounded on any input, a 10 MB line included. Every decision depends only
 * on text up to a bounded look-ahead and waits for it, so the output is the same for every
 * chunking; `insertCanary` runs the same machine on the whole text. Any string is accepted,
 * lone surrogates, NUL and CRLF included; \r\n counts as a line break and is kept as it is.
 */
import { LineageInputError } from '@lineage/core';
import type { Canary } from '@lineage/core/canary';
import { canaryAside } from './canary-asides.js';

export type CanaryMethod = 'placeholder' | 'aside';

export interface CanaryInsertion {
  readonly text: string;
  /** Whether the output holds `canary.text` (once). */
  readonly inserted: boolean;
  readonly method?: CanaryMethod;
}

/** The stock example names that become the canary. */
export const CANARY_PLACEHOLDERS: readonly string[] = ['John Doe', 'Jane Doe', 'John Smith', 'Jane Smith', 'Joe Bloggs'];

/** A candidate span longer than this is no name (and streams through). */
const MAX_SPAN = 32;
/** A line start with more blank characters than this is an indented line. */
const MAX_INDENT = 64;
/** Returned by a step that needs more input before it can decide. */
const WAIT = -2;
/** Returned by the name matcher when the span is no name it changes. */
const NO_NAME = -1;

const GIVEN_SPAN = /^([([*]*)(John|Jane|Joe)$/;
const SURNAME_SPAN = /^(Doe|Smith|Bloggs)((?:['\u2019]s)?)([.,;:!?)\]*]*)$/;
const GIVEN_WORD = /^([([*]*)(John|Jane|Joe)((?:['\u2019]s)?)([.,;:!?)\]*]*)$/;
const UPPER = /\p{Lu}/u;
/**
 * HTML blocks (CommonMark 0.31 §4.6). Types 1-5 run to the end of the line holding one of their
 * terminators, past blank lines; types 6 (block-level tags) and 7 (a line holding one other
 * complete tag) run to the next blank line. Type 7 cannot interrupt a paragraph, and is looked
 * for only in lines of at most HTML_LINE characters.
 */
const HTML_RAW: readonly (readonly [RegExp, readonly string[]])[] = [
  [/^<(?:script|pre|style|textarea)(?=[\s>]|$)/i, ['</script>', '</pre>', '</style>', '</textarea>']],
  [/^<!--/, ['-->']],
  [/^<\?/, ['?>']],
  [/^<![A-Za-z]/, ['>']],
  [/^<!\[CDATA\[/, [']]>']],
];
const HTML_BLOCK_NAMES =
  'address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|' +
  'fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|legend|li|link|' +
  'main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|' +
  'title|tr|track|ul';
const HTML_BLOCK = new RegExp(`^</?(?:${HTML_BLOCK_NAMES})(?=[\\s>]|/>|$)`, 'i');
const HTML_TAG_LINE = new RegExp(
  '^(?:<[A-Za-z][A-Za-z0-9-]*(?:\\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\\s*=\\s*(?:[^"\'=<>`\\x00-\\x20]+|\'[^\']*\'|"[^"]*"))?)*\\s*/?>' +
    '|</[A-Za-z][A-Za-z0-9-]*\\s*>)\\s*$',
);
/** Characters that decide whether a line starting with "<" opens an HTML block of types 1-6. */
const HTML_HEAD = 16;
/** How much of a line starting a backtick fence is searched for a backtick in its info string. */
const FENCE_LINE = 256;
/** Longest line read for a thematic break or setext underline. */
const RULE_LINE = 256;
/** Longest line looked at whole for a type 7 HTML block. */
const HTML_LINE = 256;
/** Longest terminator, the most of a line an HTML block keeps to find one. */
const HTML_TAIL = 11;

/** JavaScript's `\s`. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Space, tab or CR: the only characters of a blank line besides its "\n". */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

function isUpper(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 0xc0 && UPPER.test(String.fromCharCode(c)));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Characters that may close a sentence after its final mark: quotes, brackets, emphasis, code. */
function isCloser(c: number): boolean {
  return c === 34 || c === 39 || c === 41 || c === 93 || c === 42 || c === 95 || c === 96 || c === 0x201d || c === 0x2019;
}

function isSentenceEnd(c: number): boolean {
  return c === 46 || c === 33 || c === 63 || c === 0x2026 || c === 0x3002 || c === 0xff01 || c === 0xff1f;
}

/** Where the whitespace-free span at i ends, looking at most MAX_SPAN + 1 characters ahead. */
function spanEnd(b: string, i: number): number {
  const limit = Math.min(b.length, i + MAX_SPAN + 1);
  let j = i;
  while (j < limit && !isSpace(b.charCodeAt(j))) j++;
  return j;
}

function givenName(name: string): string {
  return name.slice(0, name.indexOf(' '));
}

type Kind = 'none' | 'ordinary' | 'other';
/**
 * What a line starts, from its first non-blank character: paragraph text that may end an
 * eligible paragraph ('prose') or not ('text'), a list item that may interrupt a paragraph
 * ('list') or an ordered one not numbered 1, which continues a paragraph it follows
 * ('list-late'), a one-line block (ATX heading, thematic break, setext underline, table row),
 * a block quote, a fence, a type 6/7 HTML block ('block'), a type 1-5 HTML block (its
 * terminators), or a fence right after a list marker (its position).
 */
type LineType = 'prose' | 'text' | 'list' | 'list-late' | 'single' | 'quote' | 'fence' | 'block' | readonly string[] | number;
/** The previous line, for where inline code may continue (CommonMark paragraph continuation). */
type LineClass = 'blank' | 'paragraph' | 'quote' | 'single' | 'code';
type FenceState = 'open' | 'info' | 'indent' | 'run' | 'tail' | 'body';

/**
 * Incremental canary insertion for one response: `push` returns what is final so far, `end` the
 * rest; the concatenation equals `insertCanary(whole).text` for every chunking.
 */
export class CanaryInserter {
  readonly #canary: Canary;
  readonly #given: string;
  readonly #aside: string;
  #buffer = '';
  #out: string[] = [];
  #ended = false;

  // Blocks.
  #mode: 'prose' | 'line' | 'fence' | 'html' = 'prose';
  #lineStart = true;
  #lineBlank = true;
  #lineKind: Kind = 'none';
  #lineClass: LineClass = 'blank';
  #previousLine: LineClass = 'blank';
  /** A list item was seen and no unindented non-list line after a blank line since. */
  #inList = false;
  /** The line's last non-blank character, and its last one that is no closer. */
  #lastMark = 0;
  #lastWord = 0;
  #paragraph: Kind = 'none';
  #paragraphEndsSentence = false;
  /** An eligible blank line has passed and no canary is placed: the aside goes before the next line. */
  #pending = false;
  #pendingBreak = '\n';
  #fence: FenceState = 'body';
  #fenceChar = 0;
  #fenceLength = 0;
  #fenceIndent = 0;
  #fenceRun = 0;
  #fenceMaxIndent = 3;
  #fenceMinIndent = 0;
  /** In a raw HTML block: its terminators, the line's last few characters (lowercased), and whether one was seen. */
  #htmlEnds: readonly string[] = [];
  #htmlTail = '';
  #htmlDone = false;
  /** In a type 6 HTML block: every line up to a blank one is protected. */
  #htmlBlock = false;

  // Inline state.
  #ticks = 0;
  #inlineTicks = 0;
  #quoted = false;
  #inSpan = false;
  /** The line's last span: whether it starts with a capital, its length (capped) and last character. */
  #previousCapital = false;
  #previousLength = 0;
  #previousLast = 0;
  /** Whitespace characters since the line's last span (-1: no span yet), and whether all were ' '. */
  #gap = -1;
  #gapSpaces = true;

  // The canary.
  #method: CanaryMethod | undefined;
  #chosen = -1;
  #givenActive = false;

  // The output's shape, for appending.
  #anyContent = false;
  #trailingNewlines = 0;
  #endsWithNewline = false;
  #crlf = false;
  #lastChar = 0;
  #unclosedFence = false;

  constructor(canary: Canary, variant: number) {
    if (
      typeof canary !== 'object' ||
      canary === null ||
      typeof canary.text !== 'string' ||
      typeof canary.person !== 'string' ||
      !canary.person.includes(' ') ||
      !canary.text.startsWith(canary.person)
    ) {
      throw new LineageInputError('a canary needs `person` ("Given Surname") and `text` starting with it; use CanarySpace.canaryAt');
    }
    if (!Number.isSafeInteger(variant) || variant < 0) {
      throw new LineageInputError(`a canary variant is a non-negative integer (CanaryDraw.variant), got ${variant}`);
    }
    this.#canary = canary;
    this.#given = givenName(canary.person);
    this.#aside = canaryAside(canary.text, variant);
  }

  /** Whether `canary.text` is in the output; final after `end`. */
  get inserted(): boolean {
    return this.#method !== undefined;
  }

  /** How the canary was placed; final after `end`. */
  get method(): CanaryMethod | undefined {
    return this.#method;
  }

  /** Takes the next chunk; returns the output that no later chunk can change. */
  push(chunk: string): string {
    if (this.#ended) throw new LineageInputError('this CanaryInserter has ended; use a new one per response');
    if (typeof chunk !== 'string') throw new LineageInputError('a response chunk must be a string');
    this.#buffer += chunk;
    this.#run(false);
    return this.#flush();
  }

  /** Ends the response: the rest of the output, with the aside appended if nothing was placed. */
  end(): string {
    if (this.#ended) return '';
    this.#run(true);
    this.#ended = true;
    this.#buffer = '';
    if (this.#mode === 'fence') {
      this.#unclosedFence = !(this.#fence === 'tail' || (this.#fence === 'run' && this.#fenceRun >= this.#fenceLength));
    } else if (this.#mode === 'html') this.#unclosedFence = !this.#htmlDone;
    if (this.#method === undefined && this.#anyContent && !this.#unclosedFence) {
      const newline = this.#crlf ? '\r\n' : '\n';
      const needed = this.#endsWithNewline ? Math.max(0, 2 - this.#trailingNewlines) : this.#trailingNewlines > 0 ? 1 : 2;
      this.#emit(newline.repeat(needed) + this.#aside);
      this.#method = 'aside';
    }
    return this.#flush();
  }

  #flush(): string {
    const out = this.#out.length === 1 ? (this.#out[0] as string) : this.#out.join('');
    this.#out = [];
    return out;
  }

  #run(final: boolean): void {
    const b = this.#buffer;
    const n = b.length;
    let i = 0;
    while (i < n) {
      let next: number;
      if (this.#mode === 'fence') next = this.#fenceStep(b, i, final);
      else if (this.#mode === 'html') next = this.#htmlStep(b, i);
      else if (b.charCodeAt(i) === 10) {
        this.#emit('\n');
        this.#newline();
        next = i + 1;
      } else if (this.#lineStart) next = this.#lineStartStep(b, i, final);
      else if (this.#mode === 'line') next = this.#lineStep(b, i);
      else next = this.#proseStep(b, i, final);
      if (next === WAIT) break;
      i = next;
    }
    this.#buffer = i === n ? '' : b.slice(i);
  }

  /** Appends output and keeps track of how it ends (for the appended aside). */
  #emit(text: string): void {
    if (text.length === 0) return;
    this.#out.push(text);
    let k = text.length - 1;
    while (k >= 0) {
      const c = text.charCodeAt(k);
      if (c !== 10 && !isBlank(c)) break;
      k--;
    }
    let newlines = 0;
    for (let m = k + 1; m < text.length; m++) if (text.charCodeAt(m) === 10) newlines++;
    this.#trailingNewlines = k >= 0 ? newlines : this.#trailingNewlines + newlines;
    if (!this.#anyContent) {
      for (let m = 0; m <= k; m++) {
        if (!isSpace(text.charCodeAt(m))) {
          this.#anyContent = true;
          break;
        }
      }
    }
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline >= 0) this.#crlf = (lastNewline > 0 ? text.charCodeAt(lastNewline - 1) : this.#lastChar) === 13;
    this.#lastChar = text.charCodeAt(text.length - 1);
    this.#endsWithNewline = this.#lastChar === 10;
  }

  /** Emits input unchanged. */
  #take(text: string): void {
    this.#feed(text);
    this.#emit(text);
  }

  /** Inline state over input characters of one line (never "\n"): code spans, quotes, marks. */
  #feed(text: string): void {
    for (let k = 0; k < text.length; k++) this.#feedChar(text.charCodeAt(k));
  }

  #feedChar(c: number): void {
    if (c === 96) {
      this.#ticks++;
    } else if (this.#ticks > 0) {
      this.#closeTicks();
    }
    if (!isBlank(c)) {
      this.#lineBlank = false;
      this.#lastMark = c;
      if (!isCloser(c)) this.#lastWord = c;
    }
    if (c === 96 || this.#inlineTicks > 0) return;
    if (c === 34) this.#quoted = !this.#quoted;
    else if (c === 0x201c) this.#quoted = true;
    else if (c === 0x201d) this.#quoted = false;
  }

  #closeTicks(): void {
    const run = this.#ticks;
    this.#ticks = 0;
    if (run === 0) return;
    if (this.#inlineTicks === 0) this.#inlineTicks = run;
    else if (this.#inlineTicks === run) this.#inlineTicks = 0;
  }

  /** After a "\n" outside fences: paragraph bookkeeping, then a fresh line. */
  #newline(): void {
    this.#closeTicks();
    if (this.#lineBlank) {
      if (this.#paragraph === 'ordinary' && this.#paragraphEndsSentence && this.#method === undefined && !this.#pending) {
        this.#pending = true;
        this.#pendingBreak = this.#crlf ? '\r\n' : '\n';
      }
      this.#paragraph = 'none';
      this.#inlineTicks = 0;
      this.#htmlBlock = false;
    } else {
      this.#paragraph = this.#paragraph !== 'other' && this.#lineKind === 'ordinary' ? 'ordinary' : 'other';
      this.#paragraphEndsSentence = this.#lastMark !== 58 && isSentenceEnd(this.#lastWord);
    }
    this.#previousLine = this.#lineBlank ? 'blank' : this.#lineClass;
    this.#freshLine();
    if (this.#htmlBlock) {
      this.#mode = 'line';
      this.#lineStart = false;
      this.#lineKind = 'other';
      this.#lineClass = 'single';
    }
  }

  #freshLine(): void {
    this.#mode = 'prose';
    this.#lineStart = true;
    this.#lineBlank = true;
    this.#lineKind = 'none';
    this.#lastMark = 0;
    this.#lastWord = 0;
    this.#quoted = false;
    this.#inSpan = false;
    this.#previousCapital = false;
    this.#gap = -1;
  }

  /** The start of a line outside fences, up to its first non-blank character: classify it. */
  #lineStartStep(b: string, i: number, final: boolean): number {
    const n = b.length;
    let j = i;
    let tab = false;
    while (j < n && j - i <= MAX_INDENT && isBlank(b.charCodeAt(j))) {
      if (b.charCodeAt(j) === 9) tab = true;
      j++;
    }
    const overflow = j - i > MAX_INDENT;
    if (!overflow) {
      if (j === n) {
        if (!final) return WAIT;
        this.#take(b.slice(i, j));
        return j;
      }
      if (b.charCodeAt(j) === 10) {
        // A blank line: the main loop handles its "\n".
        this.#take(b.slice(i, j));
        return j;
      }
    }
    let kind: LineType | 'indented';
    if (overflow || tab || j - i >= 4) kind = 'indented';
    else {
      const k = this.#classify(b, j, final);
      if (k === WAIT) return WAIT;
      kind = k;
    }
    if (this.#pending) {
      this.#pending = false;
      this.#method = 'aside';
      this.#emit(this.#aside + this.#pendingBreak + this.#pendingBreak);
    }
    if (kind === 'list' || kind === 'list-late' || typeof kind === 'number') this.#inList = true;
    else if (j === i && this.#previousLine === 'blank') this.#inList = false;
    // A fence right after a list marker ("- ```js") belongs to the item: the marker is prose, and
    // the fence closes within three spaces of the item's text and ends with the item.
    this.#fenceMinIndent = 0;
    if (typeof kind === 'number') {
      this.#take(b.slice(i, kind));
      this.#fenceMinIndent = kind - i;
      j = kind;
      kind = 'fence';
    } else this.#take(b.slice(i, j));
    this.#lineStart = false;
    if (kind === 'fence') {
      this.#fenceMaxIndent = this.#fenceMinIndent + 3;
      this.#mode = 'fence';
      this.#fence = 'open';
      this.#fenceChar = b.charCodeAt(j);
      this.#fenceLength = 0;
      // A fence interrupts the paragraph: inline code ends, and no aside follows the block.
      this.#inlineTicks = 0;
      this.#ticks = 0;
      this.#quoted = false;
      this.#paragraph = 'other';
      return j;
    }
    if (typeof kind !== 'string' || kind === 'block') {
      // An HTML block interrupts the paragraph, like a fence.
      if (kind === 'block') {
        this.#mode = 'line';
        this.#htmlBlock = true;
      } else {
        this.#mode = 'html';
        this.#htmlEnds = kind;
        this.#htmlTail = '';
        this.#htmlDone = false;
      }
      this.#lineKind = 'other';
      this.#lineClass = 'single';
      this.#inlineTicks = 0;
      this.#ticks = 0;
      this.#quoted = false;
      this.#paragraph = 'other';
      return j;
    }
    // Inline code goes on only where CommonMark continues a paragraph; elsewhere a block starts.
    const continuing = this.#previousLine === 'paragraph' || this.#previousLine === 'quote';
    let fresh: boolean;
    if (kind === 'indented') {
      // In a list, an indented line is more of the item, not indented code.
      this.#mode = 'line';
      fresh = !continuing;
      this.#lineClass = continuing || (this.#inList && this.#previousLine !== 'code') ? 'paragraph' : 'code';
    } else if (kind === 'quote') {
      this.#mode = 'line';
      fresh = this.#previousLine !== 'quote';
      this.#lineClass = 'quote';
    } else if (kind === 'single' || kind === 'list') {
      fresh = true;
      this.#lineClass = kind === 'list' ? 'paragraph' : 'single';
    } else {
      fresh = !continuing;
      this.#lineClass = 'paragraph';
    }
    if (fresh) {
      this.#inlineTicks = 0;
      this.#ticks = 0;
    }
    this.#lineKind = kind === 'prose' && j === i ? 'ordinary' : 'other';
    return j;
  }

  /** What a line is, from its first non-blank character on (indentation under four). */
  #classify(b: string, j: number, final: boolean): LineType {
    const n = b.length;
    const c = b.charCodeAt(j);
    // How many characters after j are known; `at(k)` is -1 at the end of the text.
    const need = (k: number): boolean => j + k < n || final;
    const at = (k: number): number => (j + k < n ? b.charCodeAt(j + k) : -1);
    const endsMarker = (x: number): boolean => x === -1 || x === 10 || isBlank(x);
    switch (c) {
      case 96:
      case 126: {
        if (!need(1) || (at(1) === c && !need(2))) return WAIT;
        if (at(1) !== c || at(2) !== c) return c === 96 ? 'prose' : 'text';
        const fence = this.#opensFence(b, j, j, final);
        return fence === WAIT ? WAIT : fence === 1 ? 'fence' : 'prose';
      }
      case 62:
        return 'quote';
      case 60: {
        let head = b.slice(j, j + HTML_HEAD);
        const newline = head.indexOf('\n');
        if (newline >= 0) head = head.slice(0, newline);
        else if (head.length < HTML_HEAD && !final) return WAIT;
        for (const [start, ends] of HTML_RAW) if (start.test(head)) return ends;
        if (HTML_BLOCK.test(head)) return 'block';
        // Type 7 needs the whole line, and cannot interrupt a paragraph.
        if (this.#previousLine === 'paragraph' || this.#previousLine === 'quote' || !/^<\/?[A-Za-z]/.test(head)) return 'text';
        const window = b.slice(j, j + HTML_LINE + 1);
        const end = window.indexOf('\n');
        if (end < 0 && window.length <= HTML_LINE && !final) return WAIT;
        const line = end >= 0 ? window.slice(0, end) : window;
        return line.length <= HTML_LINE && HTML_TAG_LINE.test(line) ? 'block' : 'text';
      }
      case 35: {
        // An ATX heading: one to six "#" and a blank or the line's end; "#tag" is text.
        let k = 1;
        while (k < 7 && need(k) && at(k) === 35) k++;
        if (!need(k)) return WAIT;
        return k <= 6 && endsMarker(at(k)) ? 'single' : 'text';
      }
      case 61: {
        const rule = this.#ruleLine(b, j, final);
        return rule === WAIT ? WAIT : rule === 1 ? 'single' : 'text';
      }
      case 124:
        return 'single';
      case 43:
        if (!need(1)) return WAIT;
        return endsMarker(at(1)) ? this.#listItem(b, j, j + 1, final, 'text', 'list') : 'prose';
      case 42:
      case 45:
      case 95: {
        // "---", "* * *", "___" (thematic breaks, setext underlines), "- item", "* item"; "***Bold***" is prose.
        const rule = this.#ruleLine(b, j, final);
        if (rule === WAIT) return WAIT;
        if (rule === 1) return 'single';
        if (!need(1)) return WAIT;
        if (endsMarker(at(1))) return c === 95 ? 'text' : this.#listItem(b, j, j + 1, final, c === 45 ? 'single' : 'text', 'list');
        return 'prose';
      }
      default: {
        if (!isDigit(c)) return 'prose';
        // "1. item", "12) item"; "2024 was" is prose.
        let k = 1;
        while (k <= 9 && need(k) && isDigit(at(k))) k++;
        if (!need(k)) return WAIT;
        const d = at(k);
        if (d !== 46 && d !== 41) return 'prose';
        if (!need(k + 1)) return WAIT;
        if (!endsMarker(at(k + 1))) return 'prose';
        return this.#listItem(b, j, j + k + 1, final, 'text', Number(b.slice(j, j + k)) === 1 ? 'list' : 'list-late');
      }
    }
  }

  /**
   * Whether the line from j (starting with "=", "-", "*" or "_") is a thematic break (three or
   * more of the character, blanks between) or, after a paragraph line, a setext underline (a
   * run of "=" or "-", then blanks): 1 yes, 0 no, or WAIT. At most RULE_LINE characters are read.
   */
  #ruleLine(b: string, j: number, final: boolean): number {
    const n = b.length;
    const c = b.charCodeAt(j);
    let k = j;
    let count = 0;
    let gap = false;
    let contiguous = true;
    for (; k < n && k - j < RULE_LINE; k++) {
      const d = b.charCodeAt(k);
      if (d === c) {
        count++;
        if (gap) contiguous = false;
      } else if (isBlank(d)) gap = true;
      else break;
    }
    if (k === n && !final && k - j < RULE_LINE) return WAIT;
    if (k - j < RULE_LINE && k < n && b.charCodeAt(k) !== 10) return 0;
    if ((c === 61 || c === 45) && contiguous && this.#previousLine === 'paragraph') return 1;
    return c !== 61 && count >= 3 ? 1 : 0;
  }

  /**
   * A list item whose marker ends at m: `empty` when nothing follows the marker on its line,
   * the position of a fence right after it (1-4 spaces), or else `item`.
   */
  #listItem(b: string, j: number, m: number, final: boolean, empty: LineType, item: LineType): LineType {
    const n = b.length;
    let k = m;
    while (k < n && k - m < 5 && b.charCodeAt(k) === 32) k++;
    if (k === n && !final && k - m <= 4) return WAIT;
    const c = k < n ? b.charCodeAt(k) : -1;
    if (c === -1 || c === 10 || c === 13) return empty;
    if (k === m || k - m > 4 || (c !== 96 && c !== 126)) return item;
    if (k + 3 > n && !final && b.indexOf('\n', k) < 0) return WAIT;
    if (b.charCodeAt(k + 1) !== c || b.charCodeAt(k + 2) !== c) return item;
    const fence = this.#opensFence(b, j, k, final);
    return fence === WAIT ? WAIT : fence === 1 ? k : item;
  }

  /**
   * Whether the run of three or more fence characters at p (on the line whose first non-blank
   * character is at j) opens a fence: a backtick fence's info string holds no backtick, or else
   * the line is text with inline code (CommonMark). Only the first FENCE_LINE characters of the
   * line are looked at. 1 yes, 0 no, or WAIT.
   */
  #opensFence(b: string, j: number, p: number, final: boolean): number {
    if (b.charCodeAt(p) !== 96) return 1;
    const window = b.slice(j, j + FENCE_LINE);
    const newline = window.indexOf('\n');
    if (newline < 0 && window.length < FENCE_LINE && !final) return WAIT;
    const line = newline < 0 ? window : window.slice(0, newline);
    let r = p - j;
    while (r < line.length && line.charCodeAt(r) === 96) r++;
    return line.indexOf('`', r) < 0 ? 1 : 0;
  }

  /** A protected line (indented or quoted): raw up to its "\n", inline state still tracked. */
  #lineStep(b: string, i: number): number {
    const k = b.indexOf('\n', i);
    const end = k < 0 ? b.length : k;
    this.#take(b.slice(i, end));
    return end;
  }

  /** A raw HTML block: unchanged up to the end of the line that holds its terminator. */
  #htmlStep(b: string, i: number): number {
    const n = b.length;
    let j = i;
    for (; j < n; j++) {
      const c = b.charCodeAt(j);
      if (c === 10) break;
      if (this.#htmlDone) continue;
      this.#htmlTail = (this.#htmlTail + String.fromCharCode(c).toLowerCase()).slice(-HTML_TAIL);
      for (const end of this.#htmlEnds) if (this.#htmlTail.endsWith(end)) this.#htmlDone = true;
    }
    if (j === n) {
      this.#emit(b.slice(i, j));
      return j;
    }
    this.#emit(b.slice(i, j + 1));
    this.#htmlTail = '';
    if (this.#htmlDone) {
      this.#freshLine();
      this.#paragraph = 'other';
      this.#previousLine = 'single';
    }
    return j + 1;
  }

  /** Fenced code, raw, watching each line start for the closing fence. */
  #fenceStep(b: string, i: number, final: boolean): number {
    const n = b.length;
    for (;;) {
      const c = b.charCodeAt(i);
      switch (this.#fence) {
        case 'open':
        case 'run': {
          let j = i;
          while (j < n && b.charCodeAt(j) === this.#fenceChar) j++;
          if (this.#fence === 'open') this.#fenceLength += j - i;
          else this.#fenceRun += j - i;
          if (j < n) this.#fence = this.#fence === 'open' ? 'info' : this.#fenceRun >= this.#fenceLength ? 'tail' : 'body';
          if (j === i) continue;
          this.#emit(b.slice(i, j));
          return j;
        }
        case 'info':
        case 'body': {
          const k = b.indexOf('\n', i);
          const end = k < 0 ? n : k + 1;
          if (k >= 0) {
            this.#fence = 'indent';
            this.#fenceIndent = 0;
          }
          this.#emit(b.slice(i, end));
          return end;
        }
        case 'indent':
          if (this.#fenceMinIndent > 0 && this.#fenceIndent === 0) {
            // A fence opened on a list-marker line ends with its item, at a line indented less than the item's text.
            let k = i;
            while (k < n && k - i < this.#fenceMinIndent && b.charCodeAt(k) === 32) k++;
            if (k === n && !final && k - i < this.#fenceMinIndent) return WAIT;
            const d = k < n ? b.charCodeAt(k) : 10;
            if (k - i < this.#fenceMinIndent && d !== 10 && d !== 13 && d !== 9) {
              this.#freshLine();
              this.#paragraph = 'other';
              this.#previousLine = 'single';
              return i;
            }
          }
          if ((c === 32 || c === 13) && this.#fenceIndent < this.#fenceMaxIndent) {
            this.#fenceIndent++;
            this.#emit(b[i] as string);
            return i + 1;
          }
          if (c === this.#fenceChar) {
            this.#fence = 'run';
            this.#fenceRun = 0;
          } else this.#fence = 'body';
          continue;
        case 'tail':
          if (c === 10) {
            this.#emit('\n');
            this.#freshLine();
            this.#paragraph = 'other';
            this.#previousLine = 'single';
            return i + 1;
          }
          if (isBlank(c)) {
            this.#emit(b[i] as string);
            return i + 1;
          }
          this.#fence = 'body';
          continue;
      }
    }
  }

  /**
   * Prose inside a line: a name at i, or else plain text streamed up to the line's end, the
   * next span that may start a name, or the end of the buffer.
   */
  #proseStep(b: string, i: number, final: boolean): number {
    if (!this.#inSpan && this.#mayStartName(b.charCodeAt(i))) {
      const r = this.#name(b, i, final);
      if (r !== NO_NAME) return r;
    }
    const n = b.length;
    let j = i;
    for (; j < n; j++) {
      const c = b.charCodeAt(j);
      if (c === 10) break;
      if (isSpace(c)) {
        this.#inSpan = false;
        if (this.#gap >= 0) this.#gap++;
        if (c !== 32) this.#gapSpaces = false;
      } else if (!this.#inSpan) {
        if (j > i && this.#mayStartName(c)) break;
        this.#inSpan = true;
        this.#previousCapital = isUpper(c);
        this.#previousLength = 0;
        this.#gap = 0;
        this.#gapSpaces = true;
      }
      if (this.#inSpan) {
        if (this.#previousLength < MAX_SPAN) this.#previousLength++;
        this.#previousLast = c;
      }
      this.#feedChar(c);
    }
    this.#emit(b.slice(i, j));
    return j;
  }

  #mayStartName(c: number): boolean {
    return (c === 74 || c === 40 || c === 91 || c === 42) && this.#inlineTicks === 0 && this.#ticks === 0 && !this.#quoted;
  }

  /** A placeholder or a bare given name at i: writes it and returns where it ends, or NO_NAME / WAIT. */
  #name(b: string, i: number, final: boolean): number {
    const n = b.length;
    const e = spanEnd(b, i);
    if (e - i > MAX_SPAN) return NO_NAME;
    if (e === n && !final) return WAIT;
    const span = b.slice(i, e);
    const given = GIVEN_SPAN.exec(span);
    if (given && e < n && b.charCodeAt(e) === 32) {
      const f = e + 1;
      const e2 = spanEnd(b, f);
      if (e2 - f <= MAX_SPAN) {
        if (e2 === n && !final) return WAIT;
        const surname = SURNAME_SPAN.exec(b.slice(f, e2));
        const p = surname ? CANARY_PLACEHOLDERS.indexOf(`${given[2]} ${surname[1]}`) : -1;
        if (surname && p >= 0) {
          let goesOn = false;
          if (surname[2] === '' && surname[3] === '' && e2 < n && b.charCodeAt(e2) === 32) {
            if (e2 + 1 === n && !final) return WAIT;
            goesOn = e2 + 1 < n && isUpper(b.charCodeAt(e2 + 1));
          }
          if (!goesOn) return this.#placeholder(b, i, e2, given[1] as string, p, surname[2] as string, surname[3] as string);
        }
      }
    }
    const word = GIVEN_WORD.exec(span);
    if (!word || !this.#givenActive || word[2] !== givenName(CANARY_PLACEHOLDERS[this.#chosen] as string)) return NO_NAME;
    if (word[3] === '' && word[4] === '' && e < n && b.charCodeAt(e) === 32) {
      if (e + 1 === n && !final) return WAIT;
      if (e + 1 < n && isUpper(b.charCodeAt(e + 1))) {
        this.#givenActive = false;
        return NO_NAME;
      }
    }
    // After a capitalized word and one space ("Elton John", "St. John"), unless it ended a sentence.
    const sentenceBefore = isSentenceEnd(this.#previousLast) && this.#previousLength > 4;
    if (this.#gap === 1 && this.#gapSpaces && this.#previousCapital && !sentenceBefore) {
      this.#givenActive = false;
      return NO_NAME;
    }
    this.#feed(span);
    this.#emit(`${word[1]}${this.#given}${word[3]}${word[4]}`);
    this.#afterName(span);
    return e;
  }

  #placeholder(b: string, i: number, end: number, lead: string, p: number, possessive: string, trail: string): number {
    if (this.#chosen < 0) {
      this.#chosen = p;
      this.#givenActive = true;
    }
    if (p !== this.#chosen) {
      const chosenGiven = givenName(CANARY_PLACEHOLDERS[this.#chosen] as string);
      if (givenName(CANARY_PLACEHOLDERS[p] as string) === chosenGiven) this.#givenActive = false;
      return NO_NAME;
    }
    const full = possessive === '' && this.#method === undefined;
    if (full) this.#method = 'placeholder';
    const input = b.slice(i, end);
    this.#feed(input);
    this.#emit(`${lead}${full ? this.#canary.text : this.#canary.person}${possessive}${trail}`);
    this.#afterName(input);
    return end;
  }

  #afterName(input: string): void {
    this.#previousCapital = true;
    this.#previousLength = Math.min(MAX_SPAN, input.length - input.lastIndexOf(' ') - 1);
    this.#previousLast = input.charCodeAt(input.length - 1);
    this.#gap = 0;
    this.#gapSpaces = true;
  }
}

/** Inserts a canary into a whole response (the streaming machine run on one chunk). */
export function insertCanary(text: string, canary: Canary, variant: number): CanaryInsertion {
  const inserter = new CanaryInserter(canary, variant);
  const out = inserter.push(text) + inserter.end();
  const method = inserter.method;
  return method === undefined ? { text: out, inserted: false } : { text: out, inserted: true, method };
}

/**
 * A TransformStream<string, string> inserting a canary into one streamed response; `onEnd`
 * learns whether it was inserted (for the ledger) once the stream is flushed.
 */
export function canaryInsertStream(canary: Canary, variant: number, onEnd?: (inserted: boolean) => void): TransformStream<string, string> {
  const inserter = new CanaryInserter(canary, variant);
  return new TransformStream<string, string>({
    transform(chunk, controller) {
      const out = inserter.push(chunk);
      if (out.length > 0) controller.enqueue(out);
    },
    flush(controller) {
      const out = inserter.end();
      if (out.length > 0) controller.enqueue(out);
      onEnd?.(inserter.inserted);
    },
  });
}
