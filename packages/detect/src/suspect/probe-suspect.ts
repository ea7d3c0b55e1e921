/**
 * The suspect probe: asks a suspect model the prompts over its chat API (bounded concurrency,
 * retries and timeouts in ChatClient), caches every answer as it arrives, tests the answers for
 * every channel (suspect-tester.ts) and returns the evidence report.
 *
 * Early stopping keeps the p-value valid by Bonferroni alpha spending: L looks are planned
 * before the first query, at fixed answer counts; each look tests the provider channel on
 * exactly that many answers (the first to arrive: arrival order does not depend on the key,
 * so under H0 any such set is as good as another), and every p-value is multiplied by L. The
 * chance that any look is falsely decisive is then at most alpha, and a run that stops at look
 * k reports the tests on exactly the answers of look k.
 *
 * Resuming: cached answers are replayed first, in the order they arrived, so every look
 * already run sees the same answers again (and gives the same result); only the rest is asked.
 * An interrupted run (the caller's signal) reports the tests on the answers of the last planned
 * look it reached: any other set would be an unplanned look. A cache whose answers were tested
 * under another plan is refused unless `retest` is set, and then the report says so.
 */
import { createHash } from 'node:crypto';
import { LineageInputError, type LineageKey } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { AccountDirectory } from '../account-directory.js';
import type { CanaryScanner } from '../canary/canary-scanner.js';
import type { CorrectedResult } from '../channel-detection.js';
import { type AnswerCache, canonicalPlan, promptHash, type TestPlan } from '../probe/answer-cache.js';
import type { ChatClient } from '../probe/chat-client.js';
import { mapConcurrent } from '../probe/concurrency.js';
import { failsThisQueryOnly } from '../probe/query-failure.js';
import {
  type CanaryFindings,
  EVIDENCE_REPORT_FORMAT,
  EVIDENCE_REPORT_VERSION,
  type EvidenceReport,
  type QueryCounts,
  type SchemeTrace,
} from '../report/evidence-report.js';
import { mostSignificant, PROBE_SCHEMES, type ProbeSchemeName, SuspectTester } from './suspect-tester.js';

export interface ProbeProgress {
  readonly planned: number;
  readonly answered: number;
  readonly cached: number;
  readonly failed: number;
  readonly elapsedMs: number;
  /** Set when a planned look has just run. */
  readonly look?: { readonly index: number; readonly answers: number; readonly log10P: number; readonly decisive: boolean };
}

export interface ProbeSuspectOptions {
  readonly client: ChatClient;
  readonly key: LineageKey;
  /** The probe prompts; query i asks prompt i mod prompts.length. */
  readonly prompts: readonly string[];
  /** 'auto' (default): every scheme the key configures, token-level and lexical. */
  readonly schemes?: 'auto' | readonly ProbeSchemeName[];
  /** Queries to plan (default: one per prompt). More than the prompts asks them again. */
  readonly maxQueries?: number;
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number;
  /** Verdict threshold (default 1e-6). */
  readonly alpha?: number;
  /** Planned looks for early stopping (default 1: no early stop). */
  readonly looks?: number;
  readonly cache?: AnswerCache;
  /**
   * Test answers the cache holds although they were tested before under another plan (other
   * schemes, queries, looks, alpha, key or prompts). That is a new test this report cannot
   * correct for; the report says so. Default false: such a cache is refused.
   */
  readonly retest?: boolean;
  /** Registered accounts: decodes the identity channel. */
  readonly accounts?: Iterable<string> | AccountDirectory;
  /** Ledgered canaries to scan the answers for. */
  readonly canaries?: CanaryScanner;
  /** Ctrl-C: stops asking and returns the report on the answers so far. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ProbeProgress) => void;
  /** Written into the report (default "unknown"). */
  readonly toolVersion?: string;
  /** Points per chart line (default 16). */
  readonly tracePoints?: number;
  readonly now?: () => Date;
}

const EARLY_STOP = Symbol('early stop');

export async function probeSuspect(options: ProbeSuspectOptions): Promise<EvidenceReport> {
  const { client, key, prompts } = options;
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const started = performance.now();
  const alpha = options.alpha ?? 1e-6;
  if (!(alpha > 0 && alpha < 1)) throw new LineageInputError(`alpha must be in (0, 1), got ${alpha}`);
  if (!Array.isArray(prompts) || prompts.length === 0) throw new LineageInputError('the probe needs at least one prompt');
  prompts.forEach((p, i) => {
    if (typeof p !== 'string' || p.trim() === '') throw new LineageInputError(`prompt ${i + 1} is empty or not a string`);
  });
  const planned = options.maxQueries ?? prompts.length;
  if (!Number.isSafeInteger(planned) || planned < 1) throw new LineageInputError(`maxQueries must be a positive integer, got ${planned}`);
  const looks = options.looks ?? 1;
  if (!Number.isSafeInteger(looks) || looks < 1 || looks > planned)
    throw new LineageInputError(`looks must be an integer from 1 to the ${planned} planned queries, got ${looks}`);
  const schemes = options.schemes === undefined || options.schemes === 'auto' ? PROBE_SCHEMES : options.schemes;
  const accounts =
    options.accounts === undefined || options.accounts instanceof AccountDirectory
      ? options.accounts
      : new AccountDirectory(key, options.accounts);
  if (accounts && accounts.keyId !== key.keyId)
    throw new LineageInputError(`the account directory is for key ${accounts.keyId}, not ${key.keyId}`);
  // Look k (1-based) runs on the first round(planned * k / looks) answers.
  const lookAt = Array.from({ length: looks }, (_, k) => Math.max(1, Math.round((planned * (k + 1)) / looks)));

  using tokenizer = createTokenizer({ encoding: key.tokenizer });
  const tester = new SuspectTester({ key, tokenizer, schemes, alpha, looks, prompts, ...(accounts ? { accounts } : {}) });
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const promptOf = (query: number) => prompts[query % prompts.length] as string;
  let cached = 0;
  let asked = 0;
  let failed = 0;
  let requests = 0;
  let nextLook = 0;
  let stoppedAtLook: number | null = null;
  const progress = (look?: ProbeProgress['look']) =>
    options.onProgress?.({
      planned,
      answered: tester.answers,
      cached,
      failed,
      elapsedMs: performance.now() - started,
      ...(look ? { look } : {}),
    });
  const accept = (text: string) => {
    tester.add(text);
    // The last look is the final analysis, on every answer there is.
    while (stoppedAtLook === null && nextLook < looks - 1 && tester.answers >= (lookAt[nextLook] as number)) {
      const at = lookAt[nextLook] as number;
      const best = mostSignificant(tester.provider(at));
      const decisive = best.pValue <= alpha;
      nextLook++;
      if (decisive) {
        stoppedAtLook = nextLook;
        stop.abort(EARLY_STOP);
      }
      progress({ index: nextLook, answers: at, log10P: best.log10P, decisive });
    }
    progress();
  };

  const plan = {
    keyId: key.keyId,
    schemes: [...schemes],
    alpha,
    looks,
    planned,
    prompts: textSetHash(prompts),
    tool: 'lineage-probe-1',
  };
  const earlierPlans = options.cache ? priorPlans(options.cache, plan, options.retest === true) : 0;
  options.cache?.recordPlan(plan);

  // Cached answers in arrival order: the looks already run see the same sets again.
  const answered = new Set<number>();
  for (const hit of options.cache?.entries() ?? []) {
    if (stoppedAtLook !== null) break;
    if (hit.query >= planned || hit.prompt !== promptHash(promptOf(hit.query))) continue;
    answered.add(hit.query);
    cached++;
    accept(hit.text);
  }
  function* missing(): Generator<number> {
    for (let query = 0; query < planned; query++) if (!answered.has(query)) yield query;
  }

  let status: EvidenceReport['status'] = 'complete';
  try {
    await mapConcurrent(
      missing(),
      options.concurrency ?? 4,
      async (query) => {
        const prompt = promptOf(query);
        asked++;
        try {
          // Ctrl-C stops new queries but lets those in flight finish and reach the cache, so a
          // resumed run never asks again what the suspect already answered; an early stop aborts them.
          const answer = await client.complete(prompt, { signal: stop.signal });
          requests += answer.attempts;
          options.cache?.put(query, prompt, answer.text, answer.finishReason);
          if (stoppedAtLook === null) accept(answer.text);
        } catch (error) {
          if (stop.signal.aborted) throw stop.signal.reason;
          if (!failsThisQueryOnly(error)) throw error;
          requests += error.attempts;
          failed++;
          progress();
        }
      },
      undefined,
      { signal },
    );
  } catch (error) {
    if (stop.signal.aborted && stop.signal.reason === EARLY_STOP) status = 'stopped-early';
    else if (options.signal?.aborted) status = 'interrupted';
    else throw error;
  }
  if (stoppedAtLook !== null) status = 'stopped-early';
  if (tester.answers === 0 && status !== 'interrupted')
    throw new LineageInputError(`the suspect answered none of the ${planned} queries (${failed} failed); nothing to test`);

  // Early stop: the decisive look's answers. Interrupted: the last planned look reached (none: no
  // answer), since testing whatever had arrived would be a look outside the plan.
  const final =
    stoppedAtLook !== null
      ? (lookAt[stoppedAtLook - 1] as number)
      : status === 'interrupted'
        ? nextLook > 0
          ? (lookAt[nextLook - 1] as number)
          : 0
        : tester.answers;
  const results = tester.all(final);
  const canaries = options.canaries ? scanCanaries(options.canaries, tester, final, prompts, alpha) : null;
  const queries: QueryCounts = {
    planned,
    answered: final,
    asked,
    cached,
    failed,
    skipped: planned - cached - asked,
    requests,
    answerTokens: tester.tokensOf(final),
    answersSha256: textSetHash(tester.texts(final)),
  };
  return {
    format: EVIDENCE_REPORT_FORMAT,
    version: EVIDENCE_REPORT_VERSION,
    tool: { name: 'lineage', version: options.toolVersion ?? 'unknown' },
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    status,
    suspect: { baseUrl: client.baseUrl, model: client.model },
    key: { keyId: key.keyId, commitment: key.commitment, tokenizer: key.tokenizer },
    prompts: { count: prompts.length, sha256: textSetHash(prompts) },
    settings: {
      alpha,
      schemes: [...schemes],
      maxTokens: client.maxTokens,
      temperature: client.temperature,
      concurrency: options.concurrency ?? 4,
      registeredAccounts: accounts?.size ?? 0,
      filter: null,
    },
    sequential: {
      looks,
      lookAt,
      stoppedAtLook,
      rule:
        looks === 1
          ? 'one look: every planned query is asked, then tested once'
          : `Bonferroni alpha spending over ${looks} looks planned at ${lookAt.join(', ')} answers: stop at the first look whose most significant provider p-value (already corrected) is at most alpha`,
    },
    corrections: [
      ...corrections(schemes.length, looks, key.campaigns.length, accounts !== undefined, canaries !== null),
      ...(status === 'interrupted'
        ? [
            `interrupted: the tests cover the ${final} answers of the last planned look reached (${nextLook > 0 ? `look ${nextLook}` : 'none'}), not the ${tester.answers} received: any other set would be a look outside the plan; rerun with the same cache to continue`,
          ]
        : []),
      ...(earlierPlans > 0
        ? [
            `retest: some of these cached answers were tested before under ${earlierPlans} other plan(s); this report does not correct for those tests`,
          ]
        : []),
    ],
    provider: mostSignificant(results.schemes),
    schemes: results.schemes,
    campaigns: results.campaigns,
    identity: results.identity,
    canaries,
    queries,
    traces: traces(tester, schemes, key, final, options.tracePoints ?? 16),
  };
}

/** Earlier plans that tested this cache; throws unless retesting was asked for. */
function priorPlans(cache: AnswerCache, plan: TestPlan, retest: boolean): number {
  const mine = canonicalPlan(plan);
  const others = cache.plans.filter((p) => p !== mine).length;
  if (others > 0 && !retest && cache.size > 0)
    throw new LineageInputError(
      `the answers in ${cache.path} were already tested under another plan (schemes, queries, looks, alpha, key or prompts); testing them again is a new test this report cannot correct for. Use a new cache folder, or retest deliberately (--retest)`,
    );
  return others;
}

/** SHA-256 over texts in order (the prompt set, the answers), each as UTF-8 behind its 4-byte big-endian length. */
export function textSetHash(texts: readonly string[]): string {
  const hash = createHash('sha256');
  const length = Buffer.alloc(4);
  for (const text of texts) {
    const bytes = Buffer.from(text, 'utf8');
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  }
  return hash.digest('hex');
}

function scanCanaries(
  scanner: CanaryScanner,
  tester: SuspectTester,
  count: number,
  prompts: readonly string[],
  alpha: number,
): CanaryFindings {
  const session = scanner.session({ exclude: prompts });
  for (const answer of tester.texts(count)) {
    session.push(answer);
    session.separate();
  }
  const r = session.end();
  return {
    draws: r.draws,
    excludedDraws: r.excludedDraws,
    shapedWindows: r.shapedWindows,
    hits: r.hits,
    expected: r.expected,
    pValue: r.pValue,
    log10P: r.log10P,
    verdict: r.pValue <= alpha ? 'marked' : 'not-marked',
    burned: [...new Set(r.hits.map((h) => h.canary))],
  };
}

/** The provider test of each scheme on growing prefixes of the answers, for the charts. */
function traces(tester: SuspectTester, schemes: readonly ProbeSchemeName[], key: LineageKey, count: number, points: number): SchemeTrace[] {
  if (!Number.isSafeInteger(points) || points < 1) throw new LineageInputError(`tracePoints must be a positive integer, got ${points}`);
  const counts = [
    ...new Set(Array.from({ length: Math.min(points, count) }, (_, k) => Math.ceil((count * (k + 1)) / Math.min(points, count)))),
  ];
  const perCount = counts.map((n) => tester.provider(n));
  return schemes.map((scheme, s) => {
    const hitProbability = scheme === 'kgw' ? key.schemes.greenList.gamma : scheme === 'lexical' ? 0.5 : undefined;
    return {
      scheme,
      ...(hitProbability === undefined ? {} : { hitProbability }),
      points: counts.map((answers, i) => {
        const r = (perCount[i] as CorrectedResult[])[s] as CorrectedResult;
        return { answers, scored: r.scored, score: r.score, expected: r.expected, log10P: r.log10P };
      }),
    };
  });
}

function corrections(schemes: number, looks: number, campaigns: number, identity: boolean, canaries: boolean): string[] {
  const out = [
    'de-duplication: each (context window, token) tuple, or (context, set) site for the lexical scheme, is scored once across all answers of a test; tuples that occur in the prompts are excluded',
  ];
  if (schemes > 1)
    out.push(
      `schemes: Bonferroni over the ${schemes} schemes tested together (each p-value x ${schemes}); the provider verdict is the most significant scheme`,
    );
  if (looks > 1)
    out.push(
      `sequential: Bonferroni alpha spending over ${looks} planned looks (each p-value x ${looks}), so stopping at any look keeps the error rate at alpha`,
    );
  if (campaigns > 0)
    out.push(
      `campaigns: Bonferroni over the ${campaigns} campaign${campaigns === 1 ? '' : 's'} of the key, on top of the corrections above`,
    );
  if (identity)
    out.push(
      'identity: sample splitting (digits decoded on four fifths of the identity positions, tested on the other fifth); naming an account adds registered accounts x radix^-digits for an innocent code equal to the decoded one',
    );
  if (canaries)
    out.push(
      'canaries: exact binomial over the ledger draws, with ledger draws whose words occur in a prompt left out; a separate test at alpha',
    );
  const families = 1 + (campaigns > 0 ? 1 : 0) + (identity ? 1 : 0) + (canaries ? 1 : 0);
  if (families > 1)
    out.push(
      `overall: the provider verdict is the headline claim; the ${families} verdicts (provider${campaigns > 0 ? ', campaigns' : ''}${identity ? ', identity' : ''}${canaries ? ', canaries' : ''}) are each held at alpha, so the chance that any of them is falsely "marked" is at most ${families} x alpha`,
    );
  return out;
}
