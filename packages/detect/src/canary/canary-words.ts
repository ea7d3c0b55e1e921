/**
 * The scanner's view of text: a stream of lowercased words, each looked up in the canary space's
 * word lists, after the normalization a copier's edits undo: Unicode NFKC, case, any run of
 * whitespace or punctuation between words, soft hyphens, and words hyphenated across a line break
 * ("Kos-\ntell"). A hyphenated line break joins the next letter to the word unless that letter is
 * uppercase and the word's last letter was not ("pre-\nJohn" is two words, "KOS-\nTELL" one), so a
 * name starting a line after a hyphen is still read as its own word. The connecting words of a
 * canary ("of", "from", "at") are skipped, so "Fred Kostell from Karmora Coffee" reads like the
 * canary itself.
 *
 * One pass over char codes with no allocation per word: a word's lowercase letters go into a
 * 12-slot buffer and a 32-bit FNV-1a hash, and only a word whose hash is in the lists' table is
 * compared letter by letter. Chunk boundaries do not change the result: the state machine carries
 * the word and a pending hyphen across `push` calls, and NFKC is applied to pieces cut only before
 * a character NFKC never combines with what precedes it (ASCII, whitespace, CJK ideographs), so
 * normalization cannot reach across a cut. `push` looks for the last such cut in the new chunk only
 * and holds back the text from it on. When more than MAX_CARRY code units pass without any of
 * those characters, the held-back text is cut before a character whose decomposition starts with
 * a character that composes with nothing before it (never inside a surrogate pair, never before a
 * mark or a Hangul vowel or final jamo), which is just as exact for the characters of Unicode 17.
 * Only text without such a character in its last MAX_CARRY / 2 code units (a run of 32K marks) is
 * then cut where NFKC may reach across, and only it may read differently for different chunkings.
 */
import { CANARY_CONNECTORS, type CanarySpace } from '@lineage/core/canary';

/** Called for each word: its code in the space (part · 2^16 + position), or -1 for any other word. */
export type CanaryWordSink = (code: number) => void;

const MAX_LIST_WORD = 12;
const TABLE_BITS = 17;
const TABLE_MASK = (1 << TABLE_BITS) - 1;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
/** Longest piece held back for NFKC when text after the last safe cut goes on. */
const MAX_CARRY = 1 << 16;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const MARK = /^\p{M}$/u;
const UPPER = /^[\p{Lu}\p{Lt}]$/u;
const NON_ASCII = /[\u0080-\uffff]/;
/** ASCII character classes for the hot path: letters, separators, and the rest (digits, hyphen). */
const LETTER = 1;
const SEPARATOR = 2;
const SPECIAL = 0;
const ASCII_KIND = Uint8Array.from({ length: 128 }, (_, c) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? LETTER : (c >= 48 && c <= 57) || c === 45 ? SPECIAL : SEPARATOR,
);

/** The space's words in an open-addressing table keyed by FNV-1a of their letters. */
export class CanaryWordTable {
  readonly space: CanarySpace;
  readonly #hashes = new Int32Array(1 << TABLE_BITS);
  /** code + 1 per slot; 0 marks an empty slot. */
  readonly #codes = new Int32Array(1 << TABLE_BITS);
  readonly #words: string[] = new Array(1 << TABLE_BITS);

  constructor(space: CanarySpace) {
    this.space = space;
    for (const [word, code] of [...space.wordCodes(), ...CANARY_CONNECTORS.map((w) => [w, CONNECTOR] as [string, number])]) {
      let h = FNV_OFFSET;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
      let slot = h & TABLE_MASK;
      while (this.#codes[slot] !== 0) slot = (slot + 1) & TABLE_MASK;
      this.#hashes[slot] = h;
      this.#codes[slot] = code + 1;
      this.#words[slot] = word;
    }
  }

  /** The code of the `length` letters in `letters` with hash `h`, CONNECTOR, or -1. */
  lookup(h: number, letters: Uint16Array, length: number): number {
    let slot = h & TABLE_MASK;
    for (;;) {
      const code = this.#codes[slot] as number;
      if (code === 0) return -1;
      if (this.#hashes[slot] === h) {
        const word = this.#words[slot] as string;
        if (word.length === length) {
          let same = true;
          for (let i = 0; i < length && same; i++) same = word.charCodeAt(i) === letters[i];
          if (same) return code - 1;
        }
      }
      slot = (slot + 1) & TABLE_MASK;
    }
  }
}

/** Code the table returns for a connecting word; never a list word's code. */
export const CONNECTOR = -2;

enum State {
  Between = 0,
  Word = 1,
  /** A hyphen right after a word: a line break next makes it a hyphenation. */
  Hyphen = 2,
  /** A hyphen, then a line break: the next letter continues the word. */
  HyphenBreak = 3,
}

export class CanaryWordReader {
  readonly #table: CanaryWordTable;
  readonly #sink: CanaryWordSink;
  readonly #letters = new Uint16Array(MAX_LIST_WORD);
  #length = 0;
  #hash = FNV_OFFSET;
  /** The word has a digit, a non-ASCII letter or too many letters: it is in no list. */
  #poisoned = false;
  #state = State.Between;
  /**
   * Code point of the word's last letter or digit (marks leave it), to tell whether a hyphenated
   * line break continues the word.
   */
  #last = 0;
  /** Text held back until a safe cut: it has no safe cut after its first character. */
  #carry = '';
  /** Words read so far, connectors included. */
  words = 0;

  constructor(table: CanaryWordTable, sink: CanaryWordSink) {
    this.#table = table;
    this.#sink = sink;
  }

  push(chunk: string): void {
    // Hold back the text from the last safe cut on: the next chunk may start with a mark that
    // NFKC would compose with it. The carry has no safe cut after its start, so only the new
    // chunk is searched (a cut before its first character is a cut between carry and chunk).
    let j = chunk.length - 1;
    while (j >= 0 && !cleanStart(chunk.charCodeAt(j))) j--;
    let text: string;
    if (j < 0) {
      // A cons string: appending is cheap and nothing reads the carry until it is cut.
      this.#carry += chunk;
      if (this.#carry.length <= MAX_CARRY) return;
      text = '';
    } else {
      text = this.#carry + chunk.slice(0, j);
      this.#carry = chunk.slice(j);
    }
    if (this.#carry.length > MAX_CARRY) {
      const carry = this.#carry;
      const cut = fallbackCut(carry);
      text += carry.slice(0, cut);
      this.#carry = carry.slice(cut);
    }
    if (text !== '') this.#read(NON_ASCII.test(text) ? text.normalize('NFKC') : text);
  }

  end(): void {
    if (this.#carry !== '') {
      const rest = this.#carry.normalize('NFKC');
      this.#carry = '';
      this.#read(rest);
    }
    if (this.#state !== State.Between) this.#finishWord();
  }

  #read(text: string): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      i = this.#readPlain(text, i);
      if (i < n) i = this.#readSpecial(text, i);
    }
  }

  /**
   * The hot path, with the state in locals: ASCII letters, and ASCII separators outside a pending
   * hyphen. Returns where it stopped: the end, or a character #readSpecial must handle.
   */
  #readPlain(text: string, from: number): number {
    const n = text.length;
    const letters = this.#letters;
    let state = this.#state;
    let length = this.#length;
    let hash = this.#hash;
    let poisoned = this.#poisoned;
    let i = from;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      const kind = c < 128 ? (ASCII_KIND[c] as number) : SPECIAL;
      if (kind === LETTER) {
        if (state === State.Between) {
          state = State.Word;
          length = 0;
          hash = FNV_OFFSET;
          poisoned = false;
        } else if (state !== State.Word) {
          break;
        }
        if (length < MAX_LIST_WORD) {
          const lower = c | 0x20;
          letters[length++] = lower;
          hash = Math.imul(hash ^ lower, FNV_PRIME);
        } else {
          poisoned = true;
        }
      } else if (kind === SEPARATOR && state <= State.Word) {
        if (state === State.Word) {
          state = State.Between;
          this.words++;
          const code = poisoned ? -1 : this.#table.lookup(hash, letters, length);
          if (code !== CONNECTOR) this.#sink(code);
        }
      } else {
        break;
      }
    }
    // Inside a word, the hot path only ever reads letters: the last one is the word's last.
    if (state === State.Word && i > from) this.#last = text.charCodeAt(i - 1);
    this.#state = state;
    this.#length = state === State.Between ? 0 : length;
    this.#hash = state === State.Between ? FNV_OFFSET : hash;
    this.#poisoned = state === State.Between ? false : poisoned;
    return i;
  }

  /** One character the hot path leaves alone: digits, hyphens, non-ASCII, or anything after a hyphen. */
  #readSpecial(text: string, i: number): number {
    const c = text.charCodeAt(i);
    if (c < 128) {
      const lower = c | 0x20;
      if (lower >= 97 && lower <= 122) {
        this.#letter(lower, c);
      } else if (c >= 48 && c <= 57) {
        this.#letter(-1, c);
      } else if (c === 45) {
        this.#hyphen();
      } else if (c === 10 && this.#state === State.Hyphen) {
        this.#state = State.HyphenBreak;
      } else if ((c === 32 || c === 9 || c === 13) && this.#state >= State.Hyphen) {
        // spaces around a hyphenating line break keep it pending
      } else if (this.#state !== State.Between) {
        this.#finishWord();
      }
      return i + 1;
    }
    if (c === 0xad) return i + 1; // a soft hyphen is invisible: the word goes on
    if (c === 0x2010 || c === 0x2011) {
      this.#hyphen();
      return i + 1;
    }
    let end = i + 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) end = i + 2;
    }
    const char = text.slice(i, end);
    if (LETTER_OR_DIGIT.test(char)) {
      this.#letter(-1, end === i + 1 ? c : (text.codePointAt(i) as number));
    } else if (MARK.test(char)) {
      // A mark extends a word (which it then keeps out of every list) and is nothing elsewhere.
      if (this.#state === State.Word) this.#poisoned = true;
    } else if (this.#state === State.HyphenBreak && (c === 0x2028 || c === 0x85 || c === 0xa0)) {
      // still inside a hyphenating line break
    } else if (this.#state !== State.Between) {
      this.#finishWord();
    }
    return end;
  }

  /**
   * A word character: `code` is its lowercase letter if it is an ASCII letter, else -1; `point` is
   * the character's code point.
   */
  #letter(code: number, point: number): void {
    if (this.#state === State.Hyphen) {
      this.#finishWord(); // "Kostell-Karmora": two words
    } else if (this.#state === State.HyphenBreak && isUpper(point) && !isUpper(this.#last)) {
      this.#finishWord(); // "pre-\nJohn": a new word, likely a name, starts the line
    }
    this.#last = point;
    this.#state = State.Word;
    if (code < 0 || this.#length === MAX_LIST_WORD) {
      this.#poisoned = true;
      return;
    }
    this.#letters[this.#length++] = code;
    this.#hash = Math.imul(this.#hash ^ code, FNV_PRIME);
  }

  #hyphen(): void {
    if (this.#state === State.Word) this.#state = State.Hyphen;
    else if (this.#state !== State.Between) this.#finishWord();
  }

  #finishWord(): void {
    const code = this.#poisoned || this.#length === 0 ? -1 : this.#table.lookup(this.#hash, this.#letters, this.#length);
    const counted = this.#poisoned || this.#length > 0;
    this.#length = 0;
    this.#hash = FNV_OFFSET;
    this.#poisoned = false;
    this.#state = State.Between;
    if (!counted) return;
    this.words++;
    if (code !== CONNECTOR) this.#sink(code);
  }
}

/**
 * Whether NFKC never combines the character (a UTF-16 code unit) with anything before it: ASCII,
 * whitespace (JavaScript's \s, and U+0085) and CJK ideographs U+4E00-U+9FFF have combining class
 * 0, decompose (if at all) to such characters, and are never the second character of a
 * composition. Never a surrogate.
 */
function cleanStart(c: number): boolean {
  if (c < 0x80) return true;
  if (c < 0x1680) return c === 0xa0 || c === 0x85;
  if (c >= 0x4e00) return c <= 0x9fff || c === 0xfeff;
  return (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0x1680;
}

/**
 * Where to cut held-back text that has no clean start after its first character: before the last
 * character, among the last MAX_CARRY / 2 code units, whose NFKD starts with a character that
 * composes with nothing before it; never inside a surrogate pair nor before a high surrogate
 * whose low half may come next. Without such a character (a run of marks or vowel jamo), before
 * the last complete character, which NFKC may combine with what precedes it.
 */
function fallbackCut(text: string): number {
  const last = text.length - 1;
  let pairCut = 0;
  for (let i = last; i > 0 && i >= text.length - (MAX_CARRY >> 1); i--) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) {
      const before = text.charCodeAt(i - 1);
      if (before >= 0xd800 && before <= 0xdbff) continue;
    } else if (c >= 0xd800 && c <= 0xdbff && i === last) {
      continue;
    }
    if (pairCut === 0) pairCut = i;
    if (composesWithNothingBefore(text.codePointAt(i) as number)) return i;
  }
  return pairCut;
}

/**
 * Whether NFKC never combines the character with what precedes it: its NFKD does not start with a
 * mark, a Hangul vowel or final jamo (which follow a leading jamo or syllable), or the Kirat Rai
 * vowel sign U+16D67: in Unicode 17 (Node's ICU), the characters besides marks that are the second
 * of a composition. Checked against every code point when written.
 */
function composesWithNothingBefore(point: number): boolean {
  const first = String.fromCodePoint(point).normalize('NFKD').codePointAt(0) as number;
  return (
    !MARK.test(String.fromCodePoint(first)) &&
    !(first >= 0x1161 && first <= 0x1175) &&
    !(first >= 0x11a8 && first <= 0x11c2) &&
    first !== 0x16d67
  );
}

/** Whether a code point is an uppercase (or titlecase) letter. */
function isUpper(point: number): boolean {
  return point < 0x80 ? point >= 65 && point <= 90 : UPPER.test(String.fromCodePoint(point));
}
