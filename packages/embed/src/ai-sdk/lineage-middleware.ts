/**
 * Lineage for the Vercel AI SDK (v5, LanguageModelV2 middleware): `wrapLanguageModel({ model,
 * middleware: lineageMiddleware({ key }) })` marks every text part a model returns, whole
 * (`generateText`) or streamed (`streamText`), with the lexical scheme for the call's account,
 * and inserts canaries when a `CanaryMarker` is given. Reasoning, tool calls, files, sources and
 * metadata pass through untouched and in order. For any other Web Streams pipeline that only
 * sees text, `markTextStream` from `@lineage/embed/text` does the same job.
 *
 * The account of a call: `providerOptions.lineage.accountId` / `.campaignId`, else
 * `accountFrom(params)`, else `account`. A call with no account at all passes through unmarked:
 * a middleware sits in someone else's pipeline and must not break it for a missing option (an
 * unmarked answer is a loss of evidence, a failed answer is an outage). An account that is
 * given but invalid (a bad id, a campaign not in the key) is a configuration error and throws
 * `LineageInputError` before the model is called.
 */
import type {
  LanguageModelV2CallOptions,
  LanguageModelV2Content,
  LanguageModelV2Middleware,
  LanguageModelV2Prompt,
  LanguageModelV2StreamPart,
} from '@ai-sdk/provider';
import { type LexicalRewriter, LineageInputError, type LineageKey } from '@lineage/core';
import type { CanaryMarker } from '../canary/canary-marker.js';
import type { CanaryRequest } from '../canary/canary-policy.js';
import { LexicalMarker } from '../lexical-marker.js';

/** The account a response is served to, and the campaign it was flagged into, if any. */
export interface LineageAccount {
  readonly accountId: string;
  readonly campaignId?: string;
}

export interface LineageMiddlewareOptions {
  readonly key: LineageKey;
  /** The account used when the call names none (a single-tenant app). Default: none. */
  readonly account?: LineageAccount;
  /** Resolves the account from the call (headers you put into providerOptions, the prompt, …). */
  readonly accountFrom?: (params: LanguageModelV2CallOptions) => LineageAccount | undefined;
  /**
   * Inserts and records canaries (its policy decides per account and prompt). The prompt is the
   * text of the last user message; the canary goes into the response's first text part only.
   */
  readonly canaries?: CanaryMarker;
}

/** Markers are cheap to keep and cost key derivations to build: keep the recent ones. */
const MARKER_CACHE = 256;

export function lineageMiddleware(options: LineageMiddlewareOptions): LanguageModelV2Middleware {
  const { key, canaries } = options;
  const markers = new Map<string, LexicalMarker>();
  const markerFor = (account: LineageAccount): LexicalMarker => {
    const id = `${account.accountId}\u0000${account.campaignId ?? ''}`;
    let marker = markers.get(id);
    if (marker) {
      markers.delete(id);
    } else {
      marker = new LexicalMarker({ key, ...account });
      if (markers.size >= MARKER_CACHE) markers.delete(markers.keys().next().value as string);
    }
    markers.set(id, marker);
    return marker;
  };
  const resolve = (params: LanguageModelV2CallOptions) => {
    const account = accountOf(params, options);
    if (!account) return undefined;
    const marker = markerFor(account);
    const request = canaries ? canaryRequest(account, params.prompt) : undefined;
    return { marker, request };
  };

  return {
    middlewareVersion: 'v2',
    wrapGenerate: async ({ doGenerate, params }) => {
      const call = resolve(params);
      const result = await doGenerate();
      if (!call) return result;
      let canaryTurn = call.request !== undefined;
      const content = result.content.map((part): LanguageModelV2Content => {
        if (part.type !== 'text') return part;
        let text = part.text;
        if (canaryTurn && canaries && call.request) {
          canaryTurn = false;
          text = canaries.mark({ ...call.request, text }).text;
        }
        return { ...part, text: call.marker.mark(text) };
      });
      return { ...result, content };
    },
    wrapStream: async ({ doStream, params }) => {
      const call = resolve(params);
      const result = await doStream();
      if (!call) return result;
      let canaryTurn = call.request !== undefined;
      const open = new Map<string, TextPipeline>();
      const pipelineFor = (id: string): TextPipeline => {
        let pipeline = open.get(id);
        if (!pipeline) {
          const request = canaryTurn ? call.request : undefined;
          canaryTurn = false;
          pipeline = new TextPipeline(call.marker.rewriter(), canaries && request ? canaries.stream(request) : undefined);
          open.set(id, pipeline);
        }
        return pipeline;
      };
      const flushAll = async (controller: TransformStreamDefaultController<LanguageModelV2StreamPart>) => {
        for (const [id, pipeline] of open) {
          open.delete(id);
          const rest = await pipeline.end();
          if (rest !== '') controller.enqueue({ type: 'text-delta', id, delta: rest });
        }
      };
      const stream = result.stream.pipeThrough(
        new TransformStream<LanguageModelV2StreamPart, LanguageModelV2StreamPart>({
          async transform(part, controller) {
            switch (part.type) {
              case 'text-start':
                pipelineFor(part.id);
                controller.enqueue(part);
                return;
              case 'text-delta': {
                const delta = await pipelineFor(part.id).push(part.delta);
                if (delta !== '') controller.enqueue({ ...part, delta });
                return;
              }
              case 'text-end': {
                const pipeline = open.get(part.id);
                if (pipeline) {
                  open.delete(part.id);
                  const rest = await pipeline.end();
                  if (rest !== '') controller.enqueue({ type: 'text-delta', id: part.id, delta: rest });
                }
                controller.enqueue(part);
                return;
              }
              case 'finish':
                // A provider that never closed a text part: its held-back text still goes out.
                await flushAll(controller);
                controller.enqueue(part);
                return;
              default:
                controller.enqueue(part);
            }
          },
          flush: flushAll,
        }),
      );
      return { ...result, stream };
    },
  };
}

/** The call's account: providerOptions.lineage, then `accountFrom`, then the default. */
function accountOf(params: LanguageModelV2CallOptions, options: LineageMiddlewareOptions): LineageAccount | undefined {
  const lineage = params.providerOptions?.['lineage'];
  if (lineage !== undefined) {
    const { accountId, campaignId } = lineage;
    if (accountId !== undefined || campaignId !== undefined) {
      if (typeof accountId !== 'string') {
        throw new LineageInputError('providerOptions.lineage.accountId must be a string naming the account served');
      }
      if (campaignId !== undefined && campaignId !== null && typeof campaignId !== 'string') {
        throw new LineageInputError('providerOptions.lineage.campaignId, when present, must be a string');
      }
      return typeof campaignId === 'string' ? { accountId, campaignId } : { accountId };
    }
  }
  return options.accountFrom?.(params) ?? options.account;
}

/** The canary request of a call, keyed on the last user message's text (none without one). */
function canaryRequest(account: LineageAccount, prompt: LanguageModelV2Prompt): CanaryRequest | undefined {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i];
    if (message?.role !== 'user') continue;
    const text = message.content
      .filter((part) => part.type === 'text')
      .map((part) => part.text)
      .join('\n');
    // Like the CLI: a response without a prompt is marked but draws no canary (all would share one).
    if (text === '') return undefined;
    return { ...account, prompt: text };
  }
  return undefined;
}

/**
 * One streamed text part: canary inserter, then lexical rewriter. The canary marker is a
 * TransformStream (it records in the ledger before the chunk completing the canary goes out);
 * a read is always pending on it, so each chunk it passes arrives before its write settles.
 */
class TextPipeline {
  readonly #rewriter: LexicalRewriter;
  readonly #writer: WritableStreamDefaultWriter<string> | undefined;
  readonly #pump: Promise<void> | undefined;
  #held = '';

  constructor(rewriter: LexicalRewriter, canary: TransformStream<string, string> | undefined) {
    this.#rewriter = rewriter;
    if (!canary) return;
    this.#writer = canary.writable.getWriter();
    const reader = canary.readable.getReader();
    this.#pump = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        this.#held += value;
      }
    })();
    // Failures surface through the writer and `end`; this only silences the duplicate.
    this.#pump.catch(() => {});
  }

  /** The marked text that is final after `delta`. */
  async push(delta: string): Promise<string> {
    if (!this.#writer) return this.#rewriter.push(delta);
    await this.#writer.write(delta);
    return this.#rewriter.push(this.#take());
  }

  /** The rest of the marked text. */
  async end(): Promise<string> {
    if (this.#writer) {
      await this.#writer.close();
      await this.#pump;
    }
    const out = this.#rewriter.push(this.#take());
    return out + this.#rewriter.end();
  }

  #take(): string {
    const held = this.#held;
    this.#held = '';
    return held;
  }
}
