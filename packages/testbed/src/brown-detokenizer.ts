/**
 * Brown-corpus tokens back to ordinary prose. The corpus separates punctuation into tokens
 * (`` `` `` and `''` for double quotes, `--` for dashes); models and prompts need text as a
 * reader sees it. The output is plain ASCII like the corpus: both quote tokens become `"`, and a
 * dash stays `--` with a space on each side (the corpus's own typewriter dash, so no character
 * outside ASCII enters the testbed). Two artefacts of the corpus files are repaired: every
 * semicolon is doubled (`; ;`), and a sentence ending in an abbreviation carries a second full
 * stop (`Jr. .`).
 */

/** Tokens written without a space before them. */
const ATTACH_LEFT = new Set(['.', ',', ';', ':', '?', '!', ')', ']', '}', "''", '...']);
/** Tokens written without a space after them. */
const ATTACH_RIGHT = new Set(['``', '(', '[', '{', '`']);
/** Joiners written without a space on either side: ranges (`1955 - 57`) and ratios (`counts / minute`). */
const JOIN = new Set(['-', '/']);
const WHITESPACE = /\s/;
/** English clitics, should a token sequence split them off (Brown keeps them inside words). */
const CLITIC = /^(?:'(?:s|d|m|ll|re|ve)|n't)$/i;

function attachesLeft(token: string): boolean {
  // Every such token is at most three characters long ("...", "n't"): words skip the lookups.
  return token.length <= 3 && (ATTACH_LEFT.has(token) || JOIN.has(token) || CLITIC.test(token));
}

/**
 * Joins Brown tokens (words without their tags) into one line of prose. Never throws; the
 * result has no leading, trailing or doubled spaces, and every token that contains a letter or
 * a digit appears in it unchanged and in order.
 */
export function detokenizeBrown(words: readonly string[]): string {
  const tokens: string[] = [];
  for (const word of words) {
    const token = WHITESPACE.test(word) ? word.replace(/\s+/g, ' ').trim() : word;
    if (token !== '') tokens.push(token);
  }
  const out: string[] = [];
  let previous = '';
  // Whether the token before the current one forbids a space after it.
  let glueNext = true;
  let singleQuoteOpen = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === ';' && previous === ';') continue;
    if (token === '.' && previous.endsWith('.')) continue;
    let text = token;
    let glueBefore: boolean;
    let glueAfter: boolean;
    if (token === '``') {
      text = '"';
      glueBefore = false;
      glueAfter = true;
    } else if (token === "''") {
      text = '"';
      glueBefore = true;
      glueAfter = false;
    } else if (token === "'" || token === '`') {
      // A single quote closes a pending one, or when nothing follows it that could be quoted.
      const next = tokens[i + 1];
      const closes: boolean = token === "'" && (singleQuoteOpen || next === undefined || attachesLeft(next));
      singleQuoteOpen = !closes;
      text = "'";
      glueBefore = closes;
      glueAfter = !closes;
    } else {
      glueBefore = attachesLeft(token);
      glueAfter = token.length === 1 && (ATTACH_RIGHT.has(token) || JOIN.has(token));
    }
    if (out.length > 0 && !glueNext && !glueBefore) out.push(' ');
    out.push(text);
    glueNext = glueAfter;
    previous = token;
  }
  return out.join('');
}
