/**
 * The canary replay probe: asks a suspect model the prompts whose answers carried canaries, and
 * scans its answers. A student that memorised "the answer to this prompt" reproduces the canary
 * it saw there. Prompts are picked per group (an account, or the campaign an account was flagged
 * into) so every harvesting group gets asked, earliest ledgered first.
 *
 * The p-value scans all answers as one sample against every ledger draw. It stays exact although
 * the prompts come from the ledger: a draw depends on the key, the account and the prompt, and
 * the suspect's answer depends on the prompt alone. A prompt can quote an earlier canary-bearing
 * answer (a follow-up turn, "shorten this letter: …"), and a clean suspect that echoes it would
 * copy that canary, so every draw whose invented words occur in any replayed prompt is left out
 * of the test: the rest are independent of the prompts, and so of the answers.
 */
import { LineageInputError } from '@lineage/core';
import type { ChatClient } from '../probe/chat-client.js';
import { mapConcurrent } from '../probe/concurrency.js';
import { failsThisQueryOnly } from '../probe/query-failure.js';
import type { CanaryHit, CanaryScanner, CanaryScanResult, LedgeredCanary } from './canary-scanner.js';

/** A ledger entry as the probe needs it: the prompt text must have been kept. */
export interface ReplayCandidate extends LedgeredCanary {
  readonly prompt?: string;
  readonly time: number;
}

export interface ReplayPrompt {
  readonly prompt: string;
  readonly accountId: string;
  readonly campaignId?: string;
  readonly canary: string;
}

export interface ReplaySelection {
  readonly prompts: readonly ReplayPrompt[];
  readonly groups: number;
  /** Ledger entries with no prompt text (hash-only ledgers cannot be replayed). */
  readonly withoutPrompt: number;
}

/**
 * Up to `perGroup` distinct prompts per group, earliest first. Memory: one small list per group
 * (bounded by perGroup), whatever the ledger's size.
 */
export function selectReplayPrompts(entries: Iterable<ReplayCandidate>, options: { readonly perGroup?: number } = {}): ReplaySelection {
  const perGroup = options.perGroup ?? 3;
  if (!Number.isSafeInteger(perGroup) || perGroup < 1) throw new LineageInputError(`perGroup must be a positive integer, got ${perGroup}`);
  const groups = new Map<string, ReplayCandidate[]>();
  let withoutPrompt = 0;
  for (const entry of entries) {
    if (entry.prompt === undefined) {
      withoutPrompt++;
      continue;
    }
    const group = entry.campaignId === undefined ? `account\u0000${entry.accountId}` : `campaign\u0000${entry.campaignId}`;
    const chosen = groups.get(group) ?? [];
    if (chosen.some((c) => c.promptHash === entry.promptHash)) continue;
    chosen.push(entry);
    chosen.sort((a, b) => a.time - b.time);
    if (chosen.length > perGroup) chosen.pop();
    groups.set(group, chosen);
  }
  const prompts: ReplayPrompt[] = [];
  for (const chosen of groups.values()) {
    for (const c of chosen) {
      prompts.push({
        prompt: c.prompt as string,
        accountId: c.accountId,
        ...(c.campaignId === undefined ? {} : { campaignId: c.campaignId }),
        canary: c.canary,
      });
    }
  }
  return { prompts, groups: groups.size, withoutPrompt };
}

export interface ReplayAnswer {
  readonly asked: ReplayPrompt;
  /** Undefined when the request failed after its retries. */
  readonly answer?: string;
  readonly error?: string;
  /** Whether the answer holds the canary the ledger recorded for this prompt. */
  readonly reproduced: boolean;
  readonly hits: readonly CanaryHit[];
}

export interface ReplayGroupSummary {
  readonly account?: string;
  readonly campaign?: string;
  readonly asked: number;
  readonly reproduced: number;
}

export interface ReplayProbeReport {
  readonly asked: number;
  readonly answered: number;
  readonly failed: number;
  readonly answers: readonly ReplayAnswer[];
  /** Every answer scanned as one sample against every ledger draw. */
  readonly scan: CanaryScanResult;
  readonly groups: readonly ReplayGroupSummary[];
}

export interface ReplayProbeOptions {
  readonly client: ChatClient;
  readonly scanner: CanaryScanner;
  readonly prompts: readonly ReplayPrompt[];
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Called as each answer arrives (progress). */
  readonly onAnswer?: (answer: ReplayAnswer, done: number) => void;
}

export async function replayProbe(options: ReplayProbeOptions): Promise<ReplayProbeReport> {
  const { client, scanner, prompts } = options;
  let done = 0;
  const answers = await mapConcurrent(
    prompts,
    options.concurrency ?? 4,
    async (asked): Promise<ReplayAnswer> => {
      try {
        const { text } = await client.complete(asked.prompt, options.signal ? { signal: options.signal } : {});
        const result = scanner.scan(text);
        const reproduced = result.hits.some((h) => h.canary === asked.canary && h.account === asked.accountId);
        return { asked, answer: text, reproduced, hits: result.hits };
      } catch (error) {
        // A wrong endpoint, a redirect or a rejected key stops the probe; other failures fail this prompt only.
        if (failsThisQueryOnly(error)) return { asked, error: error.message, reproduced: false, hits: [] };
        throw error;
      }
    },
    (answer) => options.onAnswer?.(answer, ++done),
    options.signal ? { signal: options.signal } : {},
  );
  const session = scanner.session({ exclude: prompts.map((p) => p.prompt) });
  for (const a of answers) {
    if (a.answer === undefined) continue;
    session.push(a.answer);
    session.separate();
  }
  const groups = new Map<string, { account?: string; campaign?: string; asked: number; reproduced: number }>();
  for (const a of answers) {
    const key = a.asked.campaignId === undefined ? `a\u0000${a.asked.accountId}` : `c\u0000${a.asked.campaignId}`;
    const group =
      groups.get(key) ??
      (a.asked.campaignId === undefined
        ? { account: a.asked.accountId, asked: 0, reproduced: 0 }
        : { campaign: a.asked.campaignId, asked: 0, reproduced: 0 });
    group.asked++;
    if (a.reproduced) group.reproduced++;
    groups.set(key, group);
  }
  const failed = answers.filter((a) => a.answer === undefined).length;
  return { asked: answers.length, answered: answers.length - failed, failed, answers, scan: session.end(), groups: [...groups.values()] };
}
