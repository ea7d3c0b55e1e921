import { createTokenizer } from '@lineage/core/tokenizer';
import fc from 'fast-check';
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brownParagraphs } from './brown-corpus.js';
import { type ChatServer, startChatServer } from './chat-server.js';
import type { MarkedAccount, MarkingScheme, SamplingStep } from './marking-hooks.js';
import type { NgramModel } from './ngram-model.js';
import { trainNgramModel } from './ngram-training.js';

const MODEL = 'brown-3gram';
// A few paragraphs with characters that o200k_base splits over several byte tokens.
const UNICODE_PARAGRAPHS = [
  'The parrot 🦜 met the flamingo 🦩 at the party 🎉 in the old town.',
  'At the party 🎉 the parrot 🦜 sang ꙮ and the flamingo 🦩 danced.',
  'Signs in 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 letters hung over the door 𓀀 of the hall.',
];

const tokenizer = createTokenizer({ encoding: 'o200k_base' });
let model: NgramModel;
const servers: ChatServer[] = [];
let plain: ChatServer;
let client: OpenAI;

async function serve(options: Partial<Parameters<typeof startChatServer>[0]> = {}): Promise<ChatServer> {
  const server = await startChatServer({ model, modelName: MODEL, tokenizer, ...options });
  servers.push(server);
  return server;
}

function openai(server: ChatServer, apiKey = 'acct-1'): OpenAI {
  return new OpenAI({ baseURL: server.url, apiKey, maxRetries: 0 });
}

const ask = (prompt: string, extra: Partial<ChatCompletionCreateParamsNonStreaming> = {}): ChatCompletionCreateParamsNonStreaming => ({
  model: MODEL,
  messages: [{ role: 'user', content: prompt }],
  max_tokens: 40,
  ...extra,
});

async function streamed(via: OpenAI, params: ChatCompletionCreateParamsNonStreaming, includeUsage = false) {
  const stream = await via.chat.completions.create({
    ...params,
    stream: true,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
  });
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const deltas = (chunks: ChatCompletionChunk[]) => chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? ''));

async function post(server: ChatServer, body: unknown, headers: Record<string, string> = {}, path = '/chat/completions') {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { error: Record<string, unknown> } };
}

beforeAll(async () => {
  const documents = [...brownParagraphs('train').slice(0, 400), ...Array(10).fill(UNICODE_PARAGRAPHS).flat()];
  model = trainNgramModel(
    documents.map((paragraph) => tokenizer.encode(paragraph)),
    { order: 3, encoding: 'o200k_base' },
  );
  plain = await serve();
  client = openai(plain);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  tokenizer.dispose();
});

describe('chat server: OpenAI API with the openai client', () => {
  it('lists and retrieves the model', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => [m.id, m.object, m.owned_by])).toEqual([[MODEL, 'model', 'lineage-testbed']]);
    expect((await client.models.retrieve(MODEL)).id).toBe(MODEL);
    await expect(client.models.retrieve('gpt-4o')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('completes a prompt with the OpenAI response shape and usage', async () => {
    const completion = await client.chat.completions.create(ask('The jury said', { seed: 1 }));
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(MODEL);
    const [choice] = completion.choices;
    expect(completion.choices).toHaveLength(1);
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content?.length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(choice?.finish_reason);
    const usage = completion.usage;
    expect(usage?.prompt_tokens).toBe(tokenizer.encode('The jury said').length);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeLessThanOrEqual(40);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(choice?.finish_reason === 'length').toBe(usage?.completion_tokens === 40);
  });

  it('runs to max_tokens when the model does not stop', async () => {
    let reachedLength = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const completion = await client.chat.completions.create(ask('The', { max_completion_tokens: 3, seed }));
      const tokens = completion.usage?.completion_tokens;
      expect(tokens).toBeLessThanOrEqual(3);
      expect(completion.choices[0]?.finish_reason).toBe(tokens === 3 ? 'length' : 'stop');
      if (tokens === 3) reachedLength++;
    }
    // A paragraph rarely ends within three tokens of "The".
    expect(reachedLength).toBeGreaterThanOrEqual(8);
  });

  it('gives the same output for the same seed and different outputs for different seeds', async () => {
    const run = async (seed: number) =>
      (await client.chat.completions.create(ask('In the afternoon the committee', { seed, temperature: 1.2 }))).choices[0]?.message.content;
    const first = await run(7);
    expect(await run(7)).toBe(first);
    const others = new Set(await Promise.all([1, 2, 3, 4, 5].map(run)));
    expect(others.size).toBeGreaterThan(1);
  });

  it('streams deltas that concatenate to the non-streamed content, with usage on request', async () => {
    for (const seed of [1, 2, 3]) {
      const params = ask('The jury said', { seed });
      const whole = await client.chat.completions.create(params);
      const chunks = await streamed(client, params, true);
      expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]?.id)).toBe(true);
      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
      expect(deltas(chunks).join('')).toBe(whole.choices[0]?.message.content);
      const finals = chunks.filter((c) => c.choices[0]?.finish_reason);
      expect(finals.map((c) => c.choices[0]?.finish_reason)).toEqual([whole.choices[0]?.finish_reason]);
      const last = chunks.at(-1);
      expect(last?.choices).toEqual([]);
      expect(last?.usage).toEqual(whole.usage);
    }
    const withoutUsage = await streamed(client, ask('The jury said', { seed: 1 }));
    expect(withoutUsage.every((c) => c.usage === undefined)).toBe(true);
  });

  it('never streams a broken UTF-8 character', async () => {
    let splitSeen = false;
    for (let seed = 0; seed < 12; seed++) {
      // Varying lengths so that some responses also end inside a character.
      const params = ask('At the party 🎉 the parrot 🦜 sang', { seed, max_tokens: 6 + seed, temperature: 0.5 });
      const whole = await client.chat.completions.create(params);
      const chunks = await streamed(client, params, true);
      const pieces = deltas(chunks).filter((piece) => piece !== '');
      const content = whole.choices[0]?.message.content ?? '';
      expect(pieces.join('')).toBe(content);
      if (!content.includes('\uFFFD')) for (const piece of pieces) expect(piece).not.toContain('\uFFFD');
      // Fewer text pieces than tokens: some token ended inside a character and was held back.
      if (pieces.length < (whole.usage?.completion_tokens ?? 0)) splitSeen = true;
    }
    expect(splitSeen).toBe(true);
  });

  it('reports logprobs in the OpenAI shape, greedy choices on top, the same streamed and not', async () => {
    const params = ask('The jury said', { temperature: 0, logprobs: true, top_logprobs: 5 });
    const completion = await client.chat.completions.create(params);
    const content = completion.choices[0]?.logprobs?.content ?? [];
    expect(content.length).toBe(completion.usage?.completion_tokens);
    expect(content.map((entry) => entry.token).join('')).toBe(completion.choices[0]?.message.content);
    for (const entry of content) {
      expect(entry.top_logprobs).toHaveLength(5);
      expect(entry.bytes).toEqual([...Buffer.from(entry.token)]);
      expect(entry.top_logprobs[0]).toMatchObject({ token: entry.token, bytes: entry.bytes });
      expect(entry.top_logprobs[0]?.logprob).toBeCloseTo(entry.logprob, 12);
      const values = entry.top_logprobs.map((t) => t.logprob);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      expect(Math.max(...values)).toBeLessThanOrEqual(0);
    }
    const chunks = await streamed(client, params);
    expect(chunks.flatMap((c) => c.choices[0]?.logprobs?.content ?? [])).toEqual(content);
    const plainCompletion = await client.chat.completions.create(ask('The jury said', { temperature: 0 }));
    expect(plainCompletion.choices[0]?.logprobs).toBeNull();
  });

  it('takes the last user message as the context and ignores the other roles', async () => {
    const alone = await client.chat.completions.create(ask('The jury said', { seed: 4 }));
    const inChat = await client.chat.completions.create({
      ...ask('The jury said', { seed: 4 }),
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Something else entirely' },
        { role: 'assistant', content: 'Sure.' },
        { role: 'user', content: [{ type: 'text', text: 'The jury said' }] },
      ],
    });
    expect(inChat.choices[0]?.message.content).toBe(alone.choices[0]?.message.content);
    expect(inChat.usage?.prompt_tokens).toBe(alone.usage?.prompt_tokens);
  });

  it('raises the client’s typed errors', async () => {
    await expect(client.chat.completions.create({ ...ask('x'), model: 'gpt-4o' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.chat.completions.create({ ...ask('x'), n: 2 })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('chat server: errors', () => {
  it.each([
    ['malformed JSON', '{"model": "brown-3gram", ', 400, null, 'invalid_json'],
    ['an unknown model', { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, 404, 'model', 'model_not_found'],
    ['missing messages', { model: MODEL }, 400, 'messages', 'missing_required_parameter'],
    ['empty messages', { model: MODEL, messages: [] }, 400, 'messages', 'empty_array'],
    [
      'absurd max_tokens',
      { model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 1e12 },
      400,
      'max_tokens',
      'integer_above_max_value',
    ],
    [
      'negative max_tokens',
      { model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: -1 },
      400,
      'max_tokens',
      'integer_below_min_value',
    ],
    ['n = 2', { model: MODEL, messages: [{ role: 'user', content: 'x' }], n: 2 }, 400, 'n', 'unsupported_value'],
    [
      'a string temperature',
      { model: MODEL, messages: [{ role: 'user', content: 'x' }], temperature: '1' },
      400,
      'temperature',
      'invalid_type',
    ],
  ])('answers %s with %i', async (_, body, status, param, code) => {
    const response = await post(plain, body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(typeof response.body.error.message).toBe('string');
  });

  it('answers a body that is not UTF-8 with 400', async () => {
    const bytes = Buffer.from(`{"model": "${MODEL}", "messages": [{"role": "user", "content": "\xff"}]}`, 'latin1');
    const response = await fetch(`${plain.url}/chat/completions`, { method: 'POST', body: bytes });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const unknown = await post(plain, {}, {}, '/completions');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_url');
    expect((await fetch(plain.url.replace(/\/v1$/, '/'))).status).toBe(404);
    const wrong = await fetch(`${plain.url}/chat/completions`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await post(plain, {}, {}, '/models')).status).toBe(405);
  });

  it('refuses bodies over maxBodyBytes with 413, declared or chunked', async () => {
    const small = await serve({ maxBodyBytes: 1024 });
    const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(4000) }] });
    const declared = await post(small, body);
    expect(declared.status).toBe(413);
    const chunked = await fetch(`${small.url}/chat/completions`, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await post(small, { model: MODEL, messages: [{ role: 'user', content: 'fits' }], max_tokens: 2 })).status).toBe(200);
  });

  it('answers a failing hook with a 500 that hides the cause, in the stream once it has started', async () => {
    const errors: unknown[] = [];
    const faulty: MarkingScheme = {
      name: 'faulty',
      samplerFor: () => {
        let steps = 0;
        return {
          sampleNext(step) {
            if (++steps === 3) throw new Error('hook secret detail');
            return step.sampleUnmarked();
          },
        };
      },
    };
    const server = await serve({ marking: faulty, onError: (error) => errors.push(error) });
    const via = openai(server);
    const params = ask('The jury said', { seed: 1, max_tokens: 20 });
    const oneShot = await via.chat.completions.create(params).catch((error: unknown) => error);
    expect(oneShot).toBeInstanceOf(OpenAI.InternalServerError);
    expect(String((oneShot as Error).message)).not.toContain('hook secret detail');
    const inStream = await streamed(via, params).catch((error: unknown) => error);
    expect(inStream).toBeInstanceOf(OpenAI.APIError);
    expect(String((inStream as Error).message)).not.toContain('hook secret detail');
    expect(errors.map((error) => (error as Error).message)).toEqual(['hook secret detail', 'hook secret detail']);
    // Seeded like the requests above, so the answer surely reaches the hook's third step (an
    // unseeded one can stop after two tokens and succeed).
    const third = await post(
      server,
      { model: MODEL, messages: [{ role: 'user', content: 'The jury said' }], seed: 1, max_tokens: 20 },
      { authorization: 'Bearer a' },
    );
    expect(third.status).toBe(500);
    expect((await openai(server).models.list()).data).toHaveLength(1);
  });

  it('survives arbitrary bodies', async () => {
    const bodies = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({ model: fc.constantFrom(MODEL, 'x'), messages: fc.jsonValue({ maxDepth: 2 }), max_tokens: fc.jsonValue({ maxDepth: 0 }) })
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const response = await fetch(`${plain.url}/chat/completions`, { method: 'POST', body });
        expect([200, 400, 404]).toContain(response.status);
        await response.arrayBuffer();
      }),
      { numRuns: 150 },
    );
    expect((await client.models.list()).data).toHaveLength(1);
  });
});

describe('chat server: marking', () => {
  const samplerAccounts: MarkedAccount[] = [];
  const chosen: number[][] = [];
  const textAccounts: MarkedAccount[] = [];
  let sampling: ChatServer;
  let texting: ChatServer;

  beforeAll(async () => {
    const recording: MarkingScheme = {
      name: 'recording',
      samplerFor(account) {
        samplerAccounts.push(account);
        const tokens: number[] = [];
        chosen.push(tokens);
        return {
          sampleNext(step: SamplingStep) {
            const token = step.sampleUnmarked();
            tokens.push(token);
            return token;
          },
        };
      },
    };
    const uppercase: MarkingScheme = {
      name: 'uppercase',
      textMarkerFor(account) {
        textAccounts.push(account);
        return { markText: (text) => text.toUpperCase() };
      },
    };
    const campaignOf = (accountId: string) => (accountId === 'acct-2' ? 'campaign-7' : undefined);
    sampling = await serve({ marking: recording, campaignOf });
    texting = await serve({ marking: uppercase });
  });

  it('requires a valid bearer token and never echoes it', async () => {
    const body = { model: MODEL, messages: [{ role: 'user', content: 'The jury said' }], max_tokens: 5 };
    for (const header of [
      undefined,
      'Basic YWxhZGRpbg==',
      'Bearer',
      'Bearer a b',
      `Bearer ${'x'.repeat(129)}`,
      'Bearer acct/1',
      'Bearer sk-secret$1',
    ]) {
      const response = await post(sampling, body, header === undefined ? {} : { authorization: header });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_api_key');
      for (const secret of ['YWxhZGRpbg', 'sk-secret', 'acct/1', 'x'.repeat(129)])
        expect(JSON.stringify(response.body)).not.toContain(secret);
    }
    expect((await fetch(`${sampling.url}/models`)).status).toBe(401);
    await expect(openai(sampling, 'bad key!').chat.completions.create(ask('x'))).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    for (const accountId of ['acct-1', 'user@example.com', 'org:team.1_A', 'x'.repeat(128)]) {
      expect((await post(sampling, body, { authorization: `Bearer ${accountId}` })).status).toBe(200);
    }
    // Without a scheme the bearer is optional and not checked.
    expect((await post(plain, body, { authorization: 'Bearer not valid!' })).status).toBe(200);
  });

  it('passes the account and its campaign to the sampler hook, which chooses every token', async () => {
    samplerAccounts.length = 0;
    chosen.length = 0;
    const params = ask('The jury said', { seed: 11, logprobs: true });
    const marked = await openai(sampling, 'acct-1').chat.completions.create(params);
    await streamed(openai(sampling, 'acct-2'), ask('The jury said', { seed: 11 }));
    expect(samplerAccounts).toEqual([{ accountId: 'acct-1' }, { accountId: 'acct-2', campaignId: 'campaign-7' }]);
    // The hook drew unmarked tokens with the request's randomness: same text as the plain server.
    const unmarked = await client.chat.completions.create(params);
    expect(marked.choices[0]?.message.content).toBe(unmarked.choices[0]?.message.content);
    const tokens = (chosen[0] ?? []).filter((token) => token !== model.boundaryId);
    expect(tokens.length).toBe(marked.usage?.completion_tokens);
    expect(tokenizer.decode(tokens)).toBe(marked.choices[0]?.message.content);
    // Logprobs are the model's, on the context before each served token.
    const prompt = [...tokenizer.encode('The jury said')];
    const logprobs = marked.choices[0]?.logprobs?.content?.map((entry) => entry.logprob);
    expect(logprobs).toEqual(tokens.map((token, i) => model.logProb([...prompt, ...tokens.slice(0, i)], token)));
  });

  it('applies a text hook to the whole response, streamed or not', async () => {
    textAccounts.length = 0;
    const params = ask('The jury said', { seed: 3 });
    const unmarked = (await client.chat.completions.create(params)).choices[0]?.message.content ?? '';
    const marked = await openai(texting, 'acct-9').chat.completions.create(params);
    expect(marked.choices[0]?.message.content).toBe(unmarked.toUpperCase());
    expect(marked.usage?.completion_tokens).toBe(tokenizer.encode(unmarked.toUpperCase()).length);
    const chunks = await streamed(openai(texting, 'acct-9'), params);
    expect(deltas(chunks).join('')).toBe(unmarked.toUpperCase());
    expect(textAccounts).toEqual([{ accountId: 'acct-9' }, { accountId: 'acct-9' }]);
  });
});

describe('chat server: disconnects and close', () => {
  let steps = 0;
  // Never draws the boundary, so a generation runs to max_tokens unless it is stopped.
  const endless: MarkingScheme = {
    name: 'endless',
    samplerFor: () => ({
      sampleNext(step) {
        steps++;
        for (;;) {
          const token = step.sampleUnmarked();
          if (token !== model.boundaryId) return token;
        }
      },
    }),
  };
  const LIMIT = 200_000;

  async function startStream(server: ChatServer, signal?: AbortSignal) {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer acct-1' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'The jury said' }], max_tokens: LIMIT, stream: true }),
      ...(signal ? { signal } : {}),
    });
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    await reader.read();
    await reader.read();
    return reader;
  }

  async function settled(): Promise<number> {
    let last = -1;
    while (last !== steps) {
      last = steps;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return last;
  }

  it('stops generating when the client disconnects mid-stream', async () => {
    const server = await serve({ marking: endless, maxTokensLimit: LIMIT });
    steps = 0;
    const abort = new AbortController();
    const reader = await startStream(server, abort.signal);
    abort.abort();
    await reader.read().catch(() => undefined);
    const stopped = await settled();
    expect(stopped).toBeGreaterThan(0);
    expect(stopped).toBeLessThan(LIMIT / 10);
  });

  it('close() ends streams and idle keep-alive connections and resolves', async () => {
    const server = await startChatServer({ model, modelName: MODEL, tokenizer, marking: endless, maxTokensLimit: LIMIT });
    await (await fetch(`${server.url}/models`, { headers: { authorization: 'Bearer acct-1' } })).json(); // leaves an idle keep-alive socket
    steps = 0;
    const reader = await startStream(server);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
    ).rejects.toThrow();
    expect(await settled()).toBeLessThan(LIMIT / 10);
    await expect(fetch(`${server.url}/models`)).rejects.toThrow();
    await server.close(); // idempotent
  });
});
