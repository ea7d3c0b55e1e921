import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detokenizeBrown } from './brown-detokenizer.js';

/** Brown lines as the corpus writes them, tags already removed. */
const detok = (line: string): string => detokenizeBrown(line.split(' '));

describe('detokenizeBrown on real Brown sentences', () => {
  it('joins words and attaches punctuation and quotes (ca01)', () => {
    expect(
      detok(
        "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced `` no evidence '' that any irregularities took place .",
      ),
    ).toBe(
      `The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced "no evidence" that any irregularities took place.`,
    );
    expect(
      detok(
        "`` Only a relative handful of such reports was received '' , the jury said , `` considering the widespread interest in the election '' .",
      ),
    ).toBe('"Only a relative handful of such reports was received", the jury said, "considering the widespread interest in the election".');
  });

  it('keeps one of the doubled semicolons and one full stop after an abbreviation', () => {
    expect(detok('There were 40 of them ; ; core marriages still belong .')).toBe('There were 40 of them; core marriages still belong.');
    expect(detok('which was won by Mayor-nominate Ivan Allen Jr. .')).toBe('which was won by Mayor-nominate Ivan Allen Jr.');
    expect(detok('The couple was married Aug. 2 , 1913 .')).toBe('The couple was married Aug. 2, 1913.');
  });

  it('writes brackets, colons, ranges and ratios as prose does', () => {
    expect(detok('On other matters , the jury recommended that : ( 1 )')).toBe('On other matters, the jury recommended that: (1)');
    expect(detok('the sampling census , 1955 - 57 , in various states')).toBe('the sampling census, 1955-57, in various states');
    expect(detok('the ratio of the counts / minute observed')).toBe('the ratio of the counts/minute observed');
    expect(detok("`` I understand [ Hearst ] is a friend '' .")).toBe('"I understand [Hearst] is a friend".');
    expect(detok('Is it true ? ? Yes !')).toBe('Is it true?? Yes!');
  });

  it('renders the dash as a spaced double hyphen', () => {
    expect(detok('it voted no -- and there were no dissents .')).toBe('it voted no -- and there were no dissents.');
    expect(detok("`` Well -- '' he began .")).toBe('"Well --" he began.');
    expect(detok('-- Paradise lost .')).toBe('-- Paradise lost.');
  });

  it('pairs single quotes and leaves apostrophes inside words alone', () => {
    expect(detok("`` We're getting more ' pro ' letters than ' con ' on horse race betting '' , said Ratcliff .")).toBe(
      `"We're getting more 'pro' letters than 'con' on horse race betting", said Ratcliff.`,
    );
    expect(detok("the number of stems ( ' roots ' ) per item")).toBe("the number of stems ('roots') per item");
    expect(detok("to save humanity ' '' .")).toBe(`to save humanity'".`);
    expect(detok("Hodges predicted : ' I think we will win")).toBe("Hodges predicted: 'I think we will win");
    expect(detok("I'll give 'em hell , goin' home in '61 .")).toBe("I'll give 'em hell, goin' home in '61.");
  });

  it('attaches split-off clitics', () => {
    expect(detokenizeBrown(['John', "'s", 'dog', 'do', "n't", 'bark', ',', 'we', "'ll", 'see'])).toBe("John's dog don't bark, we'll see");
  });

  it('handles empty and blank input', () => {
    expect(detokenizeBrown([])).toBe('');
    expect(detokenizeBrown(['', ' ', '\t'])).toBe('');
    expect(detokenizeBrown([' a ', 'b\n c'])).toBe('a b c');
  });
});

const PUNCTUATION = ['.', ',', ';', ':', '?', '!', '(', ')', '[', ']', '``', "''", "'", '`', '--', '-', '/', "'s", "n't", '...'];
const brownWord = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9'.$%&-]{0,7}$/);
const brownToken = fc.oneof({ arbitrary: brownWord, weight: 3 }, { arbitrary: fc.constantFrom(...PUNCTUATION), weight: 2 });
const isWord = (token: string): boolean => /[A-Za-z0-9]/.test(token);

describe('detokenizeBrown properties', () => {
  it('never throws, and leaves no leading, trailing, doubled or non-space whitespace', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), brownToken, fc.constantFrom(' ', '\t\n', '\u00a0'))), (tokens) => {
        const text = detokenizeBrown(tokens);
        expect(text).toBe(text.trim());
        expect(text).not.toMatch(/\s\s|[^\S ]/);
      }),
    );
  });

  it('keeps every word, unchanged and in order', () => {
    fc.assert(
      fc.property(fc.array(brownToken, { maxLength: 40 }), (tokens) => {
        const text = detokenizeBrown(tokens);
        let from = 0;
        for (const token of tokens.filter(isWord)) {
          const at = text.indexOf(token, from);
          expect(at).toBeGreaterThanOrEqual(0);
          from = at + token.length;
        }
      }),
    );
  });

  it('renders a prefix cut after a word as a prefix of the whole (what continuation prompts rely on)', () => {
    fc.assert(
      fc.property(fc.array(brownToken, { minLength: 1, maxLength: 40 }), fc.nat(), (tokens, pick) => {
        const ends = tokens.flatMap((token, i) => (isWord(token) ? [i] : []));
        fc.pre(ends.length > 0);
        const end = ends[pick % ends.length] as number;
        expect(detokenizeBrown(tokens).startsWith(detokenizeBrown(tokens.slice(0, end + 1)))).toBe(true);
      }),
    );
  });

  it('maps ASCII tokens to ASCII text', () => {
    fc.assert(
      fc.property(fc.array(brownToken), (tokens) => {
        expect(detokenizeBrown(tokens)).toMatch(/^[\x20-\x7e]*$/);
      }),
    );
  });
});
