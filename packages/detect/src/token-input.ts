/** Token-id validation at the detectors' boundary: a typed error naming the text and position. */
import { LineageInputError } from '@lineage/core';

export function checkTokenTexts(texts: readonly ArrayLike<number>[], what = 'text'): void {
  texts.forEach((tokens, index) => {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as number;
      if (!Number.isInteger(t) || t < 0 || t >= 1 << 20)
        throw new LineageInputError(`${what} ${index} holds ${t} at position ${i}, not a token id (ids are below 2^20)`);
    }
  });
}
