/**
 * The suspect probe against a real testbed model over HTTP: a marked suspect is flagged and
 * the run stops at the first planned look; an unmarked one is not; faults (429 with
 * Retry-After, 500, slow answers, dropped connections) are retried; an interrupted run
 * resumes from the cache and the upstream's request count shows no prompt was asked twice.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { buildPrompts, type ChatServer, greenListMarking, startChatServer, trainOnBrown } from '@lineage/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerCache } from '../probe/answer-cache.js';
import { ChatClient } from '../probe/chat-client.js';
import { probeSuspect } from './probe-suspect.js';

const key = keyFromSecret(new Uint8Array(32).fill(71));
const model = trainOnBrown({ order: 3, tokens: 200_000, seed: 'probe-suspect' });
const tokenizer = createTokenizer({ encoding: key.tokenizer });
const prompts = buildPrompts({ count: 120, seed: 'probe-suspect' }).map((p) => p.text);

const greenList = greenListMarking(key);

let marked: ChatServer;
let clean: ChatServer;
beforeAll(async () => {
  marked = await startChatServer({ model, modelName: 'suspect', tokenizer, marking: greenList });
  clean = await startChatServer({ model, modelName: 'suspect', tokenizer });
});
afterAll(async () => {
  await Promise.all([marked.close(), clean.close()]);
  tokenizer.dispose();
});

const instant = async (_ms: number, signal?: AbortSignal) => signal?.throwIfAborted();
const client = (baseUrl: string, extra: Partial<ConstructorParameters<typeof ChatClient>[0]> = {}) =>
  new ChatClient({ baseUrl, model: 'suspect', apiKey: 'acct-7', maxTokens: 48, temperature: 1, sleep: instant, ...extra });

describe('probeSuspect', () => {
  it('flags a marked suspect at the first planned look and reports what it tested', async () => {
    const looks: number[] = [];
    const report = await probeSuspect({
      client: client(marked.url),
      key,
      prompts,
      schemes: ['kgw', 'lexical'],
      looks: 4,
      accounts: ['acct-7', 'acct-8'],
      toolVersion: '9.9.9',
      onProgress: (p) => {
        if (p.look) looks.push(p.look.index);
      },
    });
    expect(report.status).toBe('stopped-early');
    expect(report.sequential).toMatchObject({ looks: 4, lookAt: [30, 60, 90, 120], stoppedAtLook: 1 });
    expect(looks).toEqual([1]);
    expect(report.queries.answered).toBe(30);
    expect(report.provider).toMatchObject({ scheme: 'kgw', channel: 'provider', verdict: 'marked', keyId: key.keyId });
    expect(report.provider.log10P).toBeLessThan(-6);
    expect(report.provider.correction).toBe('bonferroni over 2 schemes x 4 planned looks');
    expect(report.schemes.map((s) => s.scheme)).toEqual(['kgw', 'lexical']);
    expect(report.identity).toHaveLength(2);
    expect(report.corrections.join('\n')).toMatch(/4 planned looks/);
    expect(report.tool.version).toBe('9.9.9');
    expect(report.key).toEqual({ keyId: key.keyId, commitment: key.commitment, tokenizer: key.tokenizer });
    const kgw = report.traces.find((t) => t.scheme === 'kgw');
    expect(kgw?.hitProbability).toBe(key.schemes.greenList.gamma);
    expect(kgw?.points.at(-1)?.answers).toBe(30);
  });

  it('does not flag an unmarked suspect, and counts every query', async () => {
    const report = await probeSuspect({ client: client(clean.url), key, prompts: prompts.slice(0, 40), looks: 2 });
    expect(report.status).toBe('complete');
    expect(report.provider.verdict).toBe('not-marked');
    expect(report.provider.correction).toBe('bonferroni over 4 schemes x 2 planned looks');
    expect(report.queries).toMatchObject({ planned: 40, answered: 40, asked: 40, cached: 0, failed: 0, skipped: 0, requests: 40 });
    expect(report.queries.answerTokens).toBeGreaterThan(40 * 10);
  });

  it('retries 429, 500, slow answers and dropped connections, and resumes an interrupted run without asking twice', async () => {
    const upstream = new Map<string, number>();
    const waits: number[] = [];
    let calls = 0;
    const front = await faultyFront(clean.url, upstream, () => calls++);
    const dir = mkdtempSync(join(tmpdir(), 'lineage-probe-cache-'));
    const scope = { baseUrl: front.url, model: 'suspect', maxTokens: 48, temperature: 1 };
    const faulty = () =>
      client(front.url, {
        random: () => 0, // no jitter: a Retry-After wait is exactly its value
        maxRetries: 30, // faults rotate over concurrent requests: one query may meet several in a row
        sleep: async (ms, signal) => {
          waits.push(ms);
          signal?.throwIfAborted();
        },
      });
    const plan = { key, prompts: prompts.slice(0, 60), schemes: ['kgw'], looks: 3, concurrency: 3 } as const;
    const interrupt = new AbortController();
    const first = await (async () => {
      using cache = new AnswerCache(dir, scope);
      return await probeSuspect({
        ...plan,
        client: faulty(),
        cache,
        signal: interrupt.signal,
        onProgress: (p) => {
          if (p.answered >= 25) interrupt.abort(new Error('Ctrl-C'));
        },
      });
    })();
    expect(first.status).toBe('interrupted');
    // The tests cover look 1's 20 answers, not the 25 or more received: no unplanned look.
    expect(first.queries.answered).toBe(20);
    expect(first.corrections.join('\n')).toMatch(/interrupted: the tests cover the 20 answers of the last planned look reached \(look 1\)/);
    expect(first.queries.skipped).toBeGreaterThan(0);
    const askedFirst = first.queries.asked;

    using cache = new AnswerCache(dir, scope);
    expect(cache.size).toBe(askedFirst);
    const second = await probeSuspect({ ...plan, client: faulty(), cache });
    await front.close();
    expect(second.status).toBe('complete');
    expect(second.queries).toMatchObject({ planned: 60, answered: 60, cached: askedFirst, asked: 60 - askedFirst, failed: 0 });
    // Every prompt reached the model exactly once over both runs, although the front failed often.
    expect(upstream.size).toBe(60);
    expect([...upstream.values()].every((n) => n === 1)).toBe(true);
    expect(calls).toBeGreaterThan(60);
    expect(waits).toContain(1000); // Retry-After: 1 honoured
    expect(
      readFileSync(cache.path, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"query"')),
    ).toHaveLength(60);

    // The same answers under another plan are a new test: refused, unless asked for and said.
    const other = { client: faulty(), key, prompts: prompts.slice(0, 60), schemes: ['kgw', 'lexical'] as const, looks: 3, cache };
    await expect(probeSuspect({ ...other, schemes: [...other.schemes] })).rejects.toThrow(/already tested under another plan/);
    const retested = await probeSuspect({ ...other, schemes: [...other.schemes], retest: true });
    expect(retested.queries).toMatchObject({ asked: 0, cached: 60 });
    expect(retested.corrections.join('\n')).toMatch(/tested before under 1 other plan/);
  });

  it('replays cached answers in arrival order, so a rerun repeats every look exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-probe-order-'));
    const scope = { baseUrl: clean.url, model: 'suspect', maxTokens: 48, temperature: 1 };
    const run = async () => {
      using cache = new AnswerCache(dir, scope);
      const looks: string[] = [];
      const report = await probeSuspect({
        client: client(clean.url), // unmarked: no look is decisive, so every look runs
        key,
        prompts: prompts.slice(0, 40),
        schemes: ['kgw'],
        looks: 4,
        cache,
        concurrency: 6,
        onProgress: (p) => {
          if (p.look) looks.push(`${p.look.index}:${p.look.log10P}`);
        },
      });
      return { looks, report };
    };
    const first = await run();
    const again = await run();
    expect(again.report.queries).toMatchObject({ asked: 0, cached: 40 });
    expect(again.looks).toEqual(first.looks);
    expect(again.report.queries.answersSha256).toBe(first.report.queries.answersSha256);
  });

  it('stops with a clear error when the key is rejected', async () => {
    const rejecting = new ChatClient({ baseUrl: marked.url, model: 'suspect', sleep: instant });
    await expect(probeSuspect({ client: rejecting, key, prompts: prompts.slice(0, 5) })).rejects.toThrow(/401|key/i);
  });
});

/**
 * An HTTP front for the model server that fails in turn: 429 with Retry-After, 500, a slow
 * answer, a dropped connection, then passes one request through. It counts the prompts that
 * reach the model.
 */
async function faultyFront(target: string, upstream: Map<string, number>, onCall: () => void) {
  let turn = 0;
  const server: Server = createServer(async (req, res) => {
    onCall();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const fault = turn++ % 5;
    if (fault === 0)
      return res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":{"message":"slow down"}}');
    if (fault === 1) return res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"oops"}}');
    if (fault === 3) return req.socket.destroy();
    if (fault === 2) await new Promise((r) => setTimeout(r, 50));
    const prompt = (JSON.parse(body) as { messages: { content: string }[] }).messages.at(-1)?.content ?? '';
    upstream.set(prompt, (upstream.get(prompt) ?? 0) + 1);
    const answer = await fetch(`${target}${req.url?.replace(/^\/v1/, '')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
      body,
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
