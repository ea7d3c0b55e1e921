/**
 * Typed errors. Every message says what to do next; none ever contains key material.
 */

/** Base class: every error Lineage throws on purpose extends it. */
export class LineageError extends Error {
  override readonly name: string = 'LineageError';
}

/** The caller passed something invalid (bad argument, bad text, bad file content). */
export class LineageInputError extends LineageError {
  override readonly name: string = 'LineageInputError';
}

/** A key file could not be created, read or trusted. */
export class KeyFileError extends LineageError {
  override readonly name: string = 'KeyFileError';
  /** The path concerned (never the key material). */
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options);
    this.path = path;
  }
}

/** The tokenizer was misused or cannot handle an input. */
export class TokenizerError extends LineageError {
  override readonly name: string = 'TokenizerError';
}
