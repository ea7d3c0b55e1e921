/**
 * The probe's answer cache: one append-only JSONL file per (suspect, model, sampling settings),
 * owner-only (answers of a suspect may be sensitive), each answer appended and flushed to the OS
 * as it arrives, so a crash or Ctrl-C loses at most the answers still in flight and a rerun asks
 * only what is missing. A record names its query by index and by the SHA-256 of its prompt: an
 * edited prompt file re-asks the changed prompts instead of reusing answers to other questions.
 * A torn last line (a killed writer) is cut off on open, so later appends stay parseable.
 *
 * The file keeps answers in arrival order, which the probe replays, so a resumed run's planned
 * looks see exactly the answer sets they saw before. It also records each test plan run on the
 * answers, so testing the same answers again under another plan (more queries, other schemes,
 * another alpha) is refused unless asked for: that is a new test the report cannot correct for.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LineageInputError } from '@lineage/core';

export interface CachedAnswer {
  readonly query: number;
  /** SHA-256 of the prompt, hex. */
  readonly prompt: string;
  readonly text: string;
  readonly finishReason?: string;
}

/** A test plan run on the cached answers (public values only). */
export type TestPlan = Readonly<Record<string, string | number | readonly string[]>>;

/** What identifies one answer stream: answers under other settings are different samples. */
export interface AnswerCacheScope {
  readonly baseUrl: string;
  readonly model: string;
  readonly maxTokens: number | null;
  readonly temperature: number | null;
}

const FORMAT = 'lineage-probe-cache';
/** A record longer than this is not ours (answers are bounded by the client at 16 MiB of JSON). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export function promptHash(prompt: string): string {
  return createHash('sha256').update(prompt, 'utf8').digest('hex');
}

export class AnswerCache {
  /** The cache file (safe to print: its name is a hash of the scope). */
  readonly path: string;
  readonly #fd: number;
  readonly #answers = new Map<number, CachedAnswer>();
  readonly #plans: string[] = [];
  /** Lines skipped on open: damaged or not a record of this format. */
  readonly skippedLines: number;

  /** Opens (or creates) the cache of `scope` in folder `dir`, reading every answer it holds. */
  constructor(dir: string, scope: AnswerCacheScope) {
    if (typeof dir !== 'string' || dir === '') throw new LineageInputError('the cache folder must be a non-empty path');
    const name = createHash('sha256')
      .update(JSON.stringify([FORMAT, scope.baseUrl, scope.model, scope.maxTokens, scope.temperature]))
      .digest('hex')
      .slice(0, 32);
    this.path = join(dir, `answers-${name}.jsonl`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.#fd = openSync(this.path, 'a+', 0o600);
    } catch (error) {
      throw new LineageInputError(
        `cannot open the answer cache in ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    try {
      this.skippedLines = this.#load();
    } catch (error) {
      closeSync(this.#fd);
      throw error;
    }
  }

  /** Cached answers held. */
  get size(): number {
    return this.#answers.size;
  }

  /** Every cached answer in arrival order (a query answered twice keeps its first place). */
  entries(): IterableIterator<CachedAnswer> {
    return this.#answers.values();
  }

  /** The test plans recorded so far, oldest first, as canonical JSON. */
  get plans(): readonly string[] {
    return this.#plans;
  }

  /** Records that `plan` is about to test these answers (once per distinct plan). */
  recordPlan(plan: TestPlan): void {
    const json = canonicalPlan(plan);
    if (this.#plans.includes(json)) return;
    this.#append(`${JSON.stringify({ v: 1, plan: JSON.parse(json) })}\n`);
    this.#plans.push(json);
  }

  /** The cached answer to query `query` if it was asked with this very prompt. */
  get(query: number, prompt: string): CachedAnswer | undefined {
    const found = this.#answers.get(query);
    return found !== undefined && found.prompt === promptHash(prompt) ? found : undefined;
  }

  /** Appends an answer (one write of one line, so a crash leaves whole lines or a torn last one). */
  put(query: number, prompt: string, text: string, finishReason?: string): CachedAnswer {
    if (!Number.isSafeInteger(query) || query < 0)
      throw new LineageInputError(`a query index must be a non-negative integer, got ${query}`);
    const record: CachedAnswer = { query, prompt: promptHash(prompt), text, ...(finishReason === undefined ? {} : { finishReason }) };
    this.#append(`${JSON.stringify({ v: 1, ...record })}\n`);
    if (!this.#answers.has(query)) this.#answers.set(query, record);
    return record;
  }

  #append(text: string): void {
    const line = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < line.length; ) offset += writeSync(this.#fd, line, offset);
  }

  close(): void {
    closeSync(this.#fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #load(): number {
    const size = fstatSync(this.#fd).size;
    let skipped = 0;
    let position = 0;
    let pending = Buffer.alloc(0);
    const chunk = Buffer.alloc(1 << 20);
    let lastNewline = -1;
    while (position < size) {
      const read = readSync(this.#fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      let data = Buffer.concat([pending, chunk.subarray(0, read)]);
      const base = position - pending.length;
      position += read;
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        if (!this.#accept(data.subarray(start, nl))) skipped++;
        lastNewline = base + nl;
        start = nl + 1;
      }
      data = data.subarray(start);
      if (data.length > MAX_RECORD_BYTES)
        throw new LineageInputError(`${this.path} has a line over ${MAX_RECORD_BYTES} bytes: not an answer cache`);
      pending = Buffer.from(data);
    }
    // A torn last line: an answer that was being written when the process died.
    if (lastNewline + 1 < size) {
      ftruncateSync(this.#fd, lastNewline + 1);
      skipped++;
    }
    return skipped;
  }

  #accept(line: Buffer): boolean {
    if (line.length === 0) return true;
    let record: unknown;
    try {
      record = JSON.parse(line.toString('utf8'));
    } catch {
      return false;
    }
    if (typeof record !== 'object' || record === null) return false;
    const { v, query, prompt, text, finishReason, plan } = record as Record<string, unknown>;
    if (v === 1 && typeof plan === 'object' && plan !== null && !Array.isArray(plan)) {
      const json = canonicalPlan(plan as TestPlan);
      if (!this.#plans.includes(json)) this.#plans.push(json);
      return true;
    }
    if (v !== 1 || !Number.isSafeInteger(query) || (query as number) < 0) return false;
    if (typeof prompt !== 'string' || !/^[0-9a-f]{64}$/.test(prompt) || typeof text !== 'string') return false;
    if (finishReason !== undefined && typeof finishReason !== 'string') return false;
    if (!this.#answers.has(query as number))
      this.#answers.set(query as number, { query: query as number, prompt, text, ...(finishReason === undefined ? {} : { finishReason }) });
    return true;
  }
}

/** JSON with sorted keys, so equal plans compare equal. */
export function canonicalPlan(plan: TestPlan): string {
  return JSON.stringify(Object.fromEntries(Object.entries(plan).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
