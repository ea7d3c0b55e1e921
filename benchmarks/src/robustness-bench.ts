/**
 * Robustness of the token-level schemes (issue "benchmark suite", Robustness): testbed
 * responses marked on the provider channel are decoded to text, edited at the word level,
 * re-tokenized and tested. Edits: deletion and insertion of random Brown training words,
 * lowercasing and whitespace normalization (runs collapsed, newlines removed) come from
 * lexical.ts, so both benchmarks attack the same way; truncation keeps the first words; the
 * synonym swap replaces a share of all words by a WordNet synonym (wordnet-synonyms.ts). The
 * lexical benchmark's own swap flips sites of the built-in lexicon, about one word in twenty,
 * too few to reach these strengths. The lexical scheme's own curves are in lexical.ts.
 */
import { SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectTokens, TOKEN_SCHEMES, type TokenSchemeName } from '@lineage/detect';
import { brownSentences } from '@lineage/testbed';
import { type AttackContext, attack } from './lexical.js';
import { MARKING_KEY, markedBudget, markedResponses, TEACHER_TRAINING_TOKENS, testbedTeacher } from './testbed-responses.js';
import { loadWordNetSynonyms } from './wordnet-synonyms.js';

const EDITS = ['none', 'deletion', 'insertion', 'synonym swap', 'truncation', 'lowercase', 'whitespace'] as const;
type Edit = (typeof EDITS)[number];
const STRENGTHS: Readonly<Record<Edit, readonly number[]>> = {
  none: [0],
  deletion: [0.05, 0.1, 0.2, 0.4],
  insertion: [0.05, 0.1, 0.2, 0.4],
  'synonym swap': [0.05, 0.1, 0.2, 0.4],
  // The share of words cut from the end: keep the first 75%, 50%, 25%.
  truncation: [0.25, 0.5, 0.75],
  lowercase: [1],
  whitespace: [1],
};
const TAPE_SEED = new Uint8Array(16);

export interface RobustnessRow {
  readonly scheme: TokenSchemeName;
  readonly edit: Edit;
  /** Share of the words deleted, inserted (relative to the original), swapped or cut; 1 for whole-text edits. */
  readonly strength: number;
  readonly texts: number;
  /** Texts the edit changed at all (whitespace normalization leaves most testbed responses as they are). */
  readonly textsChanged: number;
  readonly medianScored: number;
  readonly medianLog10P: number;
  readonly reached1e6: number;
  readonly reached1e3: number;
  /** Synonym swap: the share of words it changed (less than `strength` when too few words have a synonym). */
  readonly wordsChanged?: number;
}

export interface RobustnessBenchResult {
  readonly teacher: string;
  readonly texts: Readonly<Record<TokenSchemeName, { readonly responses: number; readonly tokens: number }>>;
  readonly note: string;
  /** Share of the words of the marked texts that have a WordNet synonym: what bounds the synonym swap. */
  readonly synonymCoverage: number;
  readonly rows: readonly RobustnessRow[];
  readonly markingSeconds: number;
  readonly seconds: number;
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? (sorted[Math.floor(mid)] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** The first `keep` share of the words, whitespace between them kept. */
function truncate(text: string, keep: number): string {
  const parts = text.split(/(\s+)/);
  const words = Math.ceil(((parts.length + 1) / 2) * keep);
  return parts.slice(0, Math.max(1, 2 * words - 1)).join('');
}

type Synonyms = ReadonlyMap<string, readonly string[]>;

/** A word as the text holds it: leading punctuation, letters, trailing punctuation. */
const WORD = /^([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)$/;

/** `synonym` cased like `word` (all capitals, or a capital first letter). */
function casedLike(word: string, synonym: string): string {
  if (word.length > 1 && word === word.toUpperCase()) return synonym.toUpperCase();
  return /^[A-Z]/.test(word) ? `${synonym.charAt(0).toUpperCase()}${synonym.slice(1)}` : synonym;
}

/** Replaces `strength` of all words (every word that has a synonym, if fewer) by a random WordNet synonym. */
function swapSynonyms(text: string, strength: number, random: SeededRandom, synonyms: Synonyms): { text: string; changed: number } {
  const parts = text.split(/(\s+)/);
  const eligible: number[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const letters = WORD.exec(parts[i] as string)?.[2];
    if (letters && synonyms.has(letters.toLowerCase())) eligible.push(i);
  }
  const changed = Math.min(eligible.length, Math.round((strength * (parts.length + 1)) / 2));
  for (let k = 0; k < changed; k++) {
    const j = k + random.nextInt(eligible.length - k);
    const i = eligible[j] as number;
    eligible[j] = eligible[k] as number;
    const [, before = '', letters = '', after = ''] = WORD.exec(parts[i] as string) ?? [];
    const options = synonyms.get(letters.toLowerCase()) ?? [letters];
    parts[i] = `${before}${casedLike(letters, options[random.nextInt(options.length)] as string)}${after}`;
  }
  return { text: parts.join(''), changed };
}

function edited(text: string, edit: Edit, strength: number, random: SeededRandom, context: AttackContext, synonyms: Synonyms) {
  switch (edit) {
    case 'none':
      return { text, changed: 0 };
    case 'truncation':
      return { text: truncate(text, 1 - strength), changed: 0 };
    case 'synonym swap':
      return swapSynonyms(text, strength, random, synonyms);
    default:
      return { text: attack(text, edit, strength, random, context), changed: 0 };
  }
}

const countWords = (text: string) => text.split(/\s+/).filter((w) => w !== '').length;

export function runRobustnessBench(short: boolean): RobustnessBenchResult {
  const start = performance.now();
  const model = testbedTeacher();
  using tokenizer = createTokenizer({ encoding: model.encoding });
  const contextWords = MARKING_KEY.schemes.lexical.contextWords;
  const vocabulary = brownSentences('train').flatMap((s) => s.split(/\s+/).filter((w) => /^[A-Za-z]+(?:'[a-z]+)?$/.test(w)));
  const context: AttackContext = { vocabulary, contextWords };
  const synonyms = loadWordNetSynonyms();

  const markingStart = performance.now();
  const marked = Object.fromEntries(
    TOKEN_SCHEMES.map((scheme) => {
      const { count, tokens } = markedBudget(scheme, short);
      return [scheme, markedResponses(scheme, count, tokens).map((t) => tokenizer.decode(t))];
    }),
  ) as Record<TokenSchemeName, string[]>;
  const markingSeconds = (performance.now() - markingStart) / 1000;

  const allTexts = TOKEN_SCHEMES.flatMap((s) => marked[s]);
  const words = allTexts.flatMap((t) => t.split(/\s+/).filter((w) => w !== ''));
  const covered = words.filter((w) => synonyms.has(WORD.exec(w)?.[2]?.toLowerCase() ?? '')).length;

  const rows: RobustnessRow[] = [];
  for (const scheme of TOKEN_SCHEMES) {
    for (const edit of EDITS) {
      for (const strength of STRENGTHS[edit]) {
        const random = new SeededRandom(`robustness/${scheme}/${edit}/${strength}`);
        const log10Ps: number[] = [];
        const scored: number[] = [];
        let changed = 0;
        let total = 0;
        let textsChanged = 0;
        for (const text of marked[scheme]) {
          const after = edited(text, edit, strength, random, context, synonyms);
          const [provider] = detectTokens({ key: MARKING_KEY, scheme, texts: [tokenizer.encode(after.text)], tapeSeed: TAPE_SEED });
          if (!provider) throw new Error('detectTokens returned no provider result');
          log10Ps.push(provider.log10P);
          scored.push(provider.scored);
          changed += after.changed;
          if (after.text !== text) textsChanged++;
          total += countWords(text);
        }
        rows.push({
          scheme,
          edit,
          strength,
          texts: log10Ps.length,
          textsChanged,
          medianScored: median(scored),
          medianLog10P: median(log10Ps),
          reached1e6: log10Ps.filter((l) => l <= -6).length / log10Ps.length,
          reached1e3: log10Ps.filter((l) => l <= -3).length / log10Ps.length,
          ...(edit === 'synonym swap' ? { wordsChanged: changed / total } : {}),
        });
      }
    }
  }
  const texts = Object.fromEntries(
    TOKEN_SCHEMES.map((s) => [s, { responses: marked[s].length, tokens: markedBudget(s, short).tokens }]),
  ) as Record<TokenSchemeName, { responses: number; tokens: number }>;
  return {
    teacher: `order-3 n-gram model on ${TEACHER_TRAINING_TOKENS.toLocaleString('en-US')} Brown training tokens, temperature 1, no prompt`,
    texts,
    note: 'Gumbel and tournament marking read the dense distribution over the whole vocabulary at every token, so they get few responses; their shares move in steps of one text.',
    synonymCoverage: covered / words.length,
    rows,
    markingSeconds,
    seconds: (performance.now() - start) / 1000,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

function strengthOf(r: RobustnessRow, rows: readonly RobustnessRow[]): string {
  if (r.edit === 'none' || r.edit === 'lowercase' || r.edit === 'whitespace') return 'all';
  if (r.edit === 'truncation') return `keep ${pct(1 - r.strength)}`;
  if (r.edit !== 'synonym swap') return pct(r.strength);
  // Now and then fewer words than asked have a synonym: say what was swapped, over the schemes' texts.
  const swapped = rows.filter((x) => x.edit === r.edit && x.strength === r.strength).map((x) => 100 * (x.wordsChanged ?? 0));
  const [low, high] = [Math.min(...swapped).toFixed(1), Math.max(...swapped).toFixed(1)];
  return `${pct(r.strength)} (${low === high ? low : `${low}-${high}`}% swapped)`;
}

/** The Markdown section of summary.md: one row per edit and strength, one column per scheme. */
export function robustnessSummary(r: RobustnessBenchResult): string {
  const budget = TOKEN_SCHEMES.map((s) => `${s} ${r.texts[s].responses} x ${r.texts[s].tokens} tokens`).join(', ');
  const whitespace = r.rows.filter((x) => x.edit === 'whitespace');
  const whitespaceChanged = whitespace.reduce((n, x) => n + x.textsChanged, 0);
  const whitespaceTexts = whitespace.reduce((n, x) => n + x.texts, 0);
  const conditions = r.rows.filter((x) => x.scheme === TOKEN_SCHEMES[0]);
  const cell = (scheme: TokenSchemeName, c: RobustnessRow) => {
    const x = r.rows.find((y) => y.scheme === scheme && y.edit === c.edit && y.strength === c.strength);
    return x ? `${x.medianLog10P.toFixed(1)} / ${pct(x.reached1e6)} / ${pct(x.reached1e3)}` : '';
  };
  return `## Robustness of the token-level schemes (provider channel)

Marked responses of the ${r.teacher} (${budget}), decoded, edited word by word, re-tokenized. ${r.note} Synonym swap: a random WordNet 3.1 synonym (first sense) for a share of all words (${pct(r.synonymCoverage)} of the words here have one). Whitespace normalization changed ${whitespaceChanged} of ${whitespaceTexts} texts (the teacher writes no newlines). ${r.seconds.toFixed(0)} s, ${r.markingSeconds.toFixed(0)} s of it marking. Each cell: median log10 p / share at p <= 1e-6 / share at p <= 1e-3.

| edit | strength | ${TOKEN_SCHEMES.join(' | ')} |
|---|---|${TOKEN_SCHEMES.map(() => '---|').join('')}
${conditions.map((c) => `| ${c.edit} | ${strengthOf(c, r.rows)} | ${TOKEN_SCHEMES.map((s) => cell(s, c)).join(' | ')} |`).join('\n')}
`;
}
