/**
 * The marking proxy: an OpenAI-compatible HTTP server (node:http, no framework) in front of any
 * chat-completions upstream. Each request is authenticated with the client's key, forwarded
 * with the provider's upstream key (never the client's), and every answer is marked for the
 * client's account, streamed (SSE) or not. One structured log event per request; keys, prompts
 * and answers never appear in logs or errors.
 *
 * Failures: before the answer starts, the client gets an OpenAI-style JSON error (502 unreachable,
 * 504 timeout, 413 body too large). Once a stream has started its status cannot change, so when
 * the upstream resets, stalls past `upstreamTimeoutMs` or sends an oversized event mid-stream,
 * the text the marker still holds back is flushed (marked), then one `data: {"error": …}` event
 * goes out and the stream ends without `[DONE]`; OpenAI clients raise it as an APIError. When the
 * marking itself fails (a ledger write), held-back text is dropped, never sent unmarked. A client
 * that goes away aborts the upstream call.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LineageInputError, type LineageKey } from '@lineage/core';
import type { AccountResolver, ResolvedAccount } from './account-resolver.js';
import { ChatRequestError, lastUserPrompt, parseChatBody, stripRequestLogprobs } from './chat-request.js';
import { markCompletion, StreamMarking } from './completion-marking.js';
import { openAiError, sendError, sendJson } from './openai-error.js';
import { type ResponseCanaries, ResponseMarker } from './response-marker.js';
import { SseParser } from './sse-parser.js';

export interface ProxyOptions {
  /** The upstream's base URL, e.g. `http://127.0.0.1:8080/v1`. */
  readonly upstream: string;
  readonly key: LineageKey;
  /** Client API key → account; unknown keys are answered 401 and nothing is forwarded. */
  readonly accounts: AccountResolver;
  /** Default 0: a free port, read it from `url`. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Sent upstream as `Authorization: Bearer …`; without it no authorization is sent. */
  readonly upstreamApiKey?: string;
  /**
   * Canaries, placed before the lexical mark; rate and ledger are the marker's. `campaignMarker`
   * (the flagged rate) serves accounts in a campaign. At most one choice per response carries one.
   */
  readonly canaries?: ResponseCanaries;
  /** Default true: logprobs would expose the unmarked tokens, so they are neither asked for nor passed on. */
  readonly stripLogprobs?: boolean;
  /** Structured events, one per request; they carry no keys, prompts or answers. */
  readonly log?: (event: ProxyLogEvent) => void;
  /** Longest wait for the upstream's headers and between streamed chunks (default 300,000 ms). */
  readonly upstreamTimeoutMs?: number;
  /** Largest client request body (default 16 MiB); larger is a 413. */
  readonly maxBodyBytes?: number;
}

export interface ProxyLogEvent {
  readonly event: 'request';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly accountId?: string;
  readonly campaignId?: string;
  readonly stream?: boolean;
  readonly canary?: boolean;
  /** Why the request failed, when it did (a short code, never text from the request). */
  readonly error?: string;
  readonly durationMs: number;
  /** Until the upstream's response headers, when there was an upstream call. */
  readonly upstreamMs?: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface ProxyServer {
  /** Base URL for OpenAI clients, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  /** Stops accepting, lets open requests and streams finish, then resolves once closed. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
const MAX_UPSTREAM_BODY = 64 * 1024 * 1024;

class _UpstreamTimeout extends Error {}

class _BodyTooLarge extends Error {}

interface RequestState {
  status: number;
  bytesIn: number;
  bytesOut: number;
  account?: ResolvedAccount;
  stream?: boolean;
  canary?: boolean;
  error?: string;
  upstreamMs?: number;
}

export async function startProxy(options: ProxyOptions): Promise<ProxyServer> {
  const upstream = _checkUpstream(options.upstream);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const stripLogprobs = options.stripLogprobs ?? true;
  const timeoutMs = options.upstreamTimeoutMs ?? 300_000;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) throw new LineageInputError('port must be an integer in [0, 65535]');
  if (!(timeoutMs > 0)) throw new LineageInputError('upstreamTimeoutMs must be positive');
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) throw new LineageInputError('maxBodyBytes must be a positive integer');
  const marker = new ResponseMarker({ key: options.key, canaries: options.canaries });
  const log = options.log ?? (() => {});
  const upstreamAuth: Record<string, string> = options.upstreamApiKey ? { authorization: `Bearer ${options.upstreamApiKey}` } : {};
  let closing = false;

  const server = createServer((req, res) => {
    const started = performance.now();
    const state: RequestState = { status: 0, bytesIn: 0, bytesOut: 0 };
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (closing) res.shouldKeepAlive = false;
    // Stops the upstream call when the client goes away before the answer is complete.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        state.error ??= 'client-disconnected';
        abort.abort();
      }
      log({
        event: 'request',
        method: req.method ?? '',
        path: path.length > 200 ? `${path.slice(0, 200)}…` : path,
        status: state.status || res.statusCode,
        ...(state.account ? { accountId: state.account.accountId } : {}),
        ...(state.account?.campaignId === undefined ? {} : { campaignId: state.account.campaignId }),
        ...(state.stream === undefined ? {} : { stream: state.stream }),
        ...(state.canary === undefined ? {} : { canary: state.canary }),
        ...(state.error === undefined ? {} : { error: state.error }),
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(state.upstreamMs === undefined ? {} : { upstreamMs: Math.round(state.upstreamMs * 10) / 10 }),
        bytesIn: state.bytesIn,
        bytesOut: state.bytesOut,
      });
      if (closing) server.closeIdleConnections();
    });
    route(req, res, path, state, abort.signal).catch((error: unknown) => {
      state.error ??= 'internal';
      if (!res.headersSent) reply(res, state, 500, 'the proxy failed to handle the request', 'api_error', 'internal_error');
      else res.destroy();
      void error;
    });
  });

  function reply(
    res: ServerResponse,
    state: RequestState,
    status: number,
    message: string,
    type: Parameters<typeof sendError>[3],
    code: string,
  ) {
    state.status = status;
    state.error ??= code;
    state.bytesOut += sendError(res, status, message, type, code);
  }

  function authenticate(req: IncomingMessage, res: ServerResponse, state: RequestState): ResolvedAccount | undefined {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const account = match?.[1] === undefined ? undefined : options.accounts.resolve(match[1]);
    if (!account) {
      const message = match
        ? 'Incorrect API key provided. Use a key issued for your account.'
        : 'You did not provide an API key. Send it as "Authorization: Bearer <key>".';
      state.status = 401;
      state.error = match ? 'invalid_api_key' : 'missing_api_key';
      state.bytesOut += sendError(res, 401, message, 'authentication_error', state.error, { 'www-authenticate': 'Bearer' });
      return undefined;
    }
    state.account = account;
    return account;
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string, state: RequestState, signal: AbortSignal) {
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return reply(res, state, 405, 'use GET /health', 'invalid_request_error', 'method_not_allowed');
      state.status = 200;
      state.bytesOut += sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/v1/chat/completions') {
      if (req.method !== 'POST')
        return reply(res, state, 405, 'use POST /v1/chat/completions', 'invalid_request_error', 'method_not_allowed');
      const account = authenticate(req, res, state);
      if (account) await chat(req, res, account, state, signal);
      return;
    }
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      if (req.method !== 'GET') return reply(res, state, 405, `use GET ${path}`, 'invalid_request_error', 'method_not_allowed');
      if (!authenticate(req, res, state)) return;
      const model = _modelPath(path.slice('/v1/models'.length));
      if (model === undefined) return reply(res, state, 404, 'no such model path', 'not_found_error', 'not_found');
      await passThrough(res, `${upstream}/models${model}`, { method: 'GET' }, state, signal);
      return;
    }
    reply(
      res,
      state,
      404,
      `Unknown path ${path.length > 200 ? `${path.slice(0, 200)}…` : path}: the proxy serves POST /v1/chat/completions, GET /v1/models and GET /health`,
      'not_found_error',
      'not_found',
    );
  }

  async function chat(req: IncomingMessage, res: ServerResponse, account: ResolvedAccount, state: RequestState, signal: AbortSignal) {
    let raw: string;
    try {
      raw = await _readBody(req, maxBodyBytes, (n) => (state.bytesIn += n));
    } catch (error) {
      if (error instanceof _BodyTooLarge) {
        res.shouldKeepAlive = false;
        return reply(
          res,
          state,
          413,
          `the request body is larger than ${maxBodyBytes} bytes`,
          'invalid_request_error',
          'request_too_large',
        );
      }
      state.error = 'client-disconnected';
      return;
    }
    let body: ReturnType<typeof parseChatBody>;
    try {
      body = parseChatBody(raw);
    } catch (error) {
      if (!(error instanceof ChatRequestError)) throw error;
      state.status = 400;
      state.error = 'invalid_request';
      state.bytesOut += sendJson(res, 400, {
        error: { message: error.message, type: 'invalid_request_error', param: error.param, code: 'invalid_request' },
      });
      return;
    }
    try {
      marker.prepare(account);
    } catch (error) {
      if (!(error instanceof LineageInputError)) throw error;
      // Serving unmarked would defeat the proxy: refuse, and tell the operator what to fix.
      return reply(
        res,
        state,
        500,
        'this account cannot be marked (its campaign is not registered in the provider key); contact the provider',
        'api_error',
        'account_misconfigured',
      );
    }
    if (stripLogprobs) stripRequestLogprobs(body);
    const stream = body.stream === true;
    state.stream = stream;
    const prompt = lastUserPrompt(body.messages);
    const upstreamResponse = await callUpstream(
      res,
      `${upstream}/chat/completions`,
      { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
      state,
      signal,
    );
    if (!upstreamResponse) return;
    const { response, timer } = upstreamResponse;
    let text: string;
    try {
      if (!response.ok) return await forward(res, response, state, timer);
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('text/event-stream')) return await relayStream(res, response, account, prompt, state, timer, signal);
      text = await _readUpstream(response, timer);
    } catch (error) {
      return upstreamFailure(res, state, error, signal);
    } finally {
      timer.stop();
    }
    {
      let completion: unknown;
      try {
        completion = JSON.parse(text);
      } catch {
        return reply(res, state, 502, 'the upstream answered with a body that is not JSON', 'upstream_error', 'bad_upstream_response');
      }
      state.canary = markCompletion(completion, marker, account, prompt, stripLogprobs);
      state.status = response.status;
      state.bytesOut += sendJson(res, response.status, completion);
    }
  }

  /** Fetches from the upstream with the timeout armed; answers 502/504 itself and returns undefined on failure. */
  async function callUpstream(
    res: ServerResponse,
    url: string,
    init: RequestInit & { headers?: Record<string, string> },
    state: RequestState,
    signal: AbortSignal,
  ) {
    const timer = new _IdleTimer(timeoutMs);
    const sent = performance.now();
    try {
      const response = await fetch(url, {
        ...init,
        headers: { accept: 'application/json, text/event-stream', ...init.headers, ...upstreamAuth },
        signal: AbortSignal.any([signal, timer.signal]),
      });
      state.upstreamMs = performance.now() - sent;
      timer.reset();
      return { response, timer };
    } catch (error) {
      timer.stop();
      upstreamFailure(res, state, error, signal);
      return undefined;
    }
  }

  function upstreamFailure(res: ServerResponse, state: RequestState, error: unknown, signal: AbortSignal) {
    if (signal.aborted) {
      state.error ??= 'client-disconnected';
      res.destroy();
      return;
    }
    const timedOut = _isTimeout(error);
    if (res.headersSent) {
      state.error = timedOut ? 'upstream_timeout' : 'upstream_unreachable';
      res.destroy();
      return;
    }
    if (timedOut) return reply(res, state, 504, `the upstream did not answer within ${timeoutMs} ms`, 'upstream_error', 'upstream_timeout');
    const code = _errorCode(error);
    reply(
      res,
      state,
      502,
      `the upstream could not be reached${code ? ` (${code})` : ''}; try again later`,
      'upstream_error',
      'upstream_unreachable',
    );
  }

  async function passThrough(
    res: ServerResponse,
    url: string,
    init: RequestInit & { headers?: Record<string, string> },
    state: RequestState,
    signal: AbortSignal,
  ) {
    const called = await callUpstream(res, url, init, state, signal);
    if (!called) return;
    try {
      await forward(res, called.response, state, called.timer);
    } catch (error) {
      upstreamFailure(res, state, error, signal);
    } finally {
      called.timer.stop();
    }
  }

  /** Passes an upstream answer on unchanged: status, content type and body. */
  async function forward(res: ServerResponse, response: Response, state: RequestState, timer: _IdleTimer) {
    const body = Buffer.from(await _readUpstream(response, timer));
    state.status = response.status;
    if (!response.ok) state.error ??= `upstream_${response.status}`;
    // Retry hints let OpenAI clients back off on 429/503 as they would against the upstream.
    const retry: Record<string, string> = {};
    for (const name of ['retry-after', 'retry-after-ms']) {
      const value = response.headers.get(name);
      if (value !== null && /^[\w ,:.-]{1,64}$/.test(value)) retry[name] = value;
    }
    res.writeHead(response.status, {
      ...retry,
      'content-type': response.headers.get('content-type') ?? 'application/json',
      'content-length': String(body.length),
    });
    res.end(body);
    state.bytesOut += body.length;
  }

  async function relayStream(
    res: ServerResponse,
    response: Response,
    account: ResolvedAccount,
    prompt: string,
    state: RequestState,
    timer: _IdleTimer,
    signal: AbortSignal,
  ) {
    const marking = new StreamMarking(marker, account, prompt, stripLogprobs);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    state.status = response.status;
    res.writeHead(response.status, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    let done = false;
    const send = async (data: string) => {
      const bytes = Buffer.from(`data: ${data}\n\n`);
      state.bytesOut += bytes.length;
      if (!res.write(bytes)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    };
    const events = async (datas: string[]) => {
      for (const data of datas) {
        // Nothing follows [DONE]: a later chunk would open new pipelines (and canary draws).
        if (done) continue;
        if (data === '[DONE]') {
          await finish();
          continue;
        }
        let chunk: unknown;
        try {
          chunk = JSON.parse(data);
        } catch {
          // Not JSON (so no choices to mark): passed on, one data line per line so the event stays one event.
          await send(data.split('\n').join('\ndata: '));
          continue;
        }
        await marking.chunk(chunk);
        await send(JSON.stringify(chunk));
      }
    };
    const finish = async () => {
      if (done) return;
      done = true;
      const last = await marking.end();
      if (last) await send(JSON.stringify(last));
      await send('[DONE]');
    };
    const reader = response.body?.getReader();
    // Only a fault of the upstream (reset, stall, oversized event) lets held-back text be flushed,
    // marked; after a fault of the marking itself (a ledger failure) it is dropped instead.
    let upstreamFault = false;
    const upstreamStep = async <T>(step: () => Promise<T> | T): Promise<T> => {
      try {
        return await step();
      } catch (error) {
        upstreamFault = true;
        throw error;
      }
    };
    try {
      if (reader) {
        for (;;) {
          const { done: ended, value } = await upstreamStep(() => timer.race(reader.read()));
          timer.reset();
          if (ended) break;
          await events(await upstreamStep(() => parser.push(decoder.decode(value, { stream: true }))));
          if (res.destroyed) {
            await reader.cancel().catch(() => {});
            return;
          }
        }
      }
      await events(await upstreamStep(() => parser.push(decoder.decode())));
      await events(parser.end());
      // An upstream that ends without [DONE] still gets its held-back text flushed.
      if (!done) {
        done = true;
        const last = await marking.end();
        if (last) await send(JSON.stringify(last));
      }
      res.end();
    } catch (error) {
      await reader?.cancel().catch(() => {});
      if (signal.aborted || res.destroyed) return upstreamFailure(res, state, error, signal);
      // The status is out already: the stream ends with an OpenAI-style error event and no [DONE].
      const timedOut = _isTimeout(error);
      const code = upstreamFault ? (timedOut ? 'upstream_timeout' : 'upstream_disconnected') : 'internal_error';
      state.error = code;
      if (upstreamFault && !done) {
        done = true;
        const last = await marking.end().catch(() => undefined);
        if (last) await send(JSON.stringify(last));
      }
      const message = !upstreamFault
        ? 'the proxy failed while marking the answer; it is incomplete'
        : timedOut
          ? `the upstream stopped sending for ${timeoutMs} ms; the answer is incomplete`
          : 'the upstream connection failed mid-answer; the answer is incomplete';
      await send(JSON.stringify(openAiError(message, upstreamFault ? 'upstream_error' : 'api_error', code)));
      res.end();
    } finally {
      state.canary = marking.canary;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}/v1`,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

function _checkUpstream(upstream: string): string {
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    throw new LineageInputError('upstream must be an absolute http(s) URL such as http://127.0.0.1:8080/v1');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LineageInputError('upstream must be an http or https URL');
  if (url.username || url.password) throw new LineageInputError('upstream must not carry credentials; pass upstreamApiKey instead');
  return upstream.replace(/\/+$/, '');
}

/**
 * The model id part of `/v1/models/…`, re-encoded segment by segment, or undefined. Dot segments
 * (also percent-encoded) would let a client walk out of `/models` to any upstream path under the
 * provider's upstream key, so they are refused.
 */
function _modelPath(rest: string): string | undefined {
  if (rest === '') return '';
  const segments = rest.slice(1).split('/');
  const encoded: string[] = [];
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || /[\\/\p{Cc}]/u.test(decoded)) return undefined;
    encoded.push(encodeURIComponent(decoded));
  }
  return `/${encoded.join('/')}`;
}

function _isTimeout(error: unknown): boolean {
  return error instanceof _UpstreamTimeout || (error as { cause?: unknown })?.cause instanceof _UpstreamTimeout;
}

function _errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  }
  return undefined;
}

/** A timer that aborts the upstream call when it sees no progress for `ms`. */
class _IdleTimer {
  readonly #controller = new AbortController();
  readonly #ms: number;
  #handle: NodeJS.Timeout | undefined;
  readonly signal = this.#controller.signal;

  constructor(ms: number) {
    this.#ms = ms;
    this.reset();
  }

  reset(): void {
    clearTimeout(this.#handle);
    if (this.#controller.signal.aborted) return;
    this.#handle = setTimeout(() => this.#controller.abort(new _UpstreamTimeout('upstream timeout')), this.#ms);
    this.#handle.unref?.();
  }

  stop(): void {
    clearTimeout(this.#handle);
  }

  /** Rejects with the timeout when it fires before `promise` settles. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.signal.reason);
      this.signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

async function _readUpstream(response: Response, timer: _IdleTimer): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await timer.race(reader.read());
    timer.reset();
    if (done) break;
    total += value.length;
    if (total > MAX_UPSTREAM_BODY) {
      await reader.cancel().catch(() => {});
      throw new Error('upstream body too large');
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

function _readBody(req: IncomingMessage, limit: number, count: (n: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    req.on('data', (part: Buffer) => {
      total += part.length;
      count(part.length);
      if (total > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new _BodyTooLarge());
        return;
      }
      parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('client aborted')));
  });
}
