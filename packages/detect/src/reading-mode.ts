/**
 * Reading mode, the open-weight radioactivity test (Sander et al., "Watermarking Makes Language
 * Models Radioactive", 2024): marked text is fed through the suspect with teacher forcing, and at
 * each position the suspect's top-1 prediction, given the true preceding tokens, is scored under
 * the key with the watermark window of those true tokens. A suspect trained on marked text
 * predicts green (high-score) tokens after windows it learnt; a clean one does not.
 *
 * Why the tail stays exact although the text read is itself marked:
 * - the true next token is biased toward the key, so it is never scored; only the prediction is;
 * - a position is scored only at the first occurrence of its window in the whole sample (texts
 *   in order). Everything read before it (earlier texts, earlier tokens of this one) was
 *   generated from the key's lists of other windows only, so the prediction, a function of that
 *   context under H0, is independent of this window's list, and its score has the scheme's exact
 *   null given all earlier scores. Later occurrences are skipped: their context holds a token
 *   the marker chose from this very list, and a suspect that copies from context (an induction
 *   head) would echo it. This is stricter than de-duplicating (window, predicted token) tuples,
 *   which each scored tuple also satisfies.
 * Identity positions (keyed by the window) are skipped as on the black-box provider channel.
 * The texts must be chosen without looking at their scores under the key (a random sample of
 * served outputs, say); picking the most strongly marked ones would void the argument.
 */
import { channelPurposes, contextSeed, IdentityLayout, LineageInputError, type LineageKey, ScoringTape } from '@lineage/core';
import { type CorrectedResult, plannedLooks, providerResult, type TestContext } from './channel-detection.js';
import { TOKEN_SCHEMES, type TokenSchemeName } from './detect-tokens.js';
import { greenListStatistic } from './green-list-detector.js';
import { gumbelStatistic } from './gumbel-detector.js';
import type { SchemeStatistic, StatisticFactory } from './scheme-statistic.js';
import { checkTokenTexts } from './token-input.js';
import { tournamentStatistic } from './tournament-detector.js';

const STATISTICS: Record<TokenSchemeName, StatisticFactory> = {
  kgw: greenListStatistic,
  gumbel: gumbelStatistic,
  tournament: tournamentStatistic,
};

/** The suspect's top-1 next token given the true preceding tokens (a read-only view; do not keep it). */
export type TopTokenPredictor = (context: Uint32Array) => number;

export interface ReadingModeOptions {
  readonly key: LineageKey;
  /** One token-level scheme, or 'auto': every scheme reading mode can test with this key. */
  readonly scheme: TokenSchemeName | 'auto';
  /** Token ids of the marked texts to read (e.g. a random sample of served outputs), in a fixed order. */
  readonly texts: readonly ArrayLike<number>[];
  /** The suspect's top-1 prediction; called once per position that has a full window. */
  readonly predict?: TopTokenPredictor;
  /**
   * Instead of `predict`: predictions computed elsewhere (e.g. an open-weight model run offline),
   * `predicted[t][i]` the top-1 token after `texts[t][0 .. i - 1]`, one per token of the text.
   */
  readonly predicted?: readonly ArrayLike<number>[];
  /** Verdict threshold (default 1e-6). */
  readonly alpha?: number;
  /** Schemes tested together, for the Bonferroni correction (default: those read here). */
  readonly testedSchemes?: number;
  /** Planned looks, for the Bonferroni correction (default 1). */
  readonly looks?: number;
  /** Fingerprint seed of the window tape, for reproducible runs (default random). */
  readonly tapeSeed?: Uint8Array;
}

/** The reading-mode test of one scheme. */
export interface ReadingSchemeResult extends CorrectedResult {
  readonly channel: 'provider';
  readonly mode: 'reading';
  /** Positions with a full window (each asked for a prediction). */
  readonly positions: number;
  /** Positions skipped because their window occurred earlier in the sample. */
  readonly repeatedWindows: number;
  /** Positions skipped because their window makes them identity positions. */
  readonly identityPositions: number;
}

/** The most significant scheme's result (each already corrected), with every scheme read beside it. */
export interface ReadingModeResult extends ReadingSchemeResult {
  readonly schemes: readonly ReadingSchemeResult[];
}

export function readingModeTest(options: ReadingModeOptions): ReadingModeResult {
  const { key, texts } = options;
  const alpha = options.alpha ?? 1e-6;
  if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
  if (!Array.isArray(texts)) throw new LineageInputError('texts must be an array of token-id arrays');
  checkTokenTexts(texts);
  const schemes = readableSchemes(key, options.scheme);
  const tested = options.testedSchemes ?? schemes.length;
  if (!Number.isSafeInteger(tested) || tested < schemes.length)
    throw new LineageInputError(`testedSchemes must be an integer of at least ${schemes.length}, got ${tested}`);
  const test: TestContext = { key, alpha, schemes: tested, looks: plannedLooks(options.looks) };
  const statistics = schemes.map((s) => STATISTICS[s](key));
  const from = Math.min(...statistics.map((s) => s.contextWidth));
  const predicted = predictions(options, from);
  const results = statistics.map((statistic) => readScheme(test, statistic, texts, predicted, options.tapeSeed));
  const best = results.reduce((a, b) => (b.log10P < a.log10P ? b : a));
  return { ...best, schemes: results };
}

function readableSchemes(key: LineageKey, scheme: ReadingModeOptions['scheme']): readonly TokenSchemeName[] {
  // Min-SelfHash seeds a candidate's list by (anchor, token) pairs that many windows share, so
  // "first occurrence of the window" no longer isolates the list the prediction is scored on.
  const selfSeeded = key.schemes.greenList.selfSeeded === true;
  if (scheme === 'auto') return TOKEN_SCHEMES.filter((s) => s !== 'kgw' || !selfSeeded);
  if (!(TOKEN_SCHEMES as readonly string[]).includes(scheme))
    throw new LineageInputError(`unknown scheme ${JSON.stringify(scheme)}; reading mode tests ${TOKEN_SCHEMES.join(', ')} or auto`);
  if (scheme === 'kgw' && selfSeeded)
    throw new LineageInputError(
      'reading mode cannot test the self-seeded green list exactly (its seeds are shared across windows); test gumbel or tournament, or use the black-box probe',
    );
  return [scheme];
}

/** Each text's predictions as Int32Array (-1 where none was needed), validated. */
function predictions(options: ReadingModeOptions, from: number): Int32Array[] {
  const { texts, predict, predicted } = options;
  if ((predict === undefined) === (predicted === undefined))
    throw new LineageInputError('reading mode needs exactly one of predict (a function) or predicted (token arrays)');
  if (predicted !== undefined) {
    if (!Array.isArray(predicted) || predicted.length !== texts.length)
      throw new LineageInputError(`predicted must hold one array per text (${texts.length}), got ${predicted?.length}`);
    checkTokenTexts(predicted, 'prediction array');
    return texts.map((tokens, t) => {
      const row = predicted[t] as ArrayLike<number>;
      if (row.length !== tokens.length)
        throw new LineageInputError(`prediction array ${t} has ${row.length} entries; text ${t} has ${tokens.length} tokens`);
      return Int32Array.from(row);
    });
  }
  if (typeof predict !== 'function') throw new LineageInputError('predict must be a function of the preceding tokens');
  return texts.map((tokens, t) => {
    const copy = Uint32Array.from(tokens);
    const out = new Int32Array(copy.length).fill(-1);
    for (let i = from; i < copy.length; i++) {
      const token = predict(copy.subarray(0, i));
      if (!Number.isInteger(token) || token < 0 || token >= 1 << 20)
        throw new LineageInputError(`predict returned ${token} for text ${t} at position ${i}, not a token id (ids are below 2^20)`);
      out[i] = token;
    }
    return out;
  });
}

function readScheme(
  test: TestContext,
  statistic: SchemeStatistic,
  texts: readonly ArrayLike<number>[],
  predicted: readonly Int32Array[],
  tapeSeed: Uint8Array | undefined,
): ReadingSchemeResult {
  const h = statistic.contextWidth;
  const providerKey = test.key.prfKey(channelPurposes(statistic.scheme).provider);
  const layout = new IdentityLayout(test.key.schemes.identity);
  const expectedTuples = texts.reduce((n, t) => n + Math.max(0, t.length - h), 0);
  // Keyed by the window alone: a position is scored only where its window first occurs.
  const tape = new ScoringTape({ contextWidth: h, expectedTuples, ...(tapeSeed ? { seed: tapeSeed } : {}) });
  const seed = new Uint32Array(2);
  const sum = { scored: 0, total: 0 };
  let positions = 0;
  let identityPositions = 0;
  texts.forEach((tokens, t) => {
    const row = predicted[t] as Int32Array;
    for (let i = h; i < tokens.length; i++) {
      positions++;
      if (!tape.admitWords(tokens, i - h, h)) continue;
      contextSeed(providerKey, tokens, i - h, h, seed);
      const lo = seed[0] as number;
      const hi = seed[1] as number;
      if (layout.isIdentity(lo, hi)) {
        identityPositions++;
        continue;
      }
      sum.total += statistic.score(lo, hi, row[i] as number);
      sum.scored++;
    }
  });
  const result = providerResult(test, statistic, { provider: sum, identity: undefined, campaigns: new Map() });
  return {
    ...result,
    channel: 'provider',
    mode: 'reading',
    positions,
    repeatedWindows: tape.duplicates,
    identityPositions,
  };
}
