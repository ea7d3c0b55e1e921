import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret } from '@lineage/core';
import { CanaryMarker } from '@lineage/embed/canary';
import { openSqliteLedger } from '@lineage/embed/ledger';
import { brownParagraphs } from '@lineage/testbed';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountResolver } from './account-resolver.js';
import { type ProxyLogEvent, type ProxyServer, startProxy } from './proxy-server.js';
import { ResponseMarker } from './response-marker.js';

const key = keyFromSecret(new Uint8Array(32).fill(7));
const CLIENT_KEY = 'client-secret-key-1';
const UPSTREAM_KEY = 'upstream-secret-key';
const accounts: AccountResolver = {
  resolve: (apiKey) =>
    new Map([
      [CLIENT_KEY, { accountId: 'acct-1' }],
      ['client-secret-key-2', { accountId: 'acct-2' }],
      ['client-secret-key-3', { accountId: 'acct-3', campaignId: 'not-in-key' }],
    ]).get(apiKey),
};
const TEXT = brownParagraphs('heldout').slice(0, 3).join('\n\n');

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}
let mode: 'ok' | 'error500' | 'slow' | 'after-done' | 'reset-mid-stream' | 'stall-mid-stream' | 'trickle' = 'ok';
let trickleClosed = 0;
const seen: Seen[] = [];
let upstream: Server;
let slowClosed = 0;
let upstreamUrl: string;

/** A fake OpenAI upstream that answers TEXT, streamed in 7-character pieces, with logprobs when asked. */
function fakeUpstream(): Server {
  return createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (mode === 'after-done') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (content: string) =>
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'fake', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
        res.end(`${chunk(TEXT)}data: [DONE]\n\n${chunk('late text')}`);
        return;
      }
      if (mode === 'error500') {
        res.writeHead(500, { 'content-type': 'application/json', 'retry-after': '7' });
        res.end(JSON.stringify({ error: { message: 'model overloaded', type: 'server_error', code: 'overloaded' } }));
        return;
      }
      if (mode === 'slow') {
        res.on('close', () => slowClosed++);
        return; // never answers
      }
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake', object: 'model', created: 0, owned_by: 'test' }] }));
        return;
      }
      if (body?.stream && (mode === 'reset-mid-stream' || mode === 'stall-mid-stream' || mode === 'trickle')) {
        // A third of TEXT, then a reset, a stall, or the rest one piece every 20 ms.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const piece = (at: number) =>
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'fake', choices: [{ index: 0, delta: { content: TEXT.slice(at, at + 7) }, finish_reason: null }] })}\n\n`;
        const third = Math.floor(TEXT.length / 3 / 7) * 7;
        for (let at = 0; at < third; at += 7) res.write(piece(at));
        if (mode === 'reset-mid-stream') setTimeout(() => res.socket?.destroy(), 30);
        if (mode === 'trickle') {
          res.on('close', () => trickleClosed++);
          let at = third;
          const timer = setInterval(() => {
            if (at >= TEXT.length || res.destroyed) return clearInterval(timer);
            res.write(piece(at));
            at += 7;
          }, 20);
        }
        return;
      }
      const n = typeof body?.n === 'number' ? body.n : 1;
      const logprobs = body?.logprobs ? { content: [{ token: 'x', logprob: -1, bytes: null, top_logprobs: [] }] } : null;
      const base = { id: 'chatcmpl-1', created: 1, model: 'fake', system_fingerprint: 'fp' };
      if (body?.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        for (let i = 0; i < n; i++)
          send({
            ...base,
            object: 'chat.completion.chunk',
            choices: [{ index: i, delta: { role: 'assistant', content: '' }, logprobs, finish_reason: null }],
          });
        for (let at = 0; at < TEXT.length; at += 7)
          for (let i = 0; i < n; i++)
            send({
              ...base,
              object: 'chat.completion.chunk',
              choices: [{ index: i, delta: { content: TEXT.slice(at, at + 7) }, logprobs, finish_reason: null }],
            });
        for (let i = 0; i < n; i++)
          send({ ...base, object: 'chat.completion.chunk', choices: [{ index: i, delta: {}, logprobs: null, finish_reason: 'stop' }] });
        if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage)
          send({
            ...base,
            object: 'chat.completion.chunk',
            choices: [],
            usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
          });
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: Array.from({ length: n }, (_, index) => ({
            index,
            message: { role: 'assistant', content: TEXT, refusal: null },
            logprobs,
            finish_reason: 'stop',
          })),
          usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
        }),
      );
    });
  });
}

const proxies: ProxyServer[] = [];
const events: ProxyLogEvent[] = [];
let proxy: ProxyServer;

async function start(options: Partial<Parameters<typeof startProxy>[0]> = {}): Promise<ProxyServer> {
  const server = await startProxy({
    upstream: upstreamUrl,
    key,
    accounts,
    upstreamApiKey: UPSTREAM_KEY,
    log: (e) => events.push(e),
    ...options,
  });
  proxies.push(server);
  return server;
}

const client = (server: ProxyServer, apiKey = CLIENT_KEY) => new OpenAI({ baseURL: server.url, apiKey, maxRetries: 0 });
const ask = { model: 'fake', messages: [{ role: 'user' as const, content: 'Tell me a story.' }] };

beforeAll(async () => {
  upstream = fakeUpstream();
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  proxy = await start();
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

beforeEach(() => {
  mode = 'ok';
  seen.length = 0;
});

const expected = (accountId = 'acct-1') => new ResponseMarker({ key }).mark({ accountId }, 'Tell me a story.', TEXT).text;

describe('startProxy with the openai client', () => {
  it('marks a non-streaming answer for the account, keeping every other field, with the upstream key', async () => {
    const completion = await client(proxy).chat.completions.create(ask);
    const content = completion.choices[0]?.message.content;
    expect(content).toBe(expected());
    expect(content).not.toBe(TEXT);
    expect(completion).toMatchObject({ id: 'chatcmpl-1', model: 'fake', system_fingerprint: 'fp', usage: { total_tokens: 3 } });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  });

  it('marks for the account the key resolves to', async () => {
    const a = await client(proxy).chat.completions.create(ask);
    const b = await client(proxy, 'client-secret-key-2').chat.completions.create(ask);
    expect(a.choices[0]?.message.content).toBe(expected('acct-1'));
    expect(b.choices[0]?.message.content).toBe(expected('acct-2'));
  });

  it('refuses an account it cannot mark (campaign not in the key) with 500, forwarding nothing', async () => {
    const error = await client(proxy, 'client-secret-key-3')
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect((error as Error).message).toMatch(/cannot be marked/);
    expect(seen).toHaveLength(0);
  });

  it('streams the same marked text as the non-streaming answer, every chunk kept in order', async () => {
    for (const n of [1, 2]) {
      const stream = await client(proxy).chat.completions.create({ ...ask, n, stream: true, stream_options: { include_usage: true } });
      const texts = Array.from({ length: n }, () => '');
      let chunks = 0;
      let usage = false;
      for await (const chunk of stream) {
        chunks++;
        if (chunk.usage) usage = true;
        for (const choice of chunk.choices) texts[choice.index] += choice.delta.content ?? '';
      }
      expect(texts).toEqual(Array(n).fill(expected()));
      expect(chunks).toBe(n * (2 + Math.ceil(TEXT.length / 7)) + 1);
      expect(usage).toBe(true);
    }
  });

  it('strips logprobs from the request and the response by default, keeps them when asked', async () => {
    const completion = await client(proxy).chat.completions.create({ ...ask, logprobs: true, top_logprobs: 2 });
    expect(seen[0]?.body).not.toHaveProperty('logprobs');
    expect(seen[0]?.body).not.toHaveProperty('top_logprobs');
    expect(completion.choices[0]?.logprobs).toBeNull();
    const keeping = await start({ stripLogprobs: false });
    const kept = await client(keeping).chat.completions.create({ ...ask, logprobs: true, top_logprobs: 2 });
    expect(seen[1]?.body).toMatchObject({ logprobs: true, top_logprobs: 2 });
    expect(kept.choices[0]?.logprobs).not.toBeNull();
  });

  it('answers unknown or missing keys with 401 and forwards nothing', async () => {
    const error = await client(proxy, 'nope')
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const missing = await fetch(`${proxy.url}/chat/completions`, { method: 'POST', body: JSON.stringify(ask) });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
    expect(seen).toHaveLength(0);
  });

  it('passes upstream errors through with their status and body', async () => {
    mode = 'error500';
    const error = await client(proxy)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('model overloaded');
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('7');
  });

  it('passes nothing on after [DONE]', async () => {
    mode = 'after-done';
    const raw = await (
      await fetch(`${proxy.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}` },
        body: JSON.stringify({ ...ask, stream: true }),
      })
    ).text();
    expect(raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(raw).not.toContain('late text');
  });

  it('answers 502 when the upstream is down and 504 when it times out', async () => {
    const down = await start({ upstream: 'http://127.0.0.1:9/v1' });
    const error = await client(down)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    mode = 'slow';
    const slow = await start({ upstreamTimeoutMs: 200 });
    const timeout = await client(slow)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect((timeout as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((timeout as Error).message).toMatch(/did not answer within 200 ms/);
  });

  it('aborts the upstream request when the client disconnects', async () => {
    mode = 'slow';
    const aborting = new AbortController();
    const request = fetch(`${proxy.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify(ask),
      signal: aborting.signal,
    }).catch((e: unknown) => e);
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const before = slowClosed;
    aborting.abort();
    await request;
    for (let i = 0; i < 100 && slowClosed === before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(slowClosed).toBe(before + 1);
  });

  it('ends a stream the upstream resets or stalls mid-answer with an error event, held-back text marked, no [DONE]', async () => {
    const stalling = await start({ upstreamTimeoutMs: 300 });
    for (const [failure, code] of [
      ['reset-mid-stream', 'upstream_disconnected'],
      ['stall-mid-stream', 'upstream_timeout'],
    ] as const) {
      mode = failure;
      events.length = 0;
      const response = await fetch(`${stalling.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}` },
        body: JSON.stringify({ ...ask, stream: true }),
      });
      expect(response.status).toBe(200);
      const datas = (await response.text())
        .split('\n\n')
        .filter((e) => e.startsWith('data: '))
        .map((e) => e.slice(6));
      expect(datas).not.toContain('[DONE]');
      const last = JSON.parse(datas.at(-1) as string) as { error: { code: string; type: string } };
      expect(last.error).toMatchObject({ code, type: 'upstream_error' });
      const text = datas
        .slice(0, -1)
        .map((d) => (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
        .join('');
      // Everything received went out, marked: the cut answer equals marking the third that arrived.
      const third = TEXT.slice(0, Math.floor(TEXT.length / 3 / 7) * 7);
      expect(text).toBe(new ResponseMarker({ key }).mark({ accountId: 'acct-1' }, 'Tell me a story.', third).text);
      expect(events.at(-1)).toMatchObject({ status: 200, error: code, stream: true });
      // The openai client raises the error event.
      const error = await (async () => {
        for await (const _ of await client(stalling).chat.completions.create({ ...ask, stream: true }));
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
    }
  });

  it('aborts the upstream when the client disconnects mid-stream, and keeps serving', async () => {
    mode = 'trickle';
    const before = trickleClosed;
    const aborting = new AbortController();
    const response = await fetch(`${proxy.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify({ ...ask, stream: true }),
      signal: aborting.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    aborting.abort();
    for (let i = 0; i < 200 && trickleClosed === before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(trickleClosed).toBe(before + 1);
    mode = 'ok';
    expect((await client(proxy).chat.completions.create(ask)).choices[0]?.message.content).toBe(expected());
  });

  it('answers an oversized body with 413 before reading it all, forwarding nothing', async () => {
    const small = await start({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ ...ask, messages: [{ role: 'user', content: 'x'.repeat(64 * 1024) }] });
    const response = await fetch(`${small.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: big,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    expect(seen).toHaveLength(0);
    expect((await client(small).chat.completions.create(ask)).choices[0]?.message.content).toBe(expected());
  });

  it('answers malformed bodies with 400 and keeps serving', async () => {
    const post = (body: string) =>
      fetch(`${proxy.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${CLIENT_KEY}` }, body });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json().filter((j) => {
            const v = JSON.parse(j);
            return typeof v !== 'object' || v === null || !Array.isArray(v.messages);
          }),
        ),
        async (body) => {
          const response = await post(body);
          expect(response.status).toBe(400);
          expect(((await response.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
        },
      ),
      { numRuns: 100 },
    );
    expect(seen).toHaveLength(0);
    const completion = await client(proxy).chat.completions.create(ask);
    expect(completion.choices[0]?.message.content).toBe(expected());
  });

  it('serves 20 concurrent clients, streaming and not', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        if (i % 2 === 0) return (await client(proxy).chat.completions.create(ask)).choices[0]?.message.content;
        let text = '';
        for await (const chunk of await client(proxy).chat.completions.create({ ...ask, stream: true }))
          text += chunk.choices[0]?.delta.content ?? '';
        return text;
      }),
    );
    expect(answers).toEqual(Array(20).fill(expected()));
  });

  it('passes GET /v1/models through, answers /health, and 404 elsewhere', async () => {
    const models = await client(proxy).models.list();
    expect(models.data[0]?.id).toBe('fake');
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    const health = await fetch(proxy.url.replace(/\/v1$/, '/health'));
    expect(await health.json()).toEqual({ status: 'ok' });
    const missing = await fetch(`${proxy.url}/completions`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
  });

  it('keeps /v1/models pass-through inside /models: dot segments never reach other upstream paths', async () => {
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(proxy.url);
        request({ host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${CLIENT_KEY}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    for (const path of ['/v1/models/../files', '/v1/models/%2e%2e/files', '/v1/models/.%2E/.%2e/admin', '/v1/models/a%2F..%2F..%2Ffiles'])
      expect(await raw(path)).toBe(404);
    expect(seen).toHaveLength(0);
    await raw('/v1/models/org/model:ft-1');
    expect(seen.map((s) => s.url)).toEqual(['/v1/models/org/model%3Aft-1']);
  });

  it('inserts and records canaries when configured, streaming and not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-proxy-'));
    const ledger = openSqliteLedger(join(dir, 'ledger.db'), { promptStorage: 'text' });
    try {
      const marker = new CanaryMarker({ key, rate: 1, capPerDay: 1_000, ledger });
      const canaried = await start({ canaries: { marker } });
      const whole = (await client(canaried).chat.completions.create(ask)).choices[0]?.message.content ?? '';
      let streamed = '';
      const stream = await client(canaried).chat.completions.create({
        ...ask,
        messages: [{ role: 'user', content: 'Another story.' }],
        stream: true,
      });
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
      const records = [...ledger.entries()];
      expect(records).toHaveLength(2);
      expect(records.map((r) => r.prompt)).toEqual(['Tell me a story.', 'Another story.']);
      expect(whole).toContain(records[0]?.canary);
      expect(streamed).toContain(records[1]?.canary);
      expect(records.every((r) => r.accountId === 'acct-1')).toBe(true);
      expect(events.filter((e) => e.canary === true).length).toBeGreaterThanOrEqual(2);
    } finally {
      ledger.close();
    }
  });

  it('puts at most one canary in a response with n > 1 choices, streaming and not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-proxy-'));
    const ledger = openSqliteLedger(join(dir, 'ledger.db'), { promptStorage: 'text' });
    try {
      const marker = new CanaryMarker({ key, rate: 1, capPerDay: 1_000, ledger });
      const canaried = await start({ canaries: { marker } });
      const whole = await client(canaried).chat.completions.create({ ...ask, n: 3 });
      const contents = whole.choices.map((c) => c.message.content ?? '');
      expect(contents).toHaveLength(3);
      let records = [...ledger.entries()];
      expect(records).toHaveLength(1);
      expect(contents.filter((c) => c.includes(records[0]?.canary as string))).toHaveLength(1);
      const texts = ['', '', ''];
      const stream = await client(canaried).chat.completions.create({
        ...ask,
        messages: [{ role: 'user', content: 'Another story.' }],
        n: 3,
        stream: true,
      });
      for await (const chunk of stream) for (const choice of chunk.choices) texts[choice.index] += choice.delta.content ?? '';
      records = [...ledger.entries()];
      expect(records).toHaveLength(2);
      expect(texts.filter((t) => t.includes(records[1]?.canary as string))).toHaveLength(1);
      // The other choices are marked all the same.
      expect(texts[1]).toBe(new ResponseMarker({ key }).mark({ accountId: 'acct-1' }, 'Another story.', TEXT).text);
    } finally {
      ledger.close();
    }
  });

  it('serves accounts in a campaign with the campaign marker (the flagged rate)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-proxy-'));
    const ledger = openSqliteLedger(join(dir, 'ledger.db'), { promptStorage: 'text' });
    try {
      const never = new CanaryMarker({ key, rate: 0, ledger });
      const always = new CanaryMarker({ key, rate: 0, flaggedRate: 1, flaggedCampaigns: ['camp-1'], capPerDay: 1_000, ledger });
      const inCampaign: AccountResolver = {
        resolve: (apiKey) => (apiKey === CLIENT_KEY ? { accountId: 'acct-1' } : { accountId: 'acct-9', campaignId: 'camp-1' }),
      };
      const canaried = await start({
        key: key.withInfo({ campaigns: [{ id: 'camp-1', createdAt: '2025-01-01T00:00:00.000Z' }] }),
        accounts: inCampaign,
        canaries: { marker: never, campaignMarker: always },
      });
      await client(canaried).chat.completions.create(ask);
      expect([...ledger.entries()]).toHaveLength(0);
      await client(canaried, 'flagged-key').chat.completions.create(ask);
      expect([...ledger.entries()].map((r) => [r.accountId, r.campaignId])).toEqual([['acct-9', 'camp-1']]);
    } finally {
      ledger.close();
    }
  });

  it('logs one event per request with no keys, prompts or answers', async () => {
    events.length = 0;
    await client(proxy).chat.completions.create(ask);
    await client(proxy, 'bad-key')
      .chat.completions.create(ask)
      .catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      event: 'request',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      accountId: 'acct-1',
      stream: false,
      canary: false,
    });
    expect(events[1]).toMatchObject({ status: 401, error: 'invalid_api_key' });
    const text = JSON.stringify(events);
    for (const secret of [CLIENT_KEY, 'bad-key', UPSTREAM_KEY, 'Tell me a story', TEXT.slice(0, 20)]) expect(text).not.toContain(secret);
  });

  it('closes gracefully: an open stream finishes', async () => {
    const closing = await start();
    const stream = await client(closing).chat.completions.create({ ...ask, stream: true });
    const closed = closing.close();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    await closed;
    expect(text).toBe(expected());
    await expect(fetch(closing.url.replace(/\/v1$/, '/health'))).rejects.toThrow();
  });
});
