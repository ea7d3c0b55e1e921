/**
 * Marking one account's answers: a canary first (when a CanaryMarker is configured and its
 * policy picks the response), then the lexical marker, in the order `lineage embed` applies
 * them. Whole answers go through `mark`; streamed answers through a `TextPipeline` per choice,
 * whose concatenated output equals `mark` of the concatenated input for any chunking.
 */
import type { LineageKey } from '@lineage/core';
import type { CanaryMarker, CanaryOutcome } from '@lineage/embed/canary';
import { LexicalMarker } from '@lineage/embed/text';
import type { ResolvedAccount } from './account-resolver.js';

/** An incremental marker for one streamed text: `push` returns the text final so far, `end` the rest. */
export interface TextPipeline {
  push(text: string): Promise<string>;
  end(): Promise<string>;
}

/** Canary markers: `campaignMarker` (same key and ledger, the flagged rate) serves accounts in a campaign. */
export interface ResponseCanaries {
  readonly marker: CanaryMarker;
  /** For accounts in a campaign (flagged by traffic analytics); default `marker`. */
  readonly campaignMarker?: CanaryMarker | undefined;
}

export interface ResponseMarkerOptions {
  readonly key: LineageKey;
  readonly canaries?: ResponseCanaries | undefined;
  /** Lexical markers kept per account (default 10,000): building one derives the account's keys. */
  readonly cacheSize?: number;
}

export interface MarkedText {
  readonly text: string;
  readonly canary: boolean;
}

export class ResponseMarker {
  readonly #key: LineageKey;
  readonly #canaries: ResponseCanaries | undefined;
  readonly #cacheSize: number;
  readonly #markers = new Map<string, LexicalMarker>();

  constructor(options: ResponseMarkerOptions) {
    this.#key = options.key;
    this.#canaries = options.canaries;
    this.#cacheSize = options.cacheSize ?? 10_000;
  }

  /**
   * Builds (and caches) the account's marker; throws LineageInputError when the account cannot be
   * marked, such as a campaign the key does not register. Call it before spending an upstream call.
   */
  prepare(account: ResolvedAccount): void {
    this.#lexical(account);
  }

  /** Marks one whole answer; `canary: false` skips the canary (another choice of the response has it). */
  mark(account: ResolvedAccount, prompt: string, text: string, options: { readonly canary?: boolean } = {}): MarkedText {
    let canary = false;
    const canaries = options.canary === false ? undefined : this.#canaryMarker(account);
    if (canaries) {
      const outcome = canaries.mark({ ...request(account, prompt), text });
      text = outcome.text;
      canary = outcome.canary !== undefined;
    }
    return { text: this.#lexical(account).mark(text), canary };
  }

  /**
   * A pipeline for one streamed answer; `onCanary` learns whether a canary went out; with
   * `canary: false` the pipeline carries no canary.
   */
  pipeline(
    account: ResolvedAccount,
    prompt: string,
    onCanary?: (outcome: CanaryOutcome) => void,
    options: { readonly canary?: boolean } = {},
  ): TextPipeline {
    const lexical = this.#lexical(account).rewriter();
    const canaries = options.canary === false ? undefined : this.#canaryMarker(account);
    if (!canaries) {
      return {
        push: async (text) => lexical.push(text),
        end: async () => lexical.end(),
      };
    }
    const stage = new _StreamStage(canaries.stream(request(account, prompt), onCanary));
    return {
      push: async (text) => lexical.push(await stage.push(text)),
      end: async () => {
        const rest = await stage.end();
        return lexical.push(rest) + lexical.end();
      },
    };
  }

  #canaryMarker(account: ResolvedAccount): CanaryMarker | undefined {
    if (!this.#canaries) return undefined;
    return account.campaignId === undefined ? this.#canaries.marker : (this.#canaries.campaignMarker ?? this.#canaries.marker);
  }

  #lexical(account: ResolvedAccount): LexicalMarker {
    const id = `${account.accountId}\u0000${account.campaignId ?? ''}`;
    let marker = this.#markers.get(id);
    if (marker) {
      // Refresh its place so the least recently used account is evicted first.
      this.#markers.delete(id);
    } else {
      marker = new LexicalMarker({
        key: this.#key,
        accountId: account.accountId,
        ...(account.campaignId === undefined ? {} : { campaignId: account.campaignId }),
      });
      if (this.#markers.size >= this.#cacheSize) this.#markers.delete(this.#markers.keys().next().value as string);
    }
    this.#markers.set(id, marker);
    return marker;
  }
}

function request(account: ResolvedAccount, prompt: string) {
  return { accountId: account.accountId, ...(account.campaignId === undefined ? {} : { campaignId: account.campaignId }), prompt };
}

/**
 * Drives a TransformStream one chunk at a time and collects what it emitted for that chunk. A
 * read is always pending, so each write runs the transform at once and its output is queued
 * before the write settles.
 */
class _StreamStage {
  readonly #writer: WritableStreamDefaultWriter<string>;
  readonly #reading: Promise<void>;
  #out: string[] = [];

  constructor(stream: TransformStream<string, string>) {
    this.#writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    this.#reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        this.#out.push(value);
      }
    })();
    // Errors surface through write/close; this only keeps the loop from an unhandled rejection.
    this.#reading.catch(() => {});
  }

  async push(text: string): Promise<string> {
    await this.#writer.write(text);
    // Let the pending read deliver what the transform enqueued.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.#take();
  }

  async end(): Promise<string> {
    await this.#writer.close();
    await this.#reading;
    return this.#take();
  }

  #take(): string {
    const out = this.#out.join('');
    this.#out = [];
    return out;
  }
}
