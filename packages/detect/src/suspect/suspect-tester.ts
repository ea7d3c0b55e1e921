/**
 * The tests a probe runs on a suspect's answers: every scheme's provider channel
 * (radioactivity), each campaign in the key file, and the identity channel, over the answers
 * as one sample with one scoring tape and the prompts' windows excluded (a clean model that
 * echoes a marked prompt must not look marked). Answers are tokenized once, as they arrive;
 * a test can run on the first `count` answers only (the sequential looks and the charts).
 *
 * Corrections: each p-value is Bonferroni-corrected for the schemes tested together and the
 * planned looks; campaign p-values also for the number of campaigns (channel-detection.ts).
 */
import { LineageInputError, type LineageKey } from '@lineage/core';
import type { Tokenizer } from '@lineage/core/tokenizer';
import type { AccountDirectory } from '../account-directory.js';
import type { CampaignResult, CorrectedResult, IdentityResult } from '../channel-detection.js';
import { detectTokens, TOKEN_SCHEMES, type TokenSchemeName } from '../detect-tokens.js';
import { detectLexical } from '../lexical-detector.js';

export const PROBE_SCHEMES = [...TOKEN_SCHEMES, 'lexical'] as const;
export type ProbeSchemeName = (typeof PROBE_SCHEMES)[number];

export interface SuspectTesterOptions {
  readonly key: LineageKey;
  /** The key's tokenizer; the caller keeps ownership. */
  readonly tokenizer: Tokenizer;
  readonly schemes: readonly ProbeSchemeName[];
  readonly alpha: number;
  readonly looks: number;
  /** Registered accounts: decodes the identity channel too. */
  readonly accounts?: AccountDirectory;
  /** The probe prompts: their windows are never scored. */
  readonly prompts: readonly string[];
}

export interface SuspectTestResults {
  /** One provider result per scheme, in `schemes` order. */
  readonly schemes: readonly CorrectedResult[];
  readonly campaigns: readonly CampaignResult[];
  readonly identity: readonly IdentityResult[];
}

export class SuspectTester {
  readonly #options: SuspectTesterOptions;
  readonly #promptTokens: Uint32Array[];
  readonly #answers: string[] = [];
  readonly #answerTokens: Uint32Array[] = [];
  #tokens = 0;

  constructor(options: SuspectTesterOptions) {
    const { schemes } = options;
    if (schemes.length === 0) throw new LineageInputError('test at least one scheme');
    for (const s of schemes)
      if (!(PROBE_SCHEMES as readonly string[]).includes(s))
        throw new LineageInputError(`unknown scheme ${JSON.stringify(s)}; use ${PROBE_SCHEMES.join(', ')} or auto`);
    if (new Set(schemes).size !== schemes.length) throw new LineageInputError('a scheme is listed twice');
    this.#options = options;
    this.#promptTokens = options.prompts.map((p) => this.#encode(p));
  }

  /** Answers added so far. */
  get answers(): number {
    return this.#answers.length;
  }

  /** Tokens of the answers added so far, with the key's tokenizer. */
  get answerTokens(): number {
    return this.#tokens;
  }

  /** Tokens of the first `count` answers. */
  tokensOf(count: number): number {
    let tokens = 0;
    for (let i = 0; i < count; i++) tokens += (this.#answerTokens[i] as Uint32Array).length;
    return tokens;
  }

  /** The first `count` answers. */
  texts(count: number): readonly string[] {
    return this.#answers.slice(0, count);
  }

  add(answer: string): void {
    const tokens = this.#encode(answer);
    this.#answers.push(answer);
    this.#answerTokens.push(tokens);
    this.#tokens += tokens.length;
  }

  /** The provider result of every scheme on the first `count` answers. */
  provider(count = this.answers): CorrectedResult[] {
    return this.#run(count, false).schemes as CorrectedResult[];
  }

  /** Every channel on the first `count` answers. */
  all(count = this.answers): SuspectTestResults {
    return this.#run(count, true);
  }

  #run(count: number, identity: boolean): SuspectTestResults {
    if (!Number.isSafeInteger(count) || count < 0 || count > this.answers)
      throw new LineageInputError(`count must be an integer from 0 to ${this.answers}, got ${count}`);
    const { key, schemes, alpha, looks } = this.#options;
    const accounts = identity ? this.#options.accounts : undefined;
    const common = { key, alpha, looks, testedSchemes: schemes.length, ...(accounts ? { accounts } : {}) };
    const out: CorrectedResult[] = [];
    for (const scheme of schemes) {
      out.push(
        ...(scheme === 'lexical'
          ? detectLexical({ ...common, texts: this.#answers.slice(0, count), exclude: this.#options.prompts })
          : detectTokens({
              ...common,
              scheme: scheme as TokenSchemeName,
              texts: this.#answerTokens.slice(0, count),
              exclude: this.#promptTokens,
            })),
      );
    }
    return {
      schemes: out.filter((r) => r.channel === 'provider'),
      campaigns: out.filter((r): r is CampaignResult => r.channel === 'campaign'),
      identity: out.filter((r): r is IdentityResult => r.channel === 'identity'),
    };
  }

  #encode(text: string): Uint32Array {
    try {
      return this.#options.tokenizer.encode(text);
    } catch (error) {
      throw new LineageInputError(`a text cannot be tokenized: ${(error as Error).message}`);
    }
  }
}

/** The most significant of several results (each already corrected for being one of several). */
export function mostSignificant<T extends CorrectedResult>(results: readonly T[]): T {
  const [first, ...rest] = results;
  if (first === undefined) throw new LineageInputError('no result to choose from');
  return rest.reduce((best, r) => (r.log10P < best.log10P ? r : best), first);
}
