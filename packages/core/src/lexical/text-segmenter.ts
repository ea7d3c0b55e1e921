/**
 * Splits streamed text into words the lexical scheme may look at and raw text it must keep
 * byte for byte. Incremental: `push` takes any chunk and emits only what later input cannot
 * change, so the segments of a text are the same for every chunking of it; `end` flushes.
 *
 * Never a word (raw): fenced code (``` … ```), inline code (` … `, closed by a blank line at the
 * latest), lines indented by four spaces or a tab, block quotes ("> …"), and any
 * whitespace-delimited span that looks like a URL, e-mail address, path, identifier or markup
 * (see PROTECTED_SPAN). Words inside double quotes count as context but are never sites.
 * Words with digits or hyphens, or letters outside A-Z, are never sites either.
 *
 * Memory is bounded: a run of text without whitespace longer than MAX_SPAN is raw and
 * streams through (no prose word is that long), as do fenced code and protected lines.
 */

export type Segment =
  | { readonly kind: 'raw'; readonly text: string }
  | { readonly kind: 'word'; readonly text: string; readonly eligible: boolean };

export type SegmentSink = (segment: Segment) => void;

const MAX_SPAN = 256;
const MAX_WORD = 40;
const FENCE = '```';
const PROTECTED_SPAN = /[/\\@<>=_{}|~^#$]|:\/\/|\]\(|[A-Za-z][.:][A-Za-z]|^www\./;
const WORD_CHAR = /[\p{L}\p{M}\p{N}]/uy;

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0x3000;
}

/** Where the word character at `i` ends (i + 1 or i + 2 for an astral letter), or i if there is none. */
function wordCharEnd(text: string, i: number): number {
  if (i >= text.length) return i;
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 39 || c === 45 ? i + 1 : i;
  if (c === 0x2019) return i + 1;
  WORD_CHAR.lastIndex = i;
  return WORD_CHAR.test(text) ? WORD_CHAR.lastIndex : i;
}

function isEdgeMark(c: number): boolean {
  return c === 39 || c === 0x2019 || c === 45;
}

/** A-Z letters with single inner apostrophes, at most MAX_WORD long: the only words a site can use. */
function isEligibleWord(word: string): boolean {
  if (word.length > MAX_WORD) return false;
  for (let k = 0; k < word.length; k++) {
    const c = word.charCodeAt(k);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) continue;
    // Edges are trimmed already, so an apostrophe here has a character on each side.
    if ((c === 39 || c === 0x2019) && !isEdgeMark(word.charCodeAt(k + 1))) continue;
    return false;
  }
  return true;
}

export class TextSegmenter {
  #buffer = '';
  #mode: 'prose' | 'fence' | 'line' = 'prose';
  #lineStart = true;
  #inlineCode = false;
  #quoted = false;
  #longSpan = false;
  /** Newlines since the last non-space character: two end an unclosed inline code span. */
  #newlines = 0;
  readonly #sink: SegmentSink;

  constructor(sink: SegmentSink) {
    this.#sink = sink;
  }

  push(text: string): void {
    this.#buffer += text;
    this.#run(false);
  }

  end(): void {
    this.#run(true);
    this.#buffer = '';
  }

  #raw(text: string): void {
    if (text.length > 0) this.#sink({ kind: 'raw', text });
  }

  #run(final: boolean): void {
    const b = this.#buffer;
    const n = b.length;
    let i = 0;
    while (i < n) {
      if (this.#mode === 'fence') {
        const close = b.indexOf(FENCE, i);
        if (close >= 0) {
          this.#raw(b.slice(i, close + 3));
          i = close + 3;
          this.#mode = 'prose';
          continue;
        }
        // Hold two characters back: a closing fence may straddle two chunks.
        const keep = final ? n : Math.max(i, n - 2);
        this.#raw(b.slice(i, keep));
        i = keep;
        break;
      }
      if (this.#mode === 'line') {
        const newline = b.indexOf('\n', i);
        const stop = newline < 0 ? n : newline + 1;
        this.#raw(b.slice(i, stop));
        this.#newlines = 0;
        i = stop;
        if (newline >= 0) this.#newLine();
        continue;
      }
      if (this.#lineStart) {
        let j = i;
        while (j < n && j - i < 4 && b.charCodeAt(j) === 32) j++;
        if (j === n && !final) break;
        this.#lineStart = false;
        if (j - i === 4 || b[j] === '\t' || b[j] === '>') {
          this.#mode = 'line';
          continue;
        }
      }
      let j = i;
      if (isSpace(b.charCodeAt(i))) {
        while (j < n && isSpace(b.charCodeAt(j))) j++;
        // Wait for the whole run: "do not" is a phrase only with exactly one space.
        if (j === n && !final && j - i <= MAX_SPAN) break;
        const run = b.slice(i, j);
        const lastNewline = run.lastIndexOf('\n');
        if (lastNewline < 0) {
          this.#raw(run);
          i = j;
          continue;
        }
        for (let k = 0; k <= lastNewline; k++) if (run[k] === '\n' && ++this.#newlines >= 2) this.#inlineCode = false;
        this.#raw(run.slice(0, lastNewline + 1));
        i += lastNewline + 1;
        this.#newLine();
        continue;
      }
      while (j < n && !isSpace(b.charCodeAt(j))) j++;
      this.#newlines = 0;
      if (this.#longSpan || j - i > MAX_SPAN) {
        i = this.#longRun(b, i, j, final);
        if (i < j) break;
        continue;
      }
      if (j === n && !final) break;
      const span = b.slice(i, j);
      // Search the span only: a search to the end of the buffer per word is quadratic.
      const fence = this.#inlineCode ? -1 : span.indexOf(FENCE);
      if (fence >= 0) {
        this.#span(span.slice(0, fence));
        this.#raw(FENCE);
        this.#mode = 'fence';
        i += fence + 3;
        continue;
      }
      this.#span(span);
      i = j;
    }
    this.#buffer = b.slice(i);
  }

  #newLine(): void {
    this.#mode = 'prose';
    this.#lineStart = true;
    this.#quoted = false;
  }

  /** A span too long for prose: raw, watching only for a fence. Returns how far it got. */
  #longRun(b: string, i: number, j: number, final: boolean): number {
    const found = b.slice(i, j).indexOf(FENCE);
    const fence = found < 0 ? -1 : i + found;
    if (fence >= 0) {
      this.#raw(b.slice(i, fence + 3));
      this.#mode = 'fence';
      this.#longSpan = false;
      return fence + 3;
    }
    this.#longSpan = j === b.length && !final;
    const stop = this.#longSpan ? Math.max(i, j - 2) : j;
    this.#raw(b.slice(i, stop));
    return stop;
  }

  /** One whitespace-free span of prose: words, quote and inline-code toggles, punctuation. */
  #span(span: string): void {
    const protectedSpan = PROTECTED_SPAN.test(span);
    const n = span.length;
    let last = 0;
    let i = 0;
    while (i < n) {
      const after = wordCharEnd(span, i);
      if (after === i) {
        i++;
        continue;
      }
      let j = after;
      for (let next = wordCharEnd(span, j); next > j; next = wordCharEnd(span, j)) j = next;
      this.#punctuation(span.slice(last, i));
      last = j;
      const run = span.slice(i, j);
      i = j;
      if (this.#inlineCode || protectedSpan) {
        this.#raw(run);
        continue;
      }
      // Apostrophes and hyphens at the edges are punctuation ('quoted', dogs', -dash).
      let lead = 0;
      while (lead < run.length && isEdgeMark(run.charCodeAt(lead))) lead++;
      let end = run.length;
      while (end > lead && isEdgeMark(run.charCodeAt(end - 1))) end--;
      if (lead === end) {
        this.#raw(run);
        continue;
      }
      const word = lead === 0 && end === run.length ? run : run.slice(lead, end);
      this.#raw(run.slice(0, lead));
      this.#sink({ kind: 'word', text: word, eligible: !this.#quoted && isEligibleWord(word) });
      this.#raw(run.slice(end));
    }
    this.#punctuation(span.slice(last));
  }

  #punctuation(text: string): void {
    for (let k = 0; k < text.length; k++) {
      const c = text[k];
      // A run of backticks opens or closes one inline code span (``a `b` c``).
      if (c === '`') {
        if (text[k - 1] !== '`') this.#inlineCode = !this.#inlineCode;
      } else if (this.#inlineCode) continue;
      else if (c === '"') this.#quoted = !this.#quoted;
      else if (c === '\u201c') this.#quoted = true;
      else if (c === '\u201d') this.#quoted = false;
    }
    this.#raw(text);
  }
}
