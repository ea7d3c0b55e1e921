/**
 * Marking chat-completion responses in the OpenAI shape, keeping every other field: whole
 * completions (`choices[i].message.content`) and streamed chunks (`choices[i].delta.content`,
 * one pipeline per choice index, flushed at the choice's `finish_reason` or at the end).
 */
import type { ResolvedAccount } from './account-resolver.js';
import type { ResponseMarker, TextPipeline } from './response-marker.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Marks every string `message.content` of a completion in place; returns whether a canary was
 * inserted. With `n > 1` choices only the first choice with a place carries the canary: every
 * choice answers the same prompt, so they would all draw the same canary and the ledger would
 * record it once per choice.
 */
export function markCompletion(
  completion: unknown,
  marker: ResponseMarker,
  account: ResolvedAccount,
  prompt: string,
  stripLogprobs: boolean,
): boolean {
  let canary = false;
  if (!isObject(completion) || !Array.isArray(completion.choices)) return false;
  for (const choice of completion.choices) {
    if (!isObject(choice)) continue;
    if (stripLogprobs && 'logprobs' in choice) choice.logprobs = null;
    const message = choice.message;
    if (!isObject(message) || typeof message.content !== 'string') continue;
    const marked = marker.mark(account, prompt, message.content, { canary: !canary });
    message.content = marked.text;
    canary ||= marked.canary;
  }
  return canary;
}

/** Marks the chunks of one streamed completion, in order. */
export class StreamMarking {
  readonly #marker: ResponseMarker;
  readonly #account: ResolvedAccount;
  readonly #prompt: string;
  readonly #stripLogprobs: boolean;
  #canaryAssigned = false;
  readonly #open = new Map<number, TextPipeline>();
  #last: Json | undefined;
  /** True once any choice's canary went out. */
  canary = false;

  constructor(marker: ResponseMarker, account: ResolvedAccount, prompt: string, stripLogprobs: boolean) {
    this.#marker = marker;
    this.#account = account;
    this.#prompt = prompt;
    this.#stripLogprobs = stripLogprobs;
  }

  /** Marks one parsed chunk in place. */
  async chunk(chunk: unknown): Promise<void> {
    if (!isObject(chunk) || !Array.isArray(chunk.choices)) return;
    this.#last = chunk;
    for (const choice of chunk.choices) {
      if (!isObject(choice)) continue;
      if (this.#stripLogprobs && 'logprobs' in choice) choice.logprobs = null;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      const delta = isObject(choice.delta) ? choice.delta : undefined;
      if (delta && typeof delta.content === 'string') {
        delta.content = await this.#pipeline(index).push(delta.content);
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        const rest = await this.#finish(index);
        if (rest !== '') {
          if (delta) delta.content = (typeof delta.content === 'string' ? delta.content : '') + rest;
          else choice.delta = { content: rest };
        }
      }
    }
  }

  /** Flushes choices that never saw a finish_reason; returns one chunk carrying their text, if any. */
  async end(): Promise<Json | undefined> {
    const choices: Json[] = [];
    for (const index of [...this.#open.keys()]) {
      const rest = await this.#finish(index);
      if (rest !== '') choices.push({ index, delta: { content: rest }, finish_reason: null });
    }
    if (choices.length === 0) return undefined;
    const { choices: _, usage: __, ...template } = this.#last ?? {};
    return { ...template, choices };
  }

  #pipeline(index: number): TextPipeline {
    let pipeline = this.#open.get(index);
    if (!pipeline) {
      // Only the first choice to stream carries the canary (see markCompletion): the choices'
      // texts interleave, so a later one cannot take it over once the first turns out to have no place.
      pipeline = this.#marker.pipeline(
        this.#account,
        this.#prompt,
        (outcome) => {
          if (outcome.canary !== undefined) this.canary = true;
        },
        { canary: !this.#canaryAssigned },
      );
      this.#canaryAssigned = true;
      this.#open.set(index, pipeline);
    }
    return pipeline;
  }

  async #finish(index: number): Promise<string> {
    const pipeline = this.#open.get(index);
    if (!pipeline) return '';
    this.#open.delete(index);
    return pipeline.end();
  }
}
