/**
 * A local OpenAI-compatible chat server over a testbed language model (node:http only), so
 * the prober, the proxy and the demo talk to a real model through the same API as to a
 * suspect: `GET /v1/models`, `GET /v1/models/{id}` and `POST /v1/chat/completions`, one-shot
 * or streamed as server-sent events, with seeds, logprobs and usage.
 *
 * The model continues text: the prompt is the last user message (see chat-request.ts). The
 * bearer token is the account id. With a marking scheme every request needs one, and the
 * scheme's hooks for that account (and its campaign) mark the response; a text-level scheme
 * rewrites the finished response, so such responses are buffered before they stream. The
 * Authorization header is never logged or echoed.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LineageInputError, SeededRandom, TokenizerError } from '@lineage/core';
import type { Tokenizer } from '@lineage/core/tokenizer';
import { type CompletionEnd, type LogprobEntry, serveCompletion } from './chat-completion.js';
import { type ChatRequest, parseChatRequest } from './chat-request.js';
import type { LanguageModel } from './language-model.js';
import type { MarkedAccount, MarkingScheme, TextMarkerHook, TokenSamplerHook } from './marking-hooks.js';
import { internalError, invalidParam, OpenAiHttpError } from './openai-errors.js';

export interface ChatServerOptions {
  readonly model: LanguageModel;
  /** The `model` id clients must send and `GET /v1/models` lists. */
  readonly modelName: string;
  /** The model's tokenizer (same encoding); the caller keeps ownership and disposes it. */
  readonly tokenizer: Tokenizer;
  /** Default 127.0.0.1: the testbed is not meant to face a network. */
  readonly host?: string;
  /** Default 0: a free port, read it from `url`. */
  readonly port?: number;
  /** Marks every response for the account named by the bearer token, which becomes required. */
  readonly marking?: MarkingScheme;
  /** The campaign an account was assigned to, if any; passed to the scheme's hooks. */
  readonly campaignOf?: (accountId: string) => string | undefined;
  /** Largest `max_tokens` accepted (default 4096). */
  readonly maxTokensLimit?: number;
  /** Largest request body (default 1 MiB); larger is a 413. */
  readonly maxBodyBytes?: number;
  /** Called with unexpected errors (answered as 500 without details); never with request headers. */
  readonly onError?: (error: unknown) => void;
}

export interface ChatServer {
  /** Base URL for OpenAI clients, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  /** Stops accepting, ends open connections (in-flight generations stop) and resolves once closed. */
  close(): Promise<void>;
}

const ACCOUNT_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const OWNER = 'lineage-testbed';

export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const { model, modelName, tokenizer, marking } = options;
  const maxTokensLimit = options.maxTokensLimit ?? 4096;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  if (typeof modelName !== 'string' || modelName.length === 0) throw new LineageInputError('modelName must be a non-empty string');
  if (!Number.isSafeInteger(maxTokensLimit) || maxTokensLimit < 1) throw new LineageInputError('maxTokensLimit must be a positive integer');
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) throw new LineageInputError('maxBodyBytes must be a positive integer');
  if (tokenizer.encoding !== model.encoding || tokenizer.vocabSize !== model.boundaryId) {
    throw new LineageInputError(
      `the tokenizer (${tokenizer.encoding}) does not match the model (${model.encoding}, boundary id ${model.boundaryId})`,
    );
  }
  if (marking !== undefined && marking.samplerFor === undefined && marking.textMarkerFor === undefined) {
    throw new LineageInputError(`marking scheme ${JSON.stringify(marking.name)} has neither samplerFor nor textMarkerFor`);
  }
  const startedAt = Math.floor(Date.now() / 1000);
  const systemFingerprint = `fp_${model.encoding}_${model.order}gram`;
  const modelCard = { id: modelName, object: 'model', created: startedAt, owned_by: OWNER };
  const closing = new AbortController();

  const authenticate = (req: IncomingMessage): string | undefined => {
    if (marking === undefined) return undefined;
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
    const accountId = match?.[1];
    if (accountId === undefined || !ACCOUNT_ID.test(accountId)) {
      // Never echo the header: it may hold a real credential sent here by mistake.
      throw new OpenAiHttpError(
        401,
        'This server marks responses per account: send "Authorization: Bearer <accountId>" with an account id of 1-128 characters from [A-Za-z0-9._:@-].',
        { code: 'invalid_api_key' },
      );
    }
    return accountId;
  };

  const hooksFor = (accountId: string | undefined): { sampler?: TokenSamplerHook; textMarker?: TextMarkerHook } => {
    if (marking === undefined || accountId === undefined) return {};
    const campaignId = options.campaignOf?.(accountId);
    const account: MarkedAccount = campaignId === undefined ? { accountId } : { accountId, campaignId };
    if (marking.samplerFor !== undefined) return { sampler: marking.samplerFor(account) };
    return marking.textMarkerFor === undefined ? {} : { textMarker: marking.textMarkerFor(account) };
  };

  const chatCompletions = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const accountId = authenticate(req);
    const request = parseChatRequest(_parseJson(await _readBody(req, maxBodyBytes)), { modelName, maxTokensLimit });
    let prompt: Uint32Array;
    try {
      prompt = tokenizer.encode(request.promptText);
    } catch (error) {
      if (error instanceof TokenizerError) throw invalidParam('messages', `The last user message cannot be tokenized: ${error.message}`);
      throw error;
    }
    // A chat prompt opens a new paragraph: the model reads it after the boundary token.
    const context = new Uint32Array(prompt.length + 1);
    context[0] = model.boundaryId;
    context.set(prompt, 1);
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const completion = serveCompletion({
      model,
      tokenizer,
      prompt: context,
      request,
      random: _randomFor(request),
      ...hooksFor(accountId),
      signal: AbortSignal.any([gone.signal, closing.signal]),
      yieldEvery: request.stream ? 1 : 16,
    });
    const head = {
      id: `chatcmpl-${randomBytes(15).toString('base64url')}`,
      created: Math.floor(Date.now() / 1000),
      model: modelName,
      system_fingerprint: systemFingerprint,
    };
    const usage = (end: CompletionEnd) => ({
      prompt_tokens: prompt.length,
      completion_tokens: end.completionTokens,
      total_tokens: prompt.length + end.completionTokens,
    });

    if (!request.stream) {
      let content = '';
      const entries: LogprobEntry[] = [];
      let step = await completion.next();
      for (; !step.done; step = await completion.next()) {
        content += step.value.text;
        if (step.value.logprob) entries.push(step.value.logprob);
      }
      const end = step.value;
      if (end === undefined) return; // the client left
      _sendJson(res, 200, {
        ...head,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: content + end.tail, refusal: null },
            logprobs: request.logprobs ? { content: entries, refusal: null } : null,
            finish_reason: end.finishReason,
          },
        ],
        usage: usage(end),
      });
      return;
    }

    // Streaming: errors from here on are reported in the stream (the status is already sent).
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const chunk = (delta: object, logprobs: LogprobEntry[] | null, finishReason: string | null) => ({
      ...head,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: logprobs && { content: logprobs, refusal: null }, finish_reason: finishReason }],
      ...(request.includeUsage ? { usage: null } : {}),
    });
    await _sendEvent(res, chunk({ role: 'assistant', content: '' }, request.logprobs ? [] : null, null));
    let pending: LogprobEntry[] = [];
    let step = await completion.next();
    for (; !step.done; step = await completion.next()) {
      const { text, logprob } = step.value;
      if (logprob) pending.push(logprob);
      // A token that ends inside a UTF-8 character sends nothing yet; its logprob goes with the next piece.
      if (text === '') continue;
      await _sendEvent(res, chunk({ content: text }, request.logprobs ? pending : null, null));
      pending = [];
    }
    const end = step.value;
    if (end === undefined) return;
    if (end.tail !== '' || pending.length > 0) await _sendEvent(res, chunk({ content: end.tail }, request.logprobs ? pending : null, null));
    await _sendEvent(res, chunk({}, null, end.finishReason));
    if (request.includeUsage) await _sendEvent(res, { ...head, object: 'chat.completion.chunk', choices: [], usage: usage(end) });
    res.end('data: [DONE]\n\n');
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = _pathOf(req.url);
    const method = req.method ?? 'GET';
    if (path === '/v1/chat/completions') {
      _allow(method, 'POST');
      return chatCompletions(req, res);
    }
    if (path === '/v1/models') {
      _allow(method, 'GET');
      authenticate(req);
      return _sendJson(res, 200, { object: 'list', data: [modelCard] });
    }
    if (path?.startsWith('/v1/models/')) {
      _allow(method, 'GET');
      authenticate(req);
      const id = _decodeSegment(path.slice('/v1/models/'.length));
      if (id !== modelName) {
        throw new OpenAiHttpError(404, `The model \`${id ?? ''}\` does not exist; this server serves \`${modelName}\`.`, {
          code: 'model_not_found',
        });
      }
      return _sendJson(res, 200, modelCard);
    }
    throw new OpenAiHttpError(
      404,
      `Unknown request URL: ${method} ${path ?? ''}. This server offers /v1/models and /v1/chat/completions.`,
      {
        code: 'unknown_url',
      },
    );
  };

  const server = createServer((req, res) => {
    req.on('error', () => {}); // a client that aborts an upload must not crash the server
    res.on('error', () => {});
    route(req, res).catch((error: unknown) => {
      const known = error instanceof OpenAiHttpError ? error : internalError();
      if (known !== error) options.onError?.(error);
      if (res.headersSent) {
        if (!res.writableEnded) res.end(`data: ${JSON.stringify(known.toBody())}\n\n`);
        return;
      }
      if (known instanceof MethodNotAllowed) res.setHeader('allow', known.allow);
      _sendJson(res, known.status, known.toBody());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}/v1`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

class MethodNotAllowed extends OpenAiHttpError {
  readonly allow: string;
  constructor(method: string, allow: string) {
    super(405, `Method ${method} is not allowed here; use ${allow}.`, { code: 'method_not_allowed' });
    this.allow = allow;
  }
}

function _allow(method: string, allowed: string): void {
  if (method !== allowed) throw new MethodNotAllowed(method, allowed);
}

function _pathOf(url: string | undefined): string | undefined {
  try {
    const path = new URL(url ?? '/', 'http://localhost').pathname;
    return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  } catch {
    return undefined;
  }
}

function _decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Same seed and same prompt give the same random stream; no seed gives fresh randomness. */
function _randomFor(request: ChatRequest): SeededRandom {
  return new SeededRandom(
    request.seed === undefined ? randomBytes(32).toString('hex') : `lineage/testbed/chat/${request.seed}/${request.promptText}`,
  );
}

function _readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new OpenAiHttpError(413, `The request body exceeds ${maxBytes} bytes.`, { code: 'request_too_large' });
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => reject(new OpenAiHttpError(400, 'The client closed the connection before the body was complete.')));
  });
}

function _parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw invalidParam(null, 'We could not parse the JSON body of your request: send a UTF-8 JSON object.', 'invalid_json');
  }
}

function _sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  // A refused body may still be arriving: close the connection rather than read it all.
  if (status === 413) res.setHeader('connection', 'close');
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** A client that reads nothing for this long is dropped, so it cannot hold a socket and a generation forever. */
const STALLED_CLIENT_MS = 60_000;

/** Writes one SSE event and waits for the socket when its buffer is full (or the client left). */
async function _sendEvent(res: ServerResponse, data: object): Promise<void> {
  if (res.destroyed || res.write(`data: ${JSON.stringify(data)}\n\n`)) return;
  await new Promise<void>((resolve) => {
    const stalled = setTimeout(() => res.destroy(), STALLED_CLIENT_MS);
    const done = () => {
      clearTimeout(stalled);
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
