import { getEventListeners } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { LineageInputError } from '@lineage/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, type ChatClientOptions, ProbeHttpError } from './chat-client.js';
import { mapConcurrent } from './concurrency.js';

const KEY = 'sk-lineage-test-0123456789abcdef';

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
type Handler = (res: ServerResponse, n: number, req: IncomingMessage) => unknown;
interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

async function serve(handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.on('error', () => {});
      void handler(res, requests.length, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const handle: TestServer = {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
  servers.push(handle);
  return handle;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function completion(content: string | null, extra: object = {}) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'suspect-1',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    ...extra,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/** Fast sleep that records what the client asked for. */
function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

function client(server: TestServer, options: Partial<ChatClientOptions> = {}) {
  return new ChatClient({ baseUrl: server.url, model: 'suspect-1', sleep: async () => {}, ...options });
}

async function failure(promise: Promise<unknown>): Promise<ProbeHttpError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProbeHttpError);
  return error as ProbeHttpError;
}

/** A port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = await serve(() => {});
  await server.close();
  return server.port;
}

describe('ChatClient: answers', () => {
  it('posts a chat completion request and returns the first choice', async () => {
    const server = await serve((res) => sendJson(res, 200, completion('Hello there.')));
    const answer = await client(server, { apiKey: KEY }).complete('Say hello');
    expect(answer).toEqual({ text: 'Hello there.', attempts: 1, finishReason: 'stop', model: 'suspect-1' });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      model: 'suspect-1',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: false,
    });
  });

  it('sends conversations, temperature and max_tokens, and tolerates a trailing slash and a query', async () => {
    const server = await serve((res) => sendJson(res, 200, completion('ok')));
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Again' },
    ] as const;
    const via = new ChatClient({ baseUrl: `${server.url}//?api-version=2024-01`, model: 'm', temperature: 0, maxTokens: 5 });
    expect(via.baseUrl).toBe(server.url);
    await via.complete(messages);
    const [request] = server.requests;
    expect(request?.url).toBe('/v1/chat/completions?api-version=2024-01');
    expect(request?.headers.authorization).toBeUndefined();
    expect(JSON.parse(request?.body ?? '')).toEqual({ model: 'm', messages, stream: false, temperature: 0, max_tokens: 5 });
  });

  it('reads null content as "" and joins text parts', async () => {
    const bodies = [
      completion(null, { model: undefined }),
      completion([
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ] as never),
    ];
    const server = await serve((res, n) => sendJson(res, 200, bodies[n - 1]));
    const via = client(server);
    expect(await via.complete('x')).toEqual({ text: '', attempts: 1, finishReason: 'stop' });
    expect((await via.complete('x')).text).toBe('ab');
  });
});

describe('ChatClient: retries', () => {
  it('honours Retry-After on 429 (seconds, HTTP date, retry-after-ms, capped)', async () => {
    const retryAfter: Record<string, string>[] = [
      { 'retry-after': '2' },
      { 'retry-after': new Date(Date.now() + 5000).toUTCString() },
      { 'retry-after-ms': '1234', 'retry-after': '9' },
      { 'retry-after': '3600' },
    ];
    const server = await serve((res, n) => {
      const headers = retryAfter[n - 1];
      if (headers) sendJson(res, 429, { error: { message: 'Rate limit reached', type: 'requests' } }, headers);
      else sendJson(res, 200, completion('finally'));
    });
    const { delays, sleep } = recordingSleep();
    const answer = await client(server, { sleep, random: () => 0 }).complete('x');
    expect(answer.text).toBe('finally');
    expect(answer.attempts).toBe(5);
    expect(delays[0]).toBe(2000);
    expect(delays[1]).toBeGreaterThan(3000);
    expect(delays[1]).toBeLessThanOrEqual(5000);
    expect(delays[2]).toBe(1234);
    expect(delays[3]).toBe(60_000);
    // With jitter, a little is added so that concurrent requests do not return in step.
    const jittered = recordingSleep();
    await client(
      await serve((res, n) => (n === 1 ? sendJson(res, 429, {}, { 'retry-after': '1' }) : sendJson(res, 200, completion('ok')))),
      {
        sleep: jittered.sleep,
        random: () => 0.5,
      },
    ).complete('x');
    expect(jittered.delays).toEqual([1250]);
  });

  it('retries 503 twice, then succeeds with attempts = 3 and exponential, fully jittered delays', async () => {
    const server = await serve((res, n) =>
      n <= 2 ? sendJson(res, 503, { error: { message: 'overloaded' } }) : sendJson(res, 200, completion('up')),
    );
    const { delays, sleep } = recordingSleep();
    const answer = await client(server, { sleep, random: () => 0.999 }).complete('x');
    expect(answer).toMatchObject({ text: 'up', attempts: 3 });
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([500, 999]);
    const none = recordingSleep();
    await client(await serve((res, n) => (n <= 2 ? sendJson(res, 502, '') : sendJson(res, 200, completion('up')))), {
      sleep: none.sleep,
      random: () => 0,
    }).complete('x');
    expect(none.delays).toEqual([0, 0]);
  });

  it('gives up after maxRetries with the status, the server message and advice; delays are capped at 30 s', async () => {
    const server = await serve((res) => sendJson(res, 500, { error: { message: 'internal failure in shard 7' } }));
    const { delays, sleep } = recordingSleep();
    const error = await failure(client(server, { sleep, random: () => 0.999, maxRetries: 9 }).complete('x'));
    expect(error).toMatchObject({ status: 500, attempts: 10, retryable: true });
    expect(error.message).toContain('answered 500 after 10 attempts');
    expect(error.message).toContain('internal failure in shard 7');
    expect(error.message).toContain('try again later');
    expect(delays).toHaveLength(9);
    expect(delays.slice(0, 6)).toEqual([500, 999, 1998, 3996, 7992, 15984]);
    expect(delays.slice(6).every((d) => d === 29970)).toBe(true);
  });

  it('retries a reset connection', async () => {
    const server = await serve((res, n, req) => (n === 1 ? req.socket.destroy() : sendJson(res, 200, completion('after reset'))));
    expect(await client(server).complete('x')).toMatchObject({ text: 'after reset', attempts: 2 });
  });

  it('times out a request that never answers (or stalls mid-body), retries, then fails', async () => {
    const server = await serve((res, n) => {
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"choices": [');
      }
    });
    const started = Date.now();
    const error = await failure(client(server, { timeoutMs: 150, maxRetries: 2 }).complete('x'));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toMatchObject({ attempts: 3, retryable: true });
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('did not answer within 150 ms after 3 attempts');
    expect(server.requests).toHaveLength(3);
  });

  it('retries a refused connection only a few times before the server ever answered', async () => {
    const port = await closedPort();
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const error = await failure(new ChatClient({ baseUrl, model: 'm', sleep: async () => {} }).complete('x'));
    expect(error).toMatchObject({ attempts: 3, retryable: true });
    expect(error.message).toContain(`is the server running at ${baseUrl}?`);
    expect(error.message).toContain('ECONNREFUSED');

    // Once the server has answered, a refused connection is a restart: the full budget applies.
    const server = await serve((res) => sendJson(res, 200, completion('ok')));
    const via = client(server, { maxRetries: 4 });
    await via.complete('x');
    await server.close();
    expect((await failure(via.complete('x'))).attempts).toBe(5);
  });
});

describe('ChatClient: errors that are not retried', () => {
  it.each([401, 403])('%i: the key was rejected, no retry', async (status) => {
    const server = await serve((res) =>
      sendJson(res, status, { error: { message: `Incorrect API key provided: ${KEY}`, code: 'invalid_api_key' } }),
    );
    const error = await failure(client(server, { apiKey: KEY }).complete('x'));
    expect(error).toMatchObject({ status, attempts: 1, retryable: false });
    expect(error.message).toBe(`the suspect API rejected the API key (status ${status}); check --api-key-env`);
    expect(server.requests).toHaveLength(1);
    const keyless = await failure(client(server).complete('x'));
    expect(keyless.message).toContain('requires an API key');
  });

  it('404: no endpoint at the URL (or no such model)', async () => {
    const server = await serve((res) => sendJson(res, 404, { error: { message: 'Unknown request URL: POST /v1/chat/completions' } }));
    const error = await failure(client(server).complete('x'));
    expect(error).toMatchObject({ status: 404, attempts: 1, retryable: false });
    expect(error.message).toBe(
      `no chat completions endpoint at ${server.url}/chat/completions (status 404): check --base-url (it should usually end in /v1)`,
    );
    const models = await serve((res) =>
      sendJson(res, 404, { error: { message: 'The model `suspect-1` does not exist', code: 'model_not_found' } }),
    );
    expect((await failure(client(models).complete('x'))).message).toContain('has no model "suspect-1" (status 404); check --model');
  });

  it('other 4xx: a short, printable excerpt of the server message, without the key', async () => {
    const long = `bad request: ${KEY} \u001b[31mred\u202e ${'x'.repeat(1000)}`;
    for (const [status, body] of [
      [400, { error: { message: long } }],
      [422, { detail: [{ loc: ['body', 'messages'], msg: 'field required' }] }],
      [413, 'Payload Too Large'],
    ] as const) {
      const server = await serve((res) => sendJson(res, status, body));
      const error = await failure(client(server, { apiKey: KEY }).complete('x'));
      expect(error).toMatchObject({ status, attempts: 1, retryable: false });
      expect(error.message).toMatch(new RegExp(`^the suspect API refused the request \\(status ${status}\\): `));
      expect(error.message).not.toContain(KEY);
      expect(error.message.length).toBeLessThan(400);
      expect([...error.message].some((c) => c < ' ' || c === '\u202e')).toBe(false);
    }
    const [first] = servers;
    expect(first?.requests).toHaveLength(1);
  });

  it('a 200 that is not a chat completion: says so, retried only twice', async () => {
    for (const [body, what] of [
      ['{"object": "list", "data": []}', 'no choices[0].message.content string'],
      ['<html>Welcome to nginx</html>', 'not JSON'],
      ['data: {"choices": []}\n\n', 'server-sent event stream'],
      [JSON.stringify({ choices: [{ message: { content: 42 } }] }), 'no choices[0].message.content string'],
    ]) {
      const server = await serve((res) => sendJson(res, 200, body));
      const error = await failure(client(server).complete('x'));
      expect(error).toMatchObject({ status: 200, attempts: 3, retryable: false });
      expect(error.message).toContain(what);
      expect(server.requests).toHaveLength(3);
    }
  });

  it('refuses an answer larger than 16 MiB without reading it all', async () => {
    let written = 0;
    const server = await serve(async (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      while (written < 64 * chunk.length && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) await drained(res);
      }
      res.end();
    });
    const error = await failure(client(server).complete('x'));
    expect(error.message).toContain('larger than 16 MiB');
    expect(error).toMatchObject({ attempts: 1, retryable: false });
    expect(written).toBeLessThan(40 * 1024 * 1024);
  });

  it('does not follow redirects (the key could go elsewhere)', async () => {
    const elsewhere = await serve((res) => sendJson(res, 200, completion('elsewhere')));
    const server = await serve((res) => {
      res.writeHead(307, { location: `${elsewhere.url}/chat/completions` });
      res.end();
    });
    const error = await failure(client(server, { apiKey: KEY }).complete('x'));
    expect(error).toMatchObject({ status: 307, attempts: 1, retryable: false });
    expect(error.message).toContain(`to ${elsewhere.url}/chat/completions`);
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe('ChatClient: the API key stays secret', () => {
  it('never appears in String, inspect, JSON or any error', async () => {
    const server = await serve((res, n) => {
      if (n === 1) return sendJson(res, 401, { error: { message: `Incorrect API key provided: ${KEY}` } });
      if (n === 2) return sendJson(res, 400, `you sent ${KEY}`);
      if (n <= 4) return sendJson(res, 503, { error: { message: `busy, ${KEY}` } });
      res.writeHead(302, { location: `http://example.invalid/?key=${KEY}` });
      res.end();
    });
    const via = client(server, { apiKey: KEY, maxRetries: 1 });
    const shown = [
      String(via),
      `${via}`,
      inspect(via),
      inspect(via, { showHidden: true, depth: null }),
      JSON.stringify(via),
      JSON.stringify({ via }),
    ];
    expect(shown[2]).toContain('ChatClient');
    expect(shown[2]).toContain("apiKey: '[redacted]'");
    const errors = [
      await failure(via.complete('x')),
      await failure(via.complete('x')),
      await failure(via.complete('x')),
      await failure(via.complete('x')),
      await failure(
        new ChatClient({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, model: 'm', apiKey: KEY, maxRetries: 0 }).complete('x'),
      ),
    ];
    expect(errors[1]?.message).toContain('[redacted]');
    for (const error of errors)
      shown.push(error.message, String(error), inspect(error, { depth: null, showHidden: true }), JSON.stringify(error));
    for (const text of shown) expect(text).not.toContain(KEY);
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  });
});

describe('ChatClient: cancellation', () => {
  it('rejects promptly with an AbortError when the client signal aborts mid-request, and retries no more', async () => {
    const server = await serve(() => {}); // never answers
    const controller = new AbortController();
    const via = client(server, { signal: controller.signal });
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const error = await via.complete('x').catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests).toHaveLength(1);
    // Already aborted: nothing is sent.
    await expect(via.complete('x')).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(1);
  });

  it('aborts the wait between retries (real sleep) and a single call by its own signal', async () => {
    const server = await serve((res) => sendJson(res, 503, {}, { 'retry-after': '30' }));
    const controller = new AbortController();
    const reason = new Error('Ctrl-C');
    const via = new ChatClient({ baseUrl: server.url, model: 'm', signal: controller.signal });
    setTimeout(() => controller.abort(reason), 100);
    const started = Date.now();
    await expect(via.complete('x')).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);

    const ok = await serve((res, n) => (n === 1 ? undefined : sendJson(res, 200, completion('still works'))));
    const shared = client(ok);
    const call = new AbortController();
    setTimeout(() => call.abort(), 50);
    await expect(shared.complete('x', { signal: call.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect((await shared.complete('x')).text).toBe('still works');
  });

  it('hangs one listener on a shared signal however many requests use it', async () => {
    const server = await serve((res) => setTimeout(() => sendJson(res, 200, completion('ok')), 30));
    const controller = new AbortController();
    const via = client(server, { signal: controller.signal });
    const calls = Array.from({ length: 40 }, () => via.complete('x', { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(getEventListeners(controller.signal, 'abort').length).toBe(1);
    expect((await Promise.all(calls)).every((a) => a.text === 'ok')).toBe(true);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
  });
});

describe('ChatClient with mapConcurrent', () => {
  it('asks many prompts with bounded concurrency, in order, and stops at the first hard error', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const server = await serve((res) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      const { messages } = JSON.parse(server.requests.at(-1)?.body ?? '{}') as { messages: { content: string }[] };
      const prompt = messages[0]?.content ?? '';
      setTimeout(
        () => {
          inFlight--;
          if (prompt === 'prompt 30') sendJson(res, 400, { error: { message: 'context length exceeded' } });
          else sendJson(res, 200, completion(`echo ${prompt}`));
        },
        5 + (prompt.length % 7),
      );
    });
    const via = client(server);
    const prompts = Array.from({ length: 30 }, (_, i) => `prompt ${i}`);
    const answers = await mapConcurrent(prompts, 4, (prompt) => via.complete(prompt));
    expect(answers.map((a) => a.text)).toEqual(prompts.map((p) => `echo ${p}`));
    expect(maxInFlight).toBe(4);
    const more = Array.from({ length: 60 }, (_, i) => `prompt ${i}`);
    const error = await mapConcurrent(more, 4, (prompt) => via.complete(prompt)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeHttpError);
    expect((error as ProbeHttpError).status).toBe(400);
    expect(server.requests.length - 30).toBeLessThan(30 + 1 + 4);
    expect(inFlight).toBe(0);
  });
});

describe('ChatClient: options are checked', () => {
  const valid: ChatClientOptions = { baseUrl: 'http://127.0.0.1:8080/v1', model: 'm' };
  it.each<[string, Partial<Record<keyof ChatClientOptions, unknown>>]>([
    ['a relative URL', { baseUrl: '/v1' }],
    ['not a URL', { baseUrl: 'not a url' }],
    ['an empty URL', { baseUrl: '' }],
    ['an ftp URL', { baseUrl: 'ftp://example.com/v1' }],
    ['credentials in the URL', { baseUrl: 'https://user:hunter2@example.com/v1' }],
    ['an empty model', { model: ' ' }],
    ['a missing model', { model: undefined }],
    ['a zero timeout', { timeoutMs: 0 }],
    ['a negative timeout', { timeoutMs: -5 }],
    ['a NaN timeout', { timeoutMs: Number.NaN }],
    ['an endless timeout', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['negative retries', { maxRetries: -1 }],
    ['fractional retries', { maxRetries: 1.5 }],
    ['a temperature of 3', { temperature: 3 }],
    ['zero max tokens', { maxTokens: 0 }],
    ['an empty key', { apiKey: '' }],
    ['a key with a line break', { apiKey: 'sk-abc\r\nX-Evil: 1' }],
    ['a fetch that is not a function', { fetch: 'fetch' }],
    ['a signal that is not a signal', { signal: {} }],
  ])('refuses %s with LineageInputError', (_, change) => {
    expect(() => new ChatClient({ ...valid, ...change } as ChatClientOptions)).toThrow(LineageInputError);
  });

  it('never echoes a secret from the options', () => {
    for (const change of [{ apiKey: 'sk-abc\nsecret-part' }, { baseUrl: 'https://user:secret-part@example.com/v1' }]) {
      const error = (() => {
        try {
          new ChatClient({ ...valid, ...change });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error?.message).not.toContain('secret-part');
    }
  });

  it('refuses bad prompts with LineageInputError', async () => {
    const via = new ChatClient(valid);
    for (const prompt of [[], [{ role: 'tool', content: 'x' }], [{ role: 'user', content: 1 }], [null], 42]) {
      await expect(via.complete(prompt as never)).rejects.toBeInstanceOf(LineageInputError);
    }
  });

  it('gives up at once on a port fetch refuses, saying so', async () => {
    const blocked = new ChatClient({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm' });
    const error = await blocked.complete('hi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeHttpError);
    expect(error).toMatchObject({ attempts: 1, retryable: false });
    expect((error as Error).message).toMatch(/refuses the port/);
  });
});
