/**
 * One chat completion as a stream of served tokens, shared by the streaming and the
 * one-shot responses of the chat server so both serve exactly the same text.
 *
 * With a token-level scheme the sampler hook chooses every token as it is generated. With a
 * text-level scheme the whole response is generated first, rewritten by the text hook, and the
 * rewritten text is re-tokenized and served token by token: logprobs then describe the served
 * (marked) tokens under the model, never the unmarked draft, which would give the mark away.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Tokenizer } from '@lineage/core/tokenizer';
import type { ChatRequest } from './chat-request.js';
import { type FinishReason, generateTokens } from './generation.js';
import { IncrementalDetokenizer } from './incremental-detokenizer.js';
import type { LanguageModel, UniformSource } from './language-model.js';
import type { TextMarkerHook, TokenSamplerHook } from './marking-hooks.js';

/** OpenAI's `choices[0].logprobs.content[i]`. */
export interface LogprobEntry {
  readonly token: string;
  readonly logprob: number;
  readonly bytes: number[] | null;
  readonly top_logprobs: { readonly token: string; readonly logprob: number; readonly bytes: number[] | null }[];
}

export interface ServedToken {
  readonly id: number;
  /** Text this token completes ('' while a UTF-8 character is split across tokens). */
  readonly text: string;
  /** Present when the request asked for logprobs. */
  readonly logprob?: LogprobEntry;
}

export interface CompletionEnd {
  readonly finishReason: FinishReason;
  /** Text held back at the end (a character that never completed decodes to U+FFFD). */
  readonly tail: string;
  readonly completionTokens: number;
}

export interface CompletionSetup {
  readonly model: LanguageModel;
  readonly tokenizer: Tokenizer;
  readonly prompt: ArrayLike<number>;
  readonly request: ChatRequest;
  readonly random: UniformSource;
  readonly sampler?: TokenSamplerHook;
  readonly textMarker?: TextMarkerHook;
  /** Stops generation (client gone, server closing); the generator then returns undefined. */
  readonly signal: AbortSignal;
  /** Tokens between yields to the event loop, so one long generation never starves the others. */
  readonly yieldEvery: number;
}

/** Names the boundary token in logprobs; it is never decoded, so it has no bytes. */
export const BOUNDARY_TOKEN_TEXT = '<|endoftext|>';
/** What OpenAI reports for a token the model gives probability zero. */
const LOGPROB_FLOOR = -9999;

export async function* serveCompletion(setup: CompletionSetup): AsyncGenerator<ServedToken, CompletionEnd | undefined> {
  const { model, tokenizer, request, signal, yieldEvery } = setup;
  const generated = generateTokens(model, {
    prompt: setup.prompt,
    maxTokens: request.maxTokens,
    temperature: request.temperature,
    topP: request.topP,
    random: setup.random,
    ...(setup.sampler === undefined ? {} : { sampler: setup.sampler }),
  });
  let source: Iterator<number, FinishReason> = generated;
  if (setup.textMarker !== undefined) {
    const draft: number[] = [];
    let step = generated.next();
    for (; !step.done; step = generated.next()) {
      draft.push(step.value);
      if (draft.length % yieldEvery === 0) {
        await nextTurn();
        if (signal.aborted) return undefined;
      }
    }
    const marked = setup.textMarker.markText(tokenizer.decode(draft));
    source = _replay(tokenizer.encode(marked), step.value);
  }

  const context = Array.from(setup.prompt);
  const text = new IncrementalDetokenizer(tokenizer);
  const logprobs = request.logprobs ? new LogprobReader(model, tokenizer, request.topLogprobs) : undefined;
  let completionTokens = 0;
  for (;;) {
    if (signal.aborted) return undefined;
    const step = source.next();
    if (step.done) return { finishReason: step.value, tail: text.flush(), completionTokens };
    const id = step.value;
    const logprob = logprobs?.entry(context, id);
    context.push(id);
    completionTokens++;
    yield { id, text: text.push(id), ...(logprob === undefined ? {} : { logprob }) };
    if (completionTokens % yieldEvery === 0) await nextTurn();
  }
}

/** Logprobs in OpenAI's shape, read from the model on the context before each token. */
export class LogprobReader {
  readonly #model: LanguageModel;
  readonly #tokenizer: Tokenizer;
  readonly #top: number;

  constructor(model: LanguageModel, tokenizer: Tokenizer, top: number) {
    this.#model = model;
    this.#tokenizer = tokenizer;
    this.#top = top;
  }

  entry(context: ArrayLike<number>, token: number): LogprobEntry {
    const top = this.#top > 0 ? this.#model.topLogProbs(context, this.#top) : [];
    return {
      ...this.#describe(token),
      logprob: _finite(this.#model.logProb(context, token)),
      top_logprobs: top.map((t) => ({ ...this.#describe(t.token), logprob: _finite(t.logProb) })),
    };
  }

  #describe(token: number): { token: string; bytes: number[] | null } {
    if (token === this.#model.boundaryId || token >= this.#tokenizer.vocabSize) return { token: BOUNDARY_TOKEN_TEXT, bytes: null };
    const bytes = this.#tokenizer.decodeBytes([token]);
    return { token: new TextDecoder().decode(bytes), bytes: Array.from(bytes) };
  }
}

function* _replay(ids: ArrayLike<number>, finishReason: FinishReason): Generator<number, FinishReason> {
  for (let i = 0; i < ids.length; i++) yield ids[i] as number;
  return finishReason;
}

function _finite(logProb: number): number {
  return Number.isFinite(logProb) ? logProb : LOGPROB_FLOOR;
}
