/**
 * The marking proxy end to end: the real `openai` client talks to @lineage/proxy in front of the
 * testbed's OpenAI-compatible server (a real Brown n-gram model). Answers come back marked for
 * the caller's account, streamed or not, exactly as marking the upstream's own answer would;
 * the lexical detector finds the provider mark across one account's answers and not in the
 * upstream's unmarked ones; canaries are inserted and ledgered.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectLexical } from '@lineage/detect';
import { CanaryMarker } from '@lineage/embed/canary';
import { openSqliteLedger } from '@lineage/embed/ledger';
import { type ProxyServer, ResponseMarker, startProxy } from '@lineage/proxy';
import { brownParagraphs, type ChatServer, startChatServer, trainNgramModel } from '@lineage/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAI } from '../packages/proxy/src/openai-client.test-support.js';

const MODEL = 'brown-3gram';
const key = keyFromSecret(new Uint8Array(32).fill(83));
const KEYS = new Map([
  ['key-alice', { accountId: 'alice' }],
  ['key-bob', { accountId: 'bob' }],
]);
const accounts = { resolve: (apiKey: string) => KEYS.get(apiKey) };
const prompts = brownParagraphs('heldout')
  .slice(0, 400)
  .map((p) => p.split(/\s+/).slice(0, 6).join(' '));

const tokenizer = createTokenizer({ encoding: 'o200k_base' });
let upstream: ChatServer;
let proxy: ProxyServer;

beforeAll(async () => {
  const model = trainNgramModel(
    brownParagraphs('train')
      .slice(0, 600)
      .map((p) => tokenizer.encode(p)),
    { order: 3, encoding: 'o200k_base' },
  );
  upstream = await startChatServer({ model, modelName: MODEL, tokenizer });
  proxy = await startProxy({ upstream: upstream.url, key, accounts });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
  tokenizer.dispose();
});

const params = (prompt: string, seed: number) => ({
  model: MODEL,
  messages: [{ role: 'user' as const, content: prompt }],
  max_tokens: 400,
  seed,
});

async function streamed(client: InstanceType<typeof OpenAI>, prompt: string, seed: number): Promise<string> {
  let text = '';
  for await (const chunk of await client.chat.completions.create({ ...params(prompt, seed), stream: true }))
    text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

describe('proxy end to end with the testbed upstream', () => {
  it('marks whole and streamed answers as marking the upstream answer would, and the detector finds the mark', async () => {
    const direct = new OpenAI({ baseURL: upstream.url, apiKey: 'unused', maxRetries: 0 });
    const alice = new OpenAI({ baseURL: proxy.url, apiKey: 'key-alice', maxRetries: 0 });
    const marker = new ResponseMarker({ key });
    const plain: string[] = [];
    const marked: string[] = [];
    for (const [i, prompt] of prompts.entries()) {
      const original = (await direct.chat.completions.create(params(prompt, i))).choices[0]?.message.content ?? '';
      const whole = (await alice.chat.completions.create(params(prompt, i))).choices[0]?.message.content ?? '';
      const expected = marker.mark({ accountId: 'alice' }, prompt, original).text;
      expect(whole).toBe(expected);
      if (i < 10) expect(await streamed(alice, prompt, i)).toBe(expected);
      plain.push(original);
      marked.push(whole);
    }
    expect(marked.some((text, i) => text !== plain[i])).toBe(true);
    const [provider] = detectLexical({ key, texts: marked, exclude: prompts, tapeSeed: new Uint8Array(16) });
    expect(provider?.verdict).toBe('marked');
    const [clean] = detectLexical({ key, texts: plain, exclude: prompts, tapeSeed: new Uint8Array(16) });
    expect(clean?.verdict).toBe('not-marked');
  }, 120_000);

  it('serves 20 concurrent clients of two accounts, each marked for its own account', async () => {
    const marker = new ResponseMarker({ key });
    const direct = new OpenAI({ baseURL: upstream.url, apiKey: 'unused', maxRetries: 0 });
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const [apiKey, accountId] = i % 2 === 0 ? ['key-alice', 'alice'] : ['key-bob', 'bob'];
        const client = new OpenAI({ baseURL: proxy.url, apiKey, maxRetries: 0 });
        const prompt = prompts[i % prompts.length] as string;
        const text =
          i % 4 < 2
            ? await streamed(client, prompt, 100 + i)
            : ((await client.chat.completions.create(params(prompt, 100 + i))).choices[0]?.message.content ?? '');
        const original = (await direct.chat.completions.create(params(prompt, 100 + i))).choices[0]?.message.content ?? '';
        return text === marker.mark({ accountId }, prompt, original).text;
      }),
    );
    expect(results.every(Boolean)).toBe(true);
  }, 120_000);

  it('inserts canaries and records them in a SQLite ledger', async () => {
    const ledger = openSqliteLedger(join(mkdtempSync(join(tmpdir(), 'lineage-proxy-e2e-')), 'ledger.db'), { promptStorage: 'text' });
    const canaried = await startProxy({
      upstream: upstream.url,
      key,
      accounts,
      canaries: { marker: new CanaryMarker({ key, rate: 1, capPerDay: 1_000, ledger }) },
    });
    try {
      const bob = new OpenAI({ baseURL: canaried.url, apiKey: 'key-bob', maxRetries: 0 });
      const answers: string[] = [];
      for (const [i, prompt] of prompts.slice(0, 6).entries()) {
        answers.push(
          i % 2
            ? await streamed(bob, prompt, i)
            : ((await bob.chat.completions.create(params(prompt, i))).choices[0]?.message.content ?? ''),
        );
      }
      const records = [...ledger.entries()];
      expect(records.length).toBeGreaterThan(0);
      for (const record of records) {
        expect(record.accountId).toBe('bob');
        expect(answers.some((answer) => answer.includes(record.canary))).toBe(true);
      }
    } finally {
      await canaried.close();
      ledger.close();
    }
  }, 120_000);
});
