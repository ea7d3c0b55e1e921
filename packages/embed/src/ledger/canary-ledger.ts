/**
 * The canary ledger's contract: one record per canary inserted into a response, so that a
 * canary reproduced later (by the scanner, or by replaying the ledgered prompt to a suspect)
 * can be attributed to the account that received it. Any store (the embedded SQLite file in
 * sqlite-ledger.ts, or a shared database behind a fleet of proxies) implements `CanaryLedger`
 * and validates records with `validateCanaryRecord` before they reach storage.
 */
import { ID_PATTERN, isRecord, LineageInputError } from '@lineage/core';

export interface CanaryRecord {
  /** The account that received the canary (core's ID_PATTERN). */
  readonly accountId: string;
  /** The account's campaign when one was assigned (core's ID_PATTERN). */
  readonly campaignId?: string;
  /** The prompt answered; user data. Absent in hash-only mode. */
  readonly prompt?: string;
  /** 64 lowercase hex characters: a keyed HMAC of the prompt, computed by the caller. */
  readonly promptHash: string;
  /** The inserted canary text, 1 to 200 characters (code points). */
  readonly canary: string;
  /** Insertion time, integer milliseconds since the epoch. */
  readonly time: number;
  /** The id of the Lineage key the canary was derived under (1 to 64 characters). */
  readonly keyId: string;
}

/** 'text' stores prompts; 'hash' (hash-only mode) never stores prompt text, only `promptHash`. */
export type PromptStorage = 'text' | 'hash';

export interface CanaryLedger {
  /** Fixed when the store is created. */
  readonly promptStorage: PromptStorage;
  /**
   * Validates and stores one record; durable (to the store's documented durability) when it
   * returns. In hash-only mode a `prompt` is dropped before it reaches storage.
   */
  record(entry: CanaryRecord): void;
  /** Validates and stores records in one transaction: all of them, or none when one is invalid. */
  recordMany(entries: Iterable<CanaryRecord>): void;
  /** Records of the account with `time >= sinceMs` (for a per-account daily cap). */
  countForAccountSince(accountId: string, sinceMs: number): number;
  /** Every record in insertion order, streamed with bounded memory. */
  entries(): IterableIterator<CanaryRecord>;
  size(): number;
  close(): void;
}

export const MAX_CANARY_LENGTH = 200;
export const MAX_KEY_ID_LENGTH = 64;
const PROMPT_HASH = /^[0-9a-f]{64}$/;
const ID_RULE = `${ID_PATTERN.source.slice(1, -1)} (letters, digits and . _ : @ -)`;

/**
 * Checks an untrusted record and returns a copy holding only the contract's fields, with
 * absent optional fields omitted. Throws `LineageInputError` naming the bad field; messages
 * never contain the prompt or canary text. `where` prefixes the message (e.g. "canary record 3").
 */
export function validateCanaryRecord(entry: unknown, where = 'canary record'): CanaryRecord {
  const fail = (message: string): never => {
    throw new LineageInputError(`${where}: ${message}`);
  };
  if (!isRecord(entry)) return fail(`expected an object, got ${describe(entry)}`);
  const { accountId, campaignId, prompt, promptHash, canary, time, keyId } = entry;
  if (typeof accountId !== 'string' || !ID_PATTERN.test(accountId)) {
    fail(`accountId must be a string matching ${ID_RULE}, got ${describe(accountId)}`);
  }
  if (campaignId !== undefined && (typeof campaignId !== 'string' || !ID_PATTERN.test(campaignId))) {
    fail(`campaignId, when present, must be a string matching ${ID_RULE}, got ${describe(campaignId)}`);
  }
  if (prompt !== undefined) {
    if (typeof prompt !== 'string') fail(`prompt, when present, must be a string, got ${describe(prompt)}`);
    else if (!prompt.isWellFormed()) fail('prompt is not well-formed UTF-16 (it contains a lone surrogate)');
  }
  if (typeof promptHash !== 'string' || !PROMPT_HASH.test(promptHash)) {
    fail(`promptHash must be 64 lowercase hex characters (a keyed HMAC of the prompt), got ${describe(promptHash)}`);
  }
  if (typeof canary !== 'string') fail(`canary must be a string, got ${describe(canary)}`);
  else if (!canary.isWellFormed()) fail('canary is not well-formed UTF-16 (it contains a lone surrogate)');
  else if (canary.length === 0 || codePoints(canary) > MAX_CANARY_LENGTH) {
    fail(`canary must be 1 to ${MAX_CANARY_LENGTH} characters, got ${codePoints(canary)}`);
  }
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
    fail(`time must be a non-negative integer of milliseconds since the epoch, got ${describe(time)}`);
  }
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > MAX_KEY_ID_LENGTH || !keyId.isWellFormed()) {
    fail(`keyId must be a string of 1 to ${MAX_KEY_ID_LENGTH} characters, got ${describe(keyId)}`);
  }
  return {
    accountId: accountId as string,
    ...(campaignId === undefined ? {} : { campaignId: campaignId as string }),
    ...(prompt === undefined ? {} : { prompt: prompt as string }),
    promptHash: promptHash as string,
    canary: canary as string,
    time: time as number,
    keyId: keyId as string,
  };
}

/**
 * Writes every record of the ledger as JSONL: `write` is called once per record with one JSON
 * object followed by "\n", so the concatenation of all calls is a JSONL file. Fields come in a
 * stable order (accountId, campaignId, keyId, time, canary, promptHash, prompt); campaignId is
 * omitted when absent, prompt when absent and always in hash-only mode. Returns the count.
 */
export function exportLedgerJsonl(ledger: CanaryLedger, write: (line: string) => void): number {
  const withPrompt = ledger.promptStorage === 'text';
  let count = 0;
  for (const entry of ledger.entries()) {
    const ordered = {
      accountId: entry.accountId,
      ...(entry.campaignId === undefined ? {} : { campaignId: entry.campaignId }),
      keyId: entry.keyId,
      time: entry.time,
      canary: entry.canary,
      promptHash: entry.promptHash,
      ...(withPrompt && entry.prompt !== undefined ? { prompt: entry.prompt } : {}),
    };
    write(`${JSON.stringify(ordered)}\n`);
    count++;
  }
  return count;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** What went wrong with a value, without echoing long or free-form user text. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    if (value.length === 0) return 'an empty string';
    return value.length <= 64 && /^[\x21-\x7e]*$/.test(value) ? JSON.stringify(value) : `a string of length ${value.length}`;
  }
  if (typeof value === 'number') return String(value);
  return `a value of type ${typeof value}`;
}
