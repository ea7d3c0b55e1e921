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

/** Receives the segments in order (two methods, not a segment object each: this runs per word). */
export interface SegmentSink {
  /** Text to keep byte for byte; never empty. */
  raw(text: string): void;
  /** A word; only an eligible one may be part of a site. */
  word(text: string, eligible: boolean): void;
}

const MAX_SPAN = 256;
const MAX_WORD = 40;
const FENCE = '```';
const PROTECTED_SPAN = /[/\\@<>=_{}|~^#$]|:\/\/|\]\(|[A-Za-z][.:][A-Za-z]|^www\./;
const WORD_CHAR = /[\p{L}\p{M}\p{N}]/uy;

/**
 * What a character tells about the span holding it, noted while the span is scanned: every
 * PROTECTED_SPAN match contains a MAY_PROTECT character and every fence a backtick, so most
 * spans need neither the regex nor a fence search; and most spans are one plain word, with no
 * NOT_LETTER character (anything but A-Z and a-z), which needs no further look.
 */
const MAY_PROTECT = 1;
const BACKTICK = 2;
const NOT_LETTER = 4;
const SPAN_FLAGS = new Uint8Array(128).fill(NOT_LETTER);
for (let c = 65; c <= 90; c++) SPAN_FLAGS[c] = SPAN_FLAGS[c + 32] = 0;
for (const c of '/\\@<>=_{}|~^#$:].') SPAN_FLAGS[c.charCodeAt(0)] = MAY_PROTECT | NOT_LETTER;
SPAN_FLAGS[96] = BACKTICK | NOT_LETTER;

/** Whether `text` matches PROTECTED_SPAN (for tests of SPAN_FLAGS). */
export function _isProtectedSpan(text: string): boolean {
  return PROTECTED_SPAN.test(text);
}

/** Whether `text` has a MAY_PROTECT character, as the span scan notes it (for tests). */
export function _mayBeProtected(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 128 && ((SPAN_FLAGS[c] as number) & MAY_PROTECT) !== 0) return true;
  }
  return false;
}

/**
 * Where to cut `b` at or before `cut` (not before `from`) without splitting a surrogate pair:
 * a streamed chunk that ends in half a character cannot be encoded on its own.
 */
function wholeCharacters(b: string, from: number, cut: number): number {
  if (cut <= from) return from;
  const last = b.charCodeAt(cut - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut - 1 : cut;
}

function isSpace(code: number): boolean {
  // Ordered so a letter costs two comparisons: this runs for every character.
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  return code >= 0xa0 && (code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0x3000);
}

/** Where the word character at `i` ends (i + 1 or i + 2 for an astral letter), or i if there is none before `to`. */
function wordCharEnd(text: string, i: number, to: number): number {
  if (i >= to) return i;
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 39 || c === 45 ? i + 1 : i;
  if (c === 0x2019) return i + 1;
  WORD_CHAR.lastIndex = i;
  return WORD_CHAR.test(text) ? WORD_CHAR.lastIndex : i;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isEdgeMark(c: number): boolean {
  return c === 39 || c === 0x2019 || c === 45;
}

/** A-Z letters with single inner apostrophes, at most MAX_WORD long: the only words a site can use. */
function isEligibleWord(word: string): boolean {
  if (word.length > MAX_WORD) return false;
  for (let k = 0; k < word.length; k++) {
    const c = word.charCodeAt(k);
    if (isAsciiLetter(c)) continue;
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
    const b = this.#buffer + text;
    this.#buffer = b.slice(this.#run(b, false));
  }

  end(): void {
    this.#run(this.#buffer, true);
    this.#buffer = '';
  }

  #raw(text: string): void {
    if (text.length > 0) this.#sink.raw(text);
  }

  /** Emits `b[from .. to)` as raw text (slices only what is emitted: this runs several times per word). */
  #rawRange(b: string, from: number, to: number): void {
    if (to > from) this.#sink.raw(b.slice(from, to));
  }

  /**
   * Emits all it can of `b`; returns how far it got. The caller keeps the rest: code after a
   * long loop has no type feedback when the loop is first optimized, and would deoptimize.
   */
  #run(b: string, final: boolean): number {
    let i = 0;
    while (i < b.length) {
      const next = this.#next(b, i, final);
      if (next === i) break;
      i = next;
    }
    return i;
  }

  /**
   * Emits what starts at `i` (a whitespace run, a span, a protected line, fenced code) and
   * returns where the next starts; `i` itself when the rest must wait for more input. One call
   * per segment rather than one long loop: a text pushed whole then runs in optimized code.
   */
  #next(b: string, i: number, final: boolean): number {
    const n = b.length;
    if (this.#mode === 'fence') {
      const close = b.indexOf(FENCE, i);
      if (close >= 0) {
        this.#raw(b.slice(i, close + 3));
        this.#mode = 'prose';
        return close + 3;
      }
      // Hold two characters back: a closing fence may straddle two chunks.
      const keep = final ? n : wholeCharacters(b, i, n - 2);
      this.#raw(b.slice(i, keep));
      return keep;
    }
    if (this.#lineStart) {
      let j = i;
      while (j < n && j - i < 4 && b.charCodeAt(j) === 32) j++;
      if (j === n && !final) return i;
      this.#lineStart = false;
      if (j - i === 4 || b[j] === '\t' || b[j] === '>') this.#mode = 'line';
    }
    if (this.#mode === 'line') {
      const newline = b.indexOf('\n', i);
      const stop = newline < 0 ? n : newline + 1;
      this.#raw(b.slice(i, stop));
      this.#newlines = 0;
      if (newline >= 0) this.#newLine();
      return stop;
    }
    let j = i;
    if (isSpace(b.charCodeAt(i))) {
      let lastNewline = -1;
      for (; j < n && isSpace(b.charCodeAt(j)); j++) if (b.charCodeAt(j) === 10) lastNewline = j;
      // Wait for the whole run: "do not" is a phrase only with exactly one space.
      if (j === n && !final && j - i <= MAX_SPAN) return i;
      if (lastNewline < 0) {
        this.#rawRange(b, i, j);
        return j;
      }
      for (let k = i; k <= lastNewline; k++) if (b.charCodeAt(k) === 10 && ++this.#newlines >= 2) this.#inlineCode = false;
      this.#rawRange(b, i, lastNewline + 1);
      this.#newLine();
      return lastNewline + 1;
    }
    let flags = 0;
    // At most MAX_SPAN + 1 characters: past that the span is a long run, decided piecewise, and
    // rescanning a long line to its end on every call would be quadratic.
    for (; j < n && j - i <= MAX_SPAN; j++) {
      const c = b.charCodeAt(j);
      if (isSpace(c)) break;
      flags |= c < 128 ? (SPAN_FLAGS[c] as number) : NOT_LETTER;
    }
    this.#newlines = 0;
    if (this.#longSpan || j - i > MAX_SPAN) return this.#longRun(b, i, j, final);
    if (j === n && !final) return i;
    if ((flags & NOT_LETTER) === 0) {
      // One plain word: what #span would find, without looking again.
      if (this.#inlineCode) this.#rawRange(b, i, j);
      else this.#sink.word(b.slice(i, j), !this.#quoted && j - i <= MAX_WORD);
      return j;
    }
    // Search the span only: a search to the end of the buffer per word is quadratic.
    const fence = this.#inlineCode || (flags & BACKTICK) === 0 ? -1 : b.slice(i, j).indexOf(FENCE);
    if (fence >= 0) {
      this.#span(b, i, i + fence, (flags & MAY_PROTECT) !== 0);
      this.#raw(FENCE);
      this.#mode = 'fence';
      return i + fence + 3;
    }
    this.#span(b, i, j, (flags & MAY_PROTECT) !== 0);
    return j;
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
    // The run goes on past j when j is a capped window's end or the buffer's end mid-stream.
    this.#longSpan = j < b.length ? !isSpace(b.charCodeAt(j)) : !final;
    const stop = this.#longSpan ? wholeCharacters(b, i, j - 2) : j;
    this.#raw(b.slice(i, stop));
    return stop;
  }

  /**
   * One whitespace-free span of prose, `b[from .. to)`: words, quote and inline-code toggles,
   * punctuation. `mayProtect`: whether it has a character a PROTECTED_SPAN match needs.
   */
  #span(b: string, from: number, to: number, mayProtect: boolean): void {
    const protectedSpan = mayProtect && PROTECTED_SPAN.test(b.slice(from, to));
    let last = from;
    let i = from;
    while (i < to) {
      if (wordCharEnd(b, i, to) === i) {
        i++;
        continue;
      }
      // Most runs are ASCII letters only: no edges to trim, eligible by length alone.
      let j = i;
      while (j < to && isAsciiLetter(b.charCodeAt(j))) j++;
      let plain = true;
      for (let next = wordCharEnd(b, j, to); next > j; next = wordCharEnd(b, j, to)) {
        j = next;
        plain = false;
      }
      this.#punctuation(b, last, i);
      last = j;
      const start = i;
      i = j;
      if (this.#inlineCode || protectedSpan) {
        this.#rawRange(b, start, j);
        continue;
      }
      if (plain) {
        this.#sink.word(b.slice(start, j), !this.#quoted && j - start <= MAX_WORD);
        continue;
      }
      // Apostrophes and hyphens at the edges are punctuation ('quoted', dogs', -dash).
      let lead = start;
      while (lead < j && isEdgeMark(b.charCodeAt(lead))) lead++;
      let end = j;
      while (end > lead && isEdgeMark(b.charCodeAt(end - 1))) end--;
      if (lead === end) {
        this.#rawRange(b, start, j);
        continue;
      }
      this.#rawRange(b, start, lead);
      const word = b.slice(lead, end);
      this.#sink.word(word, !this.#quoted && isEligibleWord(word));
      this.#rawRange(b, end, j);
    }
    this.#punctuation(b, last, to);
  }

  /** Punctuation `b[from .. to)`: toggles quotes and inline code, then goes out raw. */
  #punctuation(b: string, from: number, to: number): void {
    for (let k = from; k < to; k++) {
      const c = b.charCodeAt(k);
      // A run of backticks opens or closes one inline code span (``a `b` c``).
      if (c === 96) {
        if (k === from || b.charCodeAt(k - 1) !== 96) this.#inlineCode = !this.#inlineCode;
      } else if (this.#inlineCode) continue;
      else if (c === 34) this.#quoted = !this.#quoted;
      else if (c === 0x201c) this.#quoted = true;
      else if (c === 0x201d) this.#quoted = false;
    }
    this.#rawRange(b, from, to);
  }
}
