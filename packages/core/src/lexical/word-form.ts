/**
 * The normalized form of a word (what the lexicon and the context hashes read) and its hash.
 * The hash is computed from the word as written, folding case on the fly: most words are never
 * looked up in the lexicon, so building their lowercase string would be wasted work.
 */

/** Lowercase with typographic apostrophes made ASCII: the form the lexicon and hashes use. */
export function normalizeWord(text: string): string {
  const lower = text.toLowerCase();
  return lower.includes('\u2019') ? lower.replaceAll('\u2019', "'") : lower;
}

const FNV_OFFSET = 0x811c9dc5;
const SPACE = 32;

/** FNV-1a of `normalizeWord(text)`; from `seed`, the hash of the text before it (see extendForm). */
export function wordHash(text: string, seed = FNV_OFFSET): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    else if (c === 0x2019) c = 39;
    // Outside ASCII, lowercasing can depend on neighbours or change the length: do it for real.
    else if (c >= 128) return fnv1a(normalizeWord(text), seed);
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}

/** The hash of a form (normalized words joined by one space) grown by one more word: `${form} ${word}`. */
export function extendForm(formHash: number, word: string): number {
  return wordHash(word, Math.imul(formHash ^ SPACE, 0x01000193) >>> 0);
}

function fnv1a(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
