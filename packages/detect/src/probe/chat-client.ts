/**
 * A chat client for probing a suspect model over its OpenAI-compatible API
 * (`POST {baseUrl}/chat/completions`, non-streaming, no logprobs), built to send many prompts to
 * a server that may be slow, overloaded, misconfigured or hostile.
 *
 * Retries use exponential backoff with full jitter (Brooker, "Exponential Backoff and Jitter",
 * AWS Architecture Blog, 2015) and honour `Retry-After` (RFC 9110 §10.2.3). The API key lives in
 * a private field and in the Authorization header only: never in errors, `toString`, `toJSON` or
 * `util.inspect`, and it is redacted from anything a server echoes back.
 */
import { createHash } from 'node:crypto';
import { type InspectOptionsStylized, inspect } from 'node:util';
import { LineageError, LineageInputError } from '@lineage/core';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

export interface ChatClientOptions {
  /** The API root, e.g. `http://127.0.0.1:8080/v1` (http or https); a trailing slash is fine. */
  readonly baseUrl: string;
  /** The `model` sent with every request. */
  readonly model: string;
  /** Sent as `Authorization: Bearer …`; never appears in errors, logs or `util.inspect`. */
  readonly apiKey?: string;
  /** Per request, including reading the answer (default 60 000). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt on 408, 429, 5xx, timeouts and network errors (default 6). */
  readonly maxRetries?: number;
  /** Default: omitted, so the server's default applies. */
  readonly temperature?: number;
  /** Sent as `max_tokens` when set. */
  readonly maxTokens?: number;
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Jitter source in [0, 1) (default `Math.random`: jitter needs spread, not secrecy). */
  readonly random?: () => number;
  /** Waits between attempts; it should reject with `signal.reason` once the signal aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Cancels every request and wait of this client (Ctrl-C); calls then reject with its reason. */
  readonly signal?: AbortSignal;
}

export interface CompleteOptions {
  /** Cancels this call only, e.g. when the sequential test is already decisive. */
  readonly signal?: AbortSignal;
}

export interface ChatAnswer {
  /** `choices[0].message.content`; `null` content reads as "". */
  readonly text: string;
  /** HTTP requests made for this answer, 1 when the first one succeeded. */
  readonly attempts: number;
  readonly finishReason?: string;
  /** The model the server says answered. */
  readonly model?: string;
}

/** The suspect API could not be asked or did not answer usably. The message says what to do. */
export class ProbeHttpError extends LineageError {
  override readonly name: string = 'ProbeHttpError';
  /** The last HTTP status, when the server answered at all. */
  readonly status?: number;
  /** HTTP requests made before giving up. */
  readonly attempts: number;
  /** True when the failure is transient (overload, timeout, network): a later run may succeed. */
  readonly retryable: boolean;
  /** True when no request of this client ever reached the server: most likely a wrong URL. */
  readonly unreachable: boolean;
  constructor(
    message: string,
    details: { readonly status?: number; readonly attempts: number; readonly retryable: boolean; readonly unreachable?: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    if (details.status !== undefined) this.status = details.status;
    this.attempts = details.attempts;
    this.retryable = details.retryable;
    this.unreachable = details.unreachable ?? false;
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 6;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** A server asking for longer than this still gets retried after this long. */
const MAX_RETRY_AFTER_MS = 60_000;
/** A hostile or broken server cannot make us buffer more than this per answer. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Error bodies are only read for an excerpt. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const EXCERPT_CHARS = 300;
/** A 200 that is not a chat completion is retried this often only: it is rarely transient. */
const MALFORMED_RETRIES = 2;
/** Connection refused (or unknown host) before the server ever answered usually means a wrong URL. */
const UNREACHABLE_RETRIES = 2;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Statuses worth retrying: timeouts, rate limits, overload, gateways (520-524 are Cloudflare's origin errors). */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_FAIL']);
const ROLES: ReadonlySet<string> = new Set<ChatRole>(['system', 'user', 'assistant']);

type _Failure = {
  readonly kind: 'status' | 'timeout' | 'network' | 'unreachable' | 'malformed' | 'fatal';
  readonly retryable: boolean;
  /** The whole message but for how many attempts were made. */
  readonly describe: (attempts: number) => string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
};
type _Outcome = { readonly answer: Omit<ChatAnswer, 'attempts'> } | { readonly failure: _Failure };

export class ChatClient {
  /** The API root without trailing slash, query or fragment (safe to print). */
  readonly baseUrl: string;
  readonly model: string;
  /**
   * SHA-256 of the full endpoint URL, query included (hex): what answers are cached under, so
   * two deployments behind one base URL that differ only in the query never share answers.
   */
  get endpointId(): string {
    return createHash('sha256').update(this.#endpoint).digest('hex');
  }
  /** The sampling settings sent with every request (null: the server's default), for reports. */
  get maxTokens(): number | null {
    return this.#maxTokens ?? null;
  }
  get temperature(): number | null {
    return this.#temperature ?? null;
  }
  readonly #apiKey: string | undefined;
  readonly #endpoint: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #temperature: number | undefined;
  readonly #maxTokens: number | undefined;
  readonly #fetch: typeof fetch;
  readonly #random: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #signal: AbortSignal | undefined;
  /** Whether any request ever got an HTTP answer (then a refused connection is a restart, not a typo). */
  #reachable = false;

  constructor(options: ChatClientOptions) {
    if (typeof options !== 'object' || options === null) throw new LineageInputError('ChatClient needs an options object');
    const { endpoint, display } = _parseBaseUrl(options.baseUrl);
    this.baseUrl = display;
    this.#endpoint = endpoint;
    if (typeof options.model !== 'string' || options.model.trim() === '') throw new LineageInputError('model must be a non-empty string');
    this.model = options.model;
    if (options.apiKey !== undefined) {
      // Header values must be visible ASCII; checking here keeps fetch from quoting the value back.
      if (typeof options.apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(options.apiKey)) {
        throw new LineageInputError('the API key must be a non-empty string of visible ASCII characters (no spaces or line breaks)');
      }
    }
    this.#apiKey = options.apiKey;
    this.#timeoutMs = _checkNumber(
      options.timeoutMs,
      'timeoutMs',
      DEFAULT_TIMEOUT_MS,
      (n) => n > 0 && n <= MAX_TIMER_MS,
      `a number of milliseconds in (0, ${MAX_TIMER_MS}]`,
    );
    this.#maxRetries = _checkNumber(
      options.maxRetries,
      'maxRetries',
      DEFAULT_MAX_RETRIES,
      (n) => Number.isSafeInteger(n) && n >= 0,
      'a non-negative integer',
    );
    this.#temperature = _checkNumber(options.temperature, 'temperature', undefined, (n) => n >= 0 && n <= 2, 'a number in [0, 2]');
    this.#maxTokens = _checkNumber(
      options.maxTokens,
      'maxTokens',
      undefined,
      (n) => Number.isSafeInteger(n) && n >= 1,
      'a positive integer',
    );
    for (const name of ['fetch', 'random', 'sleep'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') throw new LineageInputError(`${name} must be a function`);
    }
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
      throw new LineageInputError('signal must be an AbortSignal');
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? _sleep;
    this.#signal = options.signal;
  }

  /** Sends one prompt (a user message, or a whole conversation) and returns the first choice's text. */
  async complete(prompt: string | readonly ChatMessage[], options: CompleteOptions = {}): Promise<ChatAnswer> {
    const messages = _messagesOf(prompt);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
      throw new LineageInputError('signal must be an AbortSignal');
    const body = JSON.stringify({
      model: this.model,
      messages,
      stream: false,
      ...(this.#temperature === undefined ? {} : { temperature: this.#temperature }),
      ...(this.#maxTokens === undefined ? {} : { max_tokens: this.#maxTokens }),
    });
    const call = _linked([this.#signal, options.signal]);
    try {
      return await this.#withRetries(body, call.signal);
    } finally {
      call.dispose();
    }
  }

  async #withRetries(body: string, signal: AbortSignal): Promise<ChatAnswer> {
    let attempts = 0;
    let malformed = 0;
    let unreachable = 0;
    for (;;) {
      signal.throwIfAborted();
      attempts++;
      const outcome = await this.#attempt(body, signal);
      if ('answer' in outcome) return { ...outcome.answer, attempts };
      const failure = outcome.failure;
      if (failure.kind === 'malformed') malformed++;
      if (failure.kind === 'unreachable') unreachable++;
      const givesUp =
        !failure.retryable ||
        attempts > this.#maxRetries ||
        malformed > MALFORMED_RETRIES ||
        (failure.kind === 'unreachable' && !this.#reachable && unreachable > UNREACHABLE_RETRIES);
      if (givesUp) {
        const message = this.#redact(failure.describe(attempts));
        // A body that is not a chat completion will not become one later: not transient.
        const retryable = failure.retryable && failure.kind !== 'malformed';
        const unreachable = failure.kind === 'unreachable' && !this.#reachable;
        const details = { attempts, retryable, unreachable, ...(failure.status === undefined ? {} : { status: failure.status }) };
        throw new ProbeHttpError(message, details, failure.cause === undefined ? undefined : { cause: failure.cause });
      }
      const jitter = Math.min(1, Math.max(0, this.#random() || 0));
      // Full jitter spreads retries of many concurrent prompts; after a Retry-After, a little jitter on top keeps them from returning in step.
      const delay =
        failure.retryAfterMs === undefined
          ? jitter * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1))
          : failure.retryAfterMs + jitter * BASE_DELAY_MS;
      await this.#sleep(Math.round(delay), signal);
      signal.throwIfAborted();
    }
  }

  /** One HTTP request under its own timeout; rejects only when `signal` aborts. */
  async #attempt(body: string, signal: AbortSignal): Promise<_Outcome> {
    // A manual link rather than AbortSignal.any: one listener per caller signal however many requests share it.
    const request = _linked([signal]);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort(new DOMException(`no answer within ${this.#timeoutMs} ms`, 'TimeoutError'));
    }, this.#timeoutMs);
    const interrupted = (error: unknown): _Failure => {
      signal.throwIfAborted();
      if (timedOut) return this.#timeout();
      return this.#networkFailure(error);
    };
    try {
      let response: Response;
      try {
        response = await this.#fetch(this.#endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            ...(this.#apiKey === undefined ? {} : { authorization: `Bearer ${this.#apiKey}` }),
          },
          body,
          // Not followed: a redirect could carry the API key to another host.
          redirect: 'manual',
          signal: request.signal,
        });
      } catch (error) {
        return { failure: interrupted(error) };
      }
      this.#reachable = true;
      try {
        return await this.#read(response);
      } catch (error) {
        return { failure: interrupted(error) };
      }
    } finally {
      clearTimeout(timer);
      request.dispose();
    }
  }

  async #read(response: Response): Promise<_Outcome> {
    const { status } = response;
    if (status >= 200 && status < 300) {
      const read = await _readBody(response, MAX_BODY_BYTES, false);
      if (read === undefined) {
        return {
          failure: {
            kind: 'fatal',
            retryable: false,
            status,
            describe: () =>
              `the suspect API at ${this.baseUrl} sent an answer larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; refusing to read it`,
          },
        };
      }
      return this.#parseCompletion(status, read.text);
    }
    const { text } = (await _readBody(response, MAX_ERROR_BODY_BYTES, true)) ?? { text: '' };
    const said = this.#excerpt(text);
    const saidSuffix = said === '' ? '' : `; the server said: ${said}`;
    if (RETRYABLE_STATUS.has(status)) {
      const retryAfterMs = _retryAfterMs(response.headers, Date.now());
      return {
        failure: {
          kind: 'status',
          retryable: true,
          status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          describe: (attempts) =>
            `the suspect API at ${this.baseUrl} answered ${status} ${_attemptsText(attempts)}${saidSuffix}. ` +
            (status === 429
              ? 'It is rate limiting: lower the concurrency or try again later'
              : 'It may be overloaded or down: try again later or lower the concurrency'),
        },
      };
    }
    const fatal = (message: string): _Outcome => ({ failure: { kind: 'fatal', retryable: false, status, describe: () => message } });
    if (status === 401 || status === 403) {
      return fatal(
        this.#apiKey === undefined
          ? `the suspect API requires an API key (status ${status}); pass one with --api-key-env`
          : `the suspect API rejected the API key (status ${status}); check --api-key-env`,
      );
    }
    if (status === 404) {
      if (_isUnknownModel(text, said))
        return fatal(`the suspect API has no model ${JSON.stringify(this.model)} (status 404); check --model${saidSuffix}`);
      return fatal(
        `no chat completions endpoint at ${this.#displayEndpoint()} (status 404): check --base-url (it should usually end in /v1)`,
      );
    }
    if (status >= 300 && status < 400) {
      const location = this.#excerpt(response.headers.get('location') ?? '');
      return fatal(
        `the suspect API redirected ${this.#displayEndpoint()} (status ${status})${location === '' ? '' : ` to ${location}`}: ` +
          'use the final address as --base-url (redirects are not followed, so that the API key goes nowhere else)',
      );
    }
    return fatal(`the suspect API refused the request (status ${status})${said === '' ? '' : `: ${said}`}`);
  }

  #parseCompletion(status: number, text: string): _Outcome {
    const malformed = (what: string): _Outcome => ({
      failure: {
        kind: 'malformed',
        retryable: true,
        status,
        describe: (attempts) => {
          const said = this.#excerpt(text);
          return `the suspect API at ${this.baseUrl} answered ${status} ${what} ${_attemptsText(attempts)}${said === '' ? '' : `; it sent: ${said}`}`;
        },
      },
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (/^\s*(data|event):/.test(text))
        return malformed('with a server-sent event stream although stream was false (not a chat completion)');
      return malformed('with a body that is not JSON (not a chat completion)');
    }
    const choice = _field(_field(json, 'choices'), 0);
    const message = _field(choice, 'message');
    const content = _field(message, 'content');
    const answerText = _contentText(content);
    if (answerText === undefined) return malformed('without a chat completion (no choices[0].message.content string)');
    const finishReason = _field(choice, 'finish_reason');
    const model = _field(json, 'model');
    return {
      answer: {
        text: answerText,
        ...(typeof finishReason === 'string' ? { finishReason } : {}),
        ...(typeof model === 'string' ? { model } : {}),
      },
    };
  }

  #timeout(): _Failure {
    return {
      kind: 'timeout',
      retryable: true,
      describe: (attempts) =>
        `the suspect API at ${this.baseUrl} did not answer within ${this.#timeoutMs} ms ${_attemptsText(attempts)}: ` +
        'raise the timeout, lower the concurrency or check the server',
    };
  }

  #networkFailure(error: unknown): _Failure {
    const code = _errorCode(error);
    // fetch refuses some ports outright (the WHATWG "bad port" list: 1, 9, 25, 6000, ...): never transient.
    if (error instanceof Error && (error.cause as Error | undefined)?.message === 'bad port') {
      return {
        kind: 'fatal',
        retryable: false,
        cause: error,
        describe: () => `fetch refuses the port of ${this.baseUrl} (a port browsers and fetch block for safety); use another port`,
      };
    }
    if (code !== undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
      return {
        kind: 'fatal',
        retryable: false,
        cause: error,
        describe: () =>
          `the TLS connection to ${this.baseUrl} failed (${code}): its certificate is not trusted; check --base-url or the system's certificates`,
      };
    }
    if (code !== undefined && UNREACHABLE_CODES.has(code)) {
      return {
        kind: 'unreachable',
        retryable: true,
        cause: error,
        describe: (attempts) =>
          `could not connect to ${this.baseUrl} (${code}, ${_attemptsText(attempts)}): is the server running at ${this.baseUrl}? Check --base-url`,
      };
    }
    const reason = code ?? (error instanceof Error ? error.name : typeof error);
    return {
      kind: 'network',
      retryable: true,
      cause: error,
      describe: (attempts) =>
        `the connection to ${this.baseUrl} failed (${reason}) ${_attemptsText(attempts)}: check the server and the network`,
    };
  }

  #displayEndpoint(): string {
    return `${this.baseUrl}/chat/completions`;
  }

  /** A short, single-line, printable excerpt of what the server said, without the key. */
  #excerpt(text: string): string {
    let said = text;
    try {
      said = _serverMessage(JSON.parse(text)) ?? text;
    } catch {}
    // Control and bidi characters could forge terminal output when the error is printed.
    said = _printable(this.#redact(said).slice(0, 4 * EXCERPT_CHARS))
      .replace(/\s+/g, ' ')
      .trim();
    if (said.length <= EXCERPT_CHARS) return said;
    let cut = EXCERPT_CHARS;
    if (/[\ud800-\udbff]/.test(said.charAt(cut - 1))) cut--;
    return `${said.slice(0, cut)}…`;
  }

  #redact(text: string): string {
    return this.#apiKey === undefined ? text : text.split(this.#apiKey).join('[redacted]');
  }

  toString(): string {
    return `ChatClient(${this.model} at ${this.baseUrl})`;
  }

  toJSON(): { baseUrl: string; model: string; apiKey: '[redacted]' | 'none'; timeoutMs: number; maxRetries: number } {
    return {
      baseUrl: this.baseUrl,
      model: this.model,
      apiKey: this.#apiKey === undefined ? 'none' : '[redacted]',
      timeoutMs: this.#timeoutMs,
      maxRetries: this.#maxRetries,
    };
  }

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return `ChatClient ${inspect(this.toJSON(), options)}`;
  }
}

function _parseBaseUrl(baseUrl: unknown): { endpoint: string; display: string } {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '')
    throw new LineageInputError('baseUrl must be a non-empty URL such as http://127.0.0.1:8080/v1');
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new LineageInputError('baseUrl is not a valid URL: give one such as http://127.0.0.1:8080/v1');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LineageInputError(`baseUrl must be an http or https URL, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo the URL: its user info is a credential.
    throw new LineageInputError('baseUrl must not contain a user name or password: pass the API key with --api-key-env');
  }
  url.hash = '';
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = `${path}/chat/completions`;
  return { endpoint: url.href, display: `${url.origin}${path}` };
}

function _checkNumber<D extends number | undefined>(
  value: unknown,
  name: string,
  fallback: D,
  valid: (n: number) => boolean,
  expected: string,
): number | D {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value))
    throw new LineageInputError(`${name} must be ${expected}, got ${String(value)}`);
  return value;
}

function _messagesOf(prompt: unknown): ChatMessage[] {
  if (typeof prompt === 'string') return [{ role: 'user', content: prompt }];
  if (!Array.isArray(prompt) || prompt.length === 0)
    throw new LineageInputError('a prompt is a string or a non-empty array of chat messages');
  return prompt.map((message: unknown, index) => {
    const role = _field(message, 'role');
    const content = _field(message, 'content');
    if (typeof role !== 'string' || !ROLES.has(role))
      throw new LineageInputError(`message ${index} needs a role of system, user or assistant`);
    if (typeof content !== 'string') throw new LineageInputError(`message ${index} needs a string content`);
    return { role: role as ChatRole, content };
  });
}

function _field(value: unknown, key: string | number): unknown {
  if (typeof key === 'number') return Array.isArray(value) ? value[key] : undefined;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

/** A string, `null` (""), or an array of text parts as some servers send. */
function _contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (content === null) return '';
  if (!Array.isArray(content)) return undefined;
  let text = '';
  for (const part of content) {
    const partText = _field(part, 'text');
    if (_field(part, 'type') !== 'text' || typeof partText !== 'string') return undefined;
    text += partText;
  }
  return text;
}

/** The human part of an error body: OpenAI `{error: {message}}`, `{error: "…"}`, `{message}` or FastAPI `{detail}`. */
function _serverMessage(json: unknown): string | undefined {
  const error = _field(json, 'error');
  const detail = _field(json, 'detail');
  for (const candidate of [_field(error, 'message'), error, _field(json, 'message'), detail]) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate;
  }
  return detail === undefined ? undefined : JSON.stringify(detail);
}

function _isUnknownModel(body: string, said: string): boolean {
  let code: unknown;
  try {
    code = _field(_field(JSON.parse(body), 'error'), 'code');
  } catch {}
  return code === 'model_not_found' || (/\bmodel\b/i.test(said) && /not found|does not exist|unknown|no such/i.test(said));
}

/** Milliseconds to wait from `retry-after-ms` or `Retry-After` (delay-seconds or an HTTP date), capped. */
function _retryAfterMs(headers: Headers, now: number): number | undefined {
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Math.min(Number(ms), MAX_RETRY_AFTER_MS);
  const value = headers.get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/** Control and bidi-override characters become spaces. */
function _printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const hidden = code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x200e || code === 0x200f;
    out += hidden || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) ? ' ' : char;
  }
  return out;
}

function _attemptsText(attempts: number): string {
  return attempts === 1 ? 'after 1 attempt' : `after ${attempts} attempts`;
}

/** Node's fetch wraps the system error: `TypeError('fetch failed', { cause })`, sometimes an AggregateError. */
function _errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const errors = (error as { errors?: unknown }).errors;
  for (const inner of [(error as { cause?: unknown }).cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = _errorCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Reads a body as UTF-8, at most `maxBytes`: a longer body is cut there (`truncate`) or refused
 * (undefined), and the rest is never downloaded.
 */
async function _readBody(response: Response, maxBytes: number, truncate: boolean): Promise<{ text: string } | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (!truncate && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return { text: '' };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        complete = true;
        break;
      }
      if (size + value.byteLength > maxBytes) {
        if (!truncate) return undefined;
        chunks.push(value.subarray(0, maxBytes - size));
        size = maxBytes;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    if (!complete) await reader.cancel().catch(() => undefined);
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks, size)) };
}

/**
 * A signal that aborts when any of `signals` does (or when `abort` is called), with that
 * signal's reason. Each source signal carries one listener from this module however many links
 * depend on it, so a long-lived Ctrl-C signal shared by thousands of requests never trips
 * Node's listener-leak warning; `dispose` unhooks the link.
 */
function _linked(signals: readonly (AbortSignal | undefined)[]): { signal: AbortSignal; abort(reason: unknown): void; dispose(): void } {
  const controller = new AbortController();
  const unhooks: (() => void)[] = [];
  for (const source of signals) {
    if (source === undefined) continue;
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    unhooks.push(_onAbort(source, () => controller.abort(source.reason)));
  }
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      for (const unhook of unhooks) unhook();
    },
  };
}

const _watchers = new WeakMap<AbortSignal, { readonly callbacks: Set<() => void>; readonly listener: () => void }>();

function _onAbort(signal: AbortSignal, callback: () => void): () => void {
  let watcher = _watchers.get(signal);
  if (watcher === undefined) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      _watchers.delete(signal);
      for (const pending of callbacks) pending();
    };
    watcher = { callbacks, listener };
    _watchers.set(signal, watcher);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks, listener } = watcher;
  callbacks.add(callback);
  return () => {
    callbacks.delete(callback);
    if (callbacks.size === 0 && _watchers.get(signal) === watcher) {
      _watchers.delete(signal);
      signal.removeEventListener('abort', listener);
    }
  };
}

function _sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      unhook?.();
      resolve();
    }, ms);
    const unhook =
      signal &&
      _onAbort(signal, () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
  });
}
