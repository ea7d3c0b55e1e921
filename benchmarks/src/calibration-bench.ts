/**
 * Calibration of the provider channel of every scheme (issue "benchmark suite", Calibration):
 * the empirical false-positive rate at alpha = 1e-2 and 1e-3 with its exact Clopper–Pearson 95%
 * interval, a KS test of the p-values against Uniform(0, 1), and the count at 1e-6, which must
 * be zero. Four cases per scheme, one text per test:
 *
 * - clean Brown passages (80 words, both splits: no model is involved, so all of Brown is clean)
 *   under one fixed key;
 * - clean testbed responses (the order-3 teacher unmarked, decoded and re-tokenized) under that key;
 * - the same Brown passages under a fresh key each (independent tests: the sharpest uniformity check);
 * - marked responses (marked with one key) under fresh keys that did not mark them: the honest
 *   "wrong key" case. A small pool of marked texts serves many keys; for a fixed text the p-values
 *   under independent keys are independent draws from the null;
 * - lexical only: whole Brown documents (about 2,000 words) under fresh keys, because an 80-word
 *   passage holds too few lexical sites for a p-value of 1e-2 to be possible at all.
 *
 * Under one fixed key the texts share (window, token) tuples, so their p-values are dependent:
 * the rate is still unbiased over keys but the interval, which assumes independence, is too narrow.
 * Green-list, tournament and lexical p-values are discrete, hence conservative (P(p <= a) <= a);
 * their KS test also runs on randomized p-values P(X > x) + U P(X = x), exactly uniform under H0.
 */
import { greenProbability, greenThreshold, ksUniform, type LineageKey, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectTokens, TOKEN_SCHEMES, type TokenSchemeName } from '@lineage/detect';
import { LexicalMarker } from '@lineage/embed/text';
import { brownDocumentTexts, brownPassages } from '@lineage/testbed';
import { clopperPearson, type RateInterval } from './clopper-pearson.js';
import { passagesOf, providerLog10P, randomizedPValue } from './lexical.js';
import { freshKey, MARKING_KEY, markedBudget, markedResponses, testbedTeacher, unmarkedResponses } from './testbed-responses.js';

const SCHEMES = [...TOKEN_SCHEMES, 'lexical'] as const;
type CalibrationScheme = (typeof SCHEMES)[number];
const CASES = [
  'clean Brown, one key',
  'clean testbed, one key',
  'clean Brown, fresh key each',
  'marked, wrong keys',
  'clean Brown documents, fresh keys',
] as const;
type CalibrationCase = (typeof CASES)[number];
const PASSAGE_WORDS = 80;
const RESPONSE_TOKENS = 150;
const TAPE_SEED = new Uint8Array(16);

export interface RateAt extends RateInterval {
  readonly alpha: number;
  readonly falsePositives: number;
  /** Texts whose smallest possible p-value reaches alpha (a discrete test cannot reject the others). */
  readonly attainable: number;
}

export interface CalibrationRow {
  readonly scheme: CalibrationScheme;
  readonly case: CalibrationCase;
  readonly texts: string;
  /** Tests run (one text under one key each). */
  readonly n: number;
  /** Distinct keys tested. */
  readonly keys: number;
  /** Distinct texts tested. */
  readonly distinctTexts: number;
  readonly meanScored: number;
  readonly at1e2: RateAt;
  readonly at1e3: RateAt;
  /** KS of the p-values as reported (conservative when discrete). */
  readonly ks: { readonly statistic: number; readonly pValue: number };
  /** KS of randomized p-values (discrete schemes; Gumbel p-values are continuous and tested as they are). */
  readonly ksRandomized: { readonly statistic: number; readonly pValue: number } | null;
  readonly at1e6: number;
  readonly smallestLog10P: number;
}

export interface CalibrationBenchResult {
  readonly sources: {
    readonly brownPassages: string;
    readonly testbedResponses: string;
    readonly markedPools: Readonly<Record<CalibrationScheme, string>>;
  };
  readonly rows: readonly CalibrationRow[];
  readonly totalTests: number;
  /** Every test at alpha = 1e-6 in the run; must be 0. */
  readonly detectionsAt1e6: number;
  readonly seconds: number;
}

interface Item {
  readonly text: string;
  readonly tokens: Uint32Array;
}

interface Outcome {
  readonly pValue: number;
  readonly log10P: number;
  readonly randomized: number;
  readonly scored: number;
  /** ln of the smallest p-value the test could give on this text. */
  readonly lnSmallest: number;
}

/** One text, one key, the provider channel of one scheme. */
function testOne(scheme: CalibrationScheme, key: LineageKey, item: Item, u: number): Outcome {
  let r: { log10P: number; scored: number; score: number };
  if (scheme === 'lexical') r = providerLog10P(key, item.text);
  else {
    const provider = detectTokens({ key, scheme, texts: [item.tokens], tapeSeed: TAPE_SEED }).find((x) => x.channel === 'provider');
    if (!provider) throw new Error('detectTokens returned no provider result');
    r = provider;
  }
  const pValue = 10 ** r.log10P;
  const binomial = (trials: number, score: number, p: number): Outcome => ({
    pValue,
    log10P: r.log10P,
    randomized: randomizedPValue(score, trials, p, u),
    scored: r.scored,
    lnSmallest: trials * Math.log(p),
  });
  switch (scheme) {
    case 'kgw':
      return binomial(r.scored, r.score, greenProbability(greenThreshold(key.schemes.greenList.gamma)));
    case 'tournament':
      return binomial(r.scored * key.schemes.tournament.layers, r.score, 0.5);
    case 'lexical':
      return binomial(r.scored, r.score, 0.5);
    case 'gumbel':
      // No tuple scored: p = 1 always; randomize that atom too.
      return {
        pValue,
        log10P: r.log10P,
        randomized: r.scored === 0 ? u : pValue,
        scored: r.scored,
        lnSmallest: r.scored === 0 ? 0 : Number.NEGATIVE_INFINITY,
      };
  }
}

function rateAt(alpha: number, outcomes: readonly Outcome[]): RateAt {
  const falsePositives = outcomes.filter((o) => o.pValue <= alpha).length;
  return {
    alpha,
    falsePositives,
    ...clopperPearson(falsePositives, outcomes.length),
    attainable: outcomes.filter((o) => o.lnSmallest <= Math.log(alpha)).length,
  };
}

function summarize(
  scheme: CalibrationScheme,
  kind: CalibrationCase,
  texts: string,
  keys: number,
  distinctTexts: number,
  outcomes: readonly Outcome[],
): CalibrationRow {
  const ks = ksUniform(outcomes.map((o) => o.pValue));
  const ksRandomized = scheme === 'gumbel' ? null : ksUniform(outcomes.map((o) => o.randomized));
  return {
    scheme,
    case: kind,
    texts,
    n: outcomes.length,
    keys,
    distinctTexts,
    meanScored: outcomes.reduce((s, o) => s + o.scored, 0) / outcomes.length,
    at1e2: rateAt(1e-2, outcomes),
    at1e3: rateAt(1e-3, outcomes),
    ks: { statistic: ks.statistic, pValue: ks.pValue },
    ksRandomized: ksRandomized && { statistic: ksRandomized.statistic, pValue: ksRandomized.pValue },
    at1e6: outcomes.filter((o) => o.pValue <= 1e-6).length,
    smallestLog10P: outcomes.reduce((m, o) => Math.min(m, o.log10P), 0),
  };
}

/** `count` items spread evenly over `all` (all of them when there are fewer). */
function spread<T>(all: readonly T[], count: number): T[] {
  if (all.length <= count) return [...all];
  return Array.from({ length: count }, (_, i) => all[Math.floor((i * all.length) / count)] as T);
}

export function runCalibrationBench(short: boolean): CalibrationBenchResult {
  const start = performance.now();
  const perCase = short ? 1_000 : 10_000;
  const wrongKeyTests = short ? 1_000 : 20_000;
  const lexicalPool = short ? 50 : 400;
  const documentTests = short ? 500 : 10_000;

  using tokenizer = createTokenizer({ encoding: testbedTeacher().encoding });
  const fromText = (text: string): Item => ({ text, tokens: tokenizer.encode(text) });
  const fromTokens = (tokens: readonly number[]): Item => fromText(tokenizer.decode(tokens));

  const allPassages = [...brownPassages('heldout', PASSAGE_WORDS), ...brownPassages('train', PASSAGE_WORDS)];
  const brown = spread(allPassages, short ? perCase : allPassages.length).map(fromText);
  const testbed = unmarkedResponses(perCase, RESPONSE_TOKENS).map(fromTokens);
  // The robustness benchmark's marked responses (marked once per run).
  const markedPool = (scheme: TokenSchemeName) => {
    const { count, tokens } = markedBudget(scheme, short);
    return markedResponses(scheme, count, tokens).map(fromTokens);
  };
  const lexicalMarker = new LexicalMarker({ key: MARKING_KEY, accountId: 'acct-bench' });
  const marked: Record<CalibrationScheme, Item[]> = {
    kgw: markedPool('kgw'),
    gumbel: markedPool('gumbel'),
    tournament: markedPool('tournament'),
    lexical: passagesOf(200, lexicalPool).map((p) => fromText(lexicalMarker.mark(p))),
  };
  const documents = [...brownDocumentTexts('heldout'), ...brownDocumentTexts('train')].map(fromText);
  const oneKey = freshKey('calibration/one-key', 0);
  const freshKeys = Array.from({ length: Math.max(brown.length, wrongKeyTests, documentTests) }, (_, i) =>
    freshKey('calibration/fresh', i),
  );

  const rows: CalibrationRow[] = [];
  const brownText = `${brown.length} Brown passages of ${PASSAGE_WORDS} words (held-out and training splits)`;
  const testbedText = `${testbed.length} unmarked order-3 testbed responses of ${RESPONSE_TOKENS} tokens`;
  for (const scheme of SCHEMES) {
    const random = new SeededRandom(`calibration/${scheme}`);
    // One test per index: item i mod the items, under key i (or the one key).
    const add = (kind: CalibrationCase, what: string, items: readonly Item[], fresh: boolean, tests = items.length) => {
      const keyOf = (i: number) => (fresh ? (freshKeys[i] as LineageKey) : oneKey);
      const outcomes = Array.from({ length: tests }, (_, i) => testOne(scheme, keyOf(i), items[i % items.length] as Item, random.next()));
      rows.push(summarize(scheme, kind, what, fresh ? tests : 1, items.length, outcomes));
    };
    add('clean Brown, one key', brownText, brown, false);
    add('clean testbed, one key', testbedText, testbed, false);
    add('clean Brown, fresh key each', brownText, brown, true);
    const pool = marked[scheme];
    const what =
      scheme === 'lexical'
        ? `${pool.length} held-out Brown 200-word passages marked by the lexical marker`
        : `${pool.length} ${scheme}-marked order-3 testbed responses of ${markedBudget(scheme, short).tokens} tokens`;
    add('marked, wrong keys', `${what}, each under ${Math.ceil(wrongKeyTests / pool.length)} fresh keys`, pool, true, wrongKeyTests);
    if (scheme === 'lexical') {
      const each = Math.ceil(documentTests / documents.length);
      const what = `${documents.length} Brown documents (held-out and training splits), each under ${each} fresh keys`;
      add('clean Brown documents, fresh keys', what, documents, true, documentTests);
    }
  }

  const detectionsAt1e6 = rows.reduce((n, r) => n + r.at1e6, 0);
  if (detectionsAt1e6 > 0) {
    const bad = rows.filter((r) => r.at1e6 > 0).map((r) => `${r.scheme} / ${r.case}: ${r.at1e6} (smallest log10 p ${r.smallestLog10P})`);
    console.error(
      `\n${'!'.repeat(78)}\n!!! CALIBRATION FAILURE: ${detectionsAt1e6} false detection(s) at alpha = 1e-6 on unmarked or wrong-key text\n!!! ${bad.join('\n!!! ')}\n${'!'.repeat(78)}\n`,
    );
  }
  return {
    sources: {
      brownPassages: `${brown.length} passages of ${PASSAGE_WORDS} words from the held-out and training splits`,
      testbedResponses: `${testbed.length} unmarked responses of ${RESPONSE_TOKENS} tokens, order-3 teacher, temperature 1, decoded and re-tokenized`,
      markedPools: {
        kgw: `${marked.kgw.length} responses`,
        gumbel: `${marked.gumbel.length} responses (dense marking is slow)`,
        tournament: `${marked.tournament.length} responses (dense marking is slow)`,
        lexical: `${marked.lexical.length} passages`,
      },
    },
    rows,
    totalTests: rows.reduce((n, r) => n + r.n, 0),
    detectionsAt1e6,
    seconds: (performance.now() - start) / 1000,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const ci = (r: RateAt, n: number) =>
  `${r.falsePositives} = ${pct(r.rate)} [${pct(r.lower)}, ${pct(r.upper)}]${r.attainable < n ? ` (attainable in ${r.attainable.toLocaleString('en-US')})` : ''}`;

/** The Markdown section of summary.md. */
export function calibrationSummary(r: CalibrationBenchResult): string {
  return `## Calibration (provider channel, one text per test)

${r.totalTests.toLocaleString('en-US')} tests in ${r.seconds.toFixed(0)} s; detections at alpha = 1e-6: **${r.detectionsAt1e6}** (must be 0). Rates with exact Clopper–Pearson 95% intervals (under one key the texts share tuples, so those intervals, which assume independent tests, are too narrow). Discrete p-values are conservative, and cannot reach alpha at all on texts with too few scored tuples ("attainable"), so their KS test also runs on randomized p-values.

| scheme | case | n | false positives at 1e-2 | at 1e-3 | KS D / p | KS randomized D / p | at 1e-6 |
|---|---|---|---|---|---|---|---|
${r.rows
  .map(
    (x) =>
      `| ${x.scheme} | ${x.case} | ${x.n.toLocaleString('en-US')} | ${ci(x.at1e2, x.n)} | ${ci(x.at1e3, x.n)} | ${x.ks.statistic.toFixed(4)} / ${x.ks.pValue.toPrecision(2)} | ${x.ksRandomized ? `${x.ksRandomized.statistic.toFixed(4)} / ${x.ksRandomized.pValue.toPrecision(2)}` : 'continuous'} | ${x.at1e6} |`,
  )
  .join('\n')}
`;
}
