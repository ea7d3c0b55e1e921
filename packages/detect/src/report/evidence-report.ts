/**
 * The evidence report of a suspect probe: a versioned JSON object that states what was tested,
 * how, with which corrections, and the results, so that a third party later shown the key can
 * recompute every number. It names the key only by id and commitment, the suspect by its base
 * URL (credentials, query and fragment removed) and model, and the prompt set by a hash: no
 * secret, prompt or API key ever appears in it. The HTML page (report-html.ts) is rendered
 * from this object alone.
 */
import type { CampaignResult, CorrectedResult, IdentityResult } from '../channel-detection.js';
import type { ReadingModeResult } from '../reading-mode.js';

export const EVIDENCE_REPORT_FORMAT = 'lineage-evidence-report';
export const EVIDENCE_REPORT_VERSION = 1;

/** One point of a test's course: the test run on the first `answers` answers. */
export interface TracePoint {
  readonly answers: number;
  /** Tuples scored after de-duplication and exclusion. */
  readonly scored: number;
  readonly score: number;
  readonly expected: number;
  /** Corrected like the final result (schemes, looks). */
  readonly log10P: number;
}

/** The provider test of one scheme over the course of the probe (the charts' data). */
export interface SchemeTrace {
  readonly scheme: string;
  /**
   * The null probability of a "hit" when the statistic counts hits (green tokens, lexical
   * matches): the rate chart shows score / scored against it. Absent for sums of scores.
   */
  readonly hitProbability?: number;
  readonly points: readonly TracePoint[];
}

export interface CanaryFindings {
  /** Distinct ledger draws tested, and those left out because a prompt contains their words. */
  readonly draws: number;
  readonly excludedDraws: number;
  readonly shapedWindows: number;
  readonly hits: readonly { readonly canary: string; readonly account: string; readonly campaign?: string; readonly occurrences: number }[];
  readonly expected: number;
  readonly pValue: number;
  readonly log10P: number;
  readonly verdict: 'marked' | 'not-marked';
  /**
   * The canaries this report publishes (its hits): once shown to anyone they may enter
   * training data, so later scans should leave them out.
   */
  readonly burned: readonly string[];
}

export interface QueryCounts {
  /** Queries the run planned (prompts x rounds, capped by --max-queries). */
  readonly planned: number;
  /** Answers used by the tests. */
  readonly answered: number;
  /** Requests sent to the suspect in this run (answers not taken from the cache). */
  readonly asked: number;
  /** Answers read from the cache instead of asking again. */
  readonly cached: number;
  /** Queries that failed for good (refused prompt, persistent error); their prompts are not scored. */
  readonly failed: number;
  /** Queries never asked: early stop, interruption or a fatal error. */
  readonly skipped: number;
  /** HTTP requests made, retries included. */
  readonly requests: number;
  /** Tokens of the answers used, with the key's tokenizer. */
  readonly answerTokens: number;
  /**
   * SHA-256 over the answers used, in the order tested (each as UTF-8 behind its 4-byte length),
   * hex: with the key, the prompts and the answer cache, anyone can recompute every number.
   */
  readonly answersSha256: string;
}

export interface SequentialPlan {
  /** Planned looks at the data; every p-value is multiplied by this number (Bonferroni alpha spending). */
  readonly looks: number;
  /** Answers after which each look runs. */
  readonly lookAt: readonly number[];
  /** The look at which the provider test was decisive, if it stopped early. */
  readonly stoppedAtLook: number | null;
  readonly rule: string;
}

export interface EvidenceReport {
  readonly format: typeof EVIDENCE_REPORT_FORMAT;
  readonly version: typeof EVIDENCE_REPORT_VERSION;
  readonly tool: { readonly name: 'lineage'; readonly version: string };
  readonly startedAt: string;
  readonly finishedAt: string;
  /** 'complete', or why the run ended before its plan: 'stopped-early', 'interrupted', 'failed'. */
  readonly status: 'complete' | 'stopped-early' | 'interrupted' | 'failed';
  /** The error that ended a failed run (never containing a key). */
  readonly error?: string;
  readonly suspect: { readonly baseUrl: string; readonly model: string };
  readonly key: { readonly keyId: string; readonly commitment: string; readonly tokenizer: string };
  readonly prompts: {
    readonly count: number;
    /** SHA-256 over the prompts in order (each as UTF-8 with a 4-byte length prefix), hex. */
    readonly sha256: string;
  };
  readonly settings: {
    readonly alpha: number;
    readonly schemes: readonly string[];
    readonly maxTokens: number | null;
    readonly temperature: number | null;
    readonly concurrency: number;
    readonly registeredAccounts: number;
    /** The supervised filter, when one restricted scoring to windows seen in served outputs. */
    readonly filter: { readonly kind: 'served-windows'; readonly texts: number; readonly sha256: string } | null;
  };
  readonly sequential: SequentialPlan;
  /** Every correction applied, in words. */
  readonly corrections: readonly string[];
  /** The most significant provider result over the schemes tested (each already corrected). */
  readonly provider: CorrectedResult;
  /** The provider result of every scheme. */
  readonly schemes: readonly CorrectedResult[];
  readonly campaigns: readonly CampaignResult[];
  readonly identity: readonly IdentityResult[];
  /** Null without a ledger. */
  readonly canaries: CanaryFindings | null;
  readonly queries: QueryCounts;
  readonly traces: readonly SchemeTrace[];
  /**
   * The open-weight reading-mode test (marked texts fed through the suspect's own next-token
   * distributions), a separate test at alpha; absent or null when it was not run.
   */
  readonly reading?: ReadingModeResult | null;
}
