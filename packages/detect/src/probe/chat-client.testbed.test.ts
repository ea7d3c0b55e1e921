import { createTokenizer } from '@lineage/core/tokenizer';
import { brownParagraphs, type ChatServer, startChatServer, trainNgramModel } from '@lineage/testbed';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChatClient, ProbeHttpError } from './chat-client.js';

const MODEL = 'brown-3gram';
const tokenizer = createTokenizer({ encoding: 'o200k_base' });
let server: ChatServer;

beforeAll(async () => {
  const documents = brownParagraphs('train').slice(0, 200);
  const model = trainNgramModel(
    documents.map((paragraph) => tokenizer.encode(paragraph)),
    { order: 3, encoding: 'o200k_base' },
  );
  server = await startChatServer({ model, modelName: MODEL, tokenizer });
}, 60_000);

afterAll(async () => {
  await server?.close();
  tokenizer.dispose();
});

it('completes prompts against the testbed’s OpenAI-compatible n-gram model server', async () => {
  const client = new ChatClient({ baseUrl: server.url, model: MODEL, maxTokens: 30, apiKey: 'acct-1' });
  const answer = await client.complete('The jury said');
  expect(answer.attempts).toBe(1);
  expect(answer.model).toBe(MODEL);
  expect(['stop', 'length']).toContain(answer.finishReason);
  expect(answer.text.length).toBeGreaterThan(0);
  // max_tokens bounds the tokens the model sampled; re-encoding their text can take more (an
  // n-gram model may sample a non-canonical split, such as "ab" as "a" + "b"), so the bound is loose.
  expect(tokenizer.encode(answer.text).length).toBeLessThanOrEqual(60);
  const chat = await client.complete([
    { role: 'system', content: 'Answer briefly.' },
    { role: 'user', content: 'In the morning the committee' },
  ]);
  expect(chat.text.length).toBeGreaterThan(0);
  // The server's own 404 for an unknown model becomes a clear error.
  const wrong = await new ChatClient({ baseUrl: server.url, model: 'gpt-4o' }).complete('x').catch((e: unknown) => e);
  expect(wrong).toBeInstanceOf(ProbeHttpError);
  expect((wrong as ProbeHttpError).message).toContain('has no model "gpt-4o"');
});
