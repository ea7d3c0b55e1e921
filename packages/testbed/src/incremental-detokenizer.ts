/**
 * Token ids to text one token at a time, for streaming. A token can end inside a multi-byte
 * UTF-8 character (emoji, CJK, accented letters in byte-level BPE), so bytes are decoded with
 * `TextDecoder` in stream mode: a split character is held back until its last byte arrives,
 * and the pieces always concatenate to the one-shot decoding of all the tokens.
 */
import type { Tokenizer } from '@lineage/core/tokenizer';

export class IncrementalDetokenizer {
  readonly #tokenizer: Tokenizer;
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });
  readonly #one = [0];

  constructor(tokenizer: Tokenizer) {
    this.#tokenizer = tokenizer;
  }

  /** The text completed by this ordinary token id (may be '' while a character is split). */
  push(token: number): string {
    this.#one[0] = token;
    return this.#decoder.decode(this.#tokenizer.decodeBytes(this.#one), { stream: true });
  }

  /** Text still held back at the end (U+FFFD for a character that never completed). */
  flush(): string {
    return this.#decoder.decode();
  }
}
