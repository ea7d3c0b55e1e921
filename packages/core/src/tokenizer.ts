/**
 * Tokenizer adapter over tiktoken's WASM build (`@lineage/core/tokenizer`; importing it loads
 * the WASM, so it is its own subpath). o200k_base by default, cl100k_base as an option.
 *
 * Guarantees on arbitrary input:
 * - Ordinary text only: special-token strings such as "<|endoftext|>" are encoded as text,
 *   never as control tokens.
 * - Lone surrogates are replaced by U+FFFD first (what UTF-8 encoding does anyway), so
 *   decode(encode(s)) === s.toWellFormed() for every string.
 * - Bounded time: tiktoken's BPE is quadratic in the length of one pre-token (a 100k-letter
 *   "word" takes 12 s). Pre-tokens longer than `maxPieceChars` (default 256; no English word
 *   comes close) are encoded in slices of that size, which changes tokens only inside such
 *   pieces. Long texts are encoded in batches cut at pre-token boundaries, which changes
 *   nothing and bounds WASM memory.
 * - Inputs over `maxInputChars` (default 64 Mi characters) are refused with a TokenizerError.
 * - WASM memory is released by `dispose()` (or `using`); a disposed tokenizer throws.
 */
import { get_encoding, type Tiktoken } from 'tiktoken';
import { DEFAULT_ENCODING, type EncodingName, isEncodingName, ORDINARY_VOCAB_SIZE } from './encodings.js';
import { TokenizerError } from './errors.js';
import { PRE_TOKENIZER_PATTERNS, preTokenizerFromPattern } from './pre-tokenizer.js';

export interface TokenizerOptions {
  /** Default o200k_base. */
  readonly encoding?: EncodingName;
  /** Longest pre-token encoded as one piece (default 256 characters). */
  readonly maxPieceChars?: number;
  /** Longest accepted input (default 64 Mi UTF-16 code units). */
  readonly maxInputChars?: number;
}

const BATCH_CHARS = 32_768;

export class Tokenizer {
  readonly encoding: EncodingName;
  /** Number of ordinary token ids: valid ids are 0 .. vocabSize - 1. */
  readonly vocabSize: number;
  readonly maxPieceChars: number;
  readonly maxInputChars: number;
  #tiktoken: Tiktoken | undefined;
  readonly #split: RegExp;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: false });

  constructor(options: TokenizerOptions = {}) {
    const encoding = options.encoding ?? DEFAULT_ENCODING;
    if (!isEncodingName(encoding)) throw new TokenizerError(`unknown encoding ${JSON.stringify(encoding)}; use o200k_base or cl100k_base`);
    this.encoding = encoding;
    this.maxPieceChars = _positiveInt(options.maxPieceChars ?? 256, 'maxPieceChars');
    this.maxInputChars = _positiveInt(options.maxInputChars ?? 64 * 1024 * 1024, 'maxInputChars');
    this.#split = preTokenizerFromPattern(PRE_TOKENIZER_PATTERNS[encoding]);
    this.#tiktoken = get_encoding(encoding);
    this.vocabSize = ORDINARY_VOCAB_SIZE[encoding];
  }

  /** Token ids of `text` (ordinary tokens only). */
  encode(text: string): Uint32Array {
    const tiktoken = this.#live();
    if (typeof text !== 'string') throw new TokenizerError('encode expects a string');
    if (text.length > this.maxInputChars) {
      throw new TokenizerError(`text of ${text.length} characters exceeds maxInputChars (${this.maxInputChars}); split it first`);
    }
    const input = text.toWellFormed();
    const parts: Uint32Array[] = [];
    let total = 0;
    const push = (slice: string): void => {
      if (slice.length === 0) return;
      const ids = this.#encodeChecked(tiktoken, slice);
      parts.push(ids);
      total += ids.length;
    };
    let batchStart = 0;
    const split = new RegExp(this.#split);
    for (const match of input.matchAll(split)) {
      const start = match.index;
      const end = start + match[0].length;
      if (end - start > this.maxPieceChars) {
        push(input.slice(batchStart, start));
        for (const slice of _slices(match[0], this.maxPieceChars)) push(slice);
        batchStart = end;
      } else if (end - batchStart >= BATCH_CHARS) {
        push(input.slice(batchStart, end));
        batchStart = end;
      }
    }
    push(input.slice(batchStart));
    if (parts.length === 1) return parts[0] as Uint32Array;
    const out = new Uint32Array(total);
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  /** The UTF-8 bytes of token ids. */
  decodeBytes(tokens: ArrayLike<number>): Uint8Array {
    const tiktoken = this.#live();
    const ids = new Uint32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const id = tokens[i] as number;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new TokenizerError(`token id ${id} at position ${i} is not an ordinary ${this.encoding} token (0..${this.vocabSize - 1})`);
      }
      ids[i] = id;
    }
    return tiktoken.decode(ids);
  }

  /** Text of token ids; a token that ends inside a UTF-8 sequence decodes to U+FFFD. */
  decode(tokens: ArrayLike<number>): string {
    return this.#utf8.decode(this.decodeBytes(tokens));
  }

  /** Releases the WASM memory. Further calls throw. */
  dispose(): void {
    this.#tiktoken?.free();
    this.#tiktoken = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #live(): Tiktoken {
    if (!this.#tiktoken) throw new TokenizerError('this tokenizer was disposed; create a new one');
    return this.#tiktoken;
  }

  #encodeChecked(tiktoken: Tiktoken, slice: string): Uint32Array {
    try {
      return tiktoken.encode_ordinary(slice);
    } catch (error) {
      // A trap can leave the WASM instance inconsistent: replace it before reporting.
      try {
        this.#tiktoken?.free();
      } catch {
        // a trapped instance may refuse to free; drop it
      }
      this.#tiktoken = get_encoding(this.encoding);
      throw new TokenizerError(`tiktoken failed on a ${slice.length}-character piece (${(error as Error).message})`);
    }
  }
}

/** Creates a tokenizer; call `dispose()` when done (it holds WASM memory). */
export function createTokenizer(options: TokenizerOptions = {}): Tokenizer {
  return new Tokenizer(options);
}

function _positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TokenizerError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function* _slices(piece: string, size: number): Generator<string> {
  let start = 0;
  while (start < piece.length) {
    let end = Math.min(piece.length, start + size);
    // never cut a surrogate pair
    if (end < piece.length && (piece.charCodeAt(end) & 0xfc00) === 0xdc00) end--;
    yield piece.slice(start, end);
    start = end;
  }
}
