import type { LanguageModelV2Content, LanguageModelV2StreamPart } from '@ai-sdk/provider';
import { keyFromSecret } from '@lineage/core';
import { generateText, simulateReadableStream, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV2 } from 'ai/test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanaryMarker } from '../canary/canary-marker.js';
import type { CanaryLedger, CanaryRecord } from '../ledger/canary-ledger.js';
import { LexicalMarker } from '../lexical-marker.js';
import { type LineageMiddlewareOptions, lineageMiddleware } from './lineage-middleware.js';

const key = keyFromSecret(new Uint8Array(32).fill(21));
const TEXT =
  "It is often said that we do not know where to begin. Perhaps it is because the task is large and we can't see its end.\n\n" +
  "I don't think that is true: it is almost always possible to start small, and a small start is often enough.\n\n" +
  'Rivers carry water to the sea. They shape valleys over long spans of time.';
const USAGE = { inputTokens: 3, outputTokens: 40, totalTokens: 43 };

const marked = (accountId: string, text = TEXT) => new LexicalMarker({ key, accountId }).mark(text);

function textParts(chunks: readonly string[], id = 't0'): LanguageModelV2StreamPart[] {
  return [
    { type: 'text-start', id },
    ...chunks.map((delta): LanguageModelV2StreamPart => ({ type: 'text-delta', id, delta })),
    { type: 'text-end', id },
  ];
}

function mockModel(content: LanguageModelV2Content[], parts: LanguageModelV2StreamPart[]) {
  return new MockLanguageModelV2({
    doGenerate: async () => ({ content, finishReason: 'stop', usage: USAGE, warnings: [] }),
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: 'stream-start', warnings: [] },
          ...parts,
          { type: 'finish', finishReason: 'stop', usage: USAGE },
        ] as LanguageModelV2StreamPart[],
        initialDelayInMs: null,
        chunkDelayInMs: null,
      }),
    }),
  });
}

function wrapped(options: LineageMiddlewareOptions, chunks: readonly string[] = [TEXT], text = TEXT) {
  return wrapLanguageModel({
    model: mockModel([{ type: 'text', text }], textParts(chunks)),
    middleware: lineageMiddleware(options),
  });
}

type Messages = Array<{ role: 'user' | 'assistant'; content: string }>;

async function streamed(model: ReturnType<typeof wrapped>, messages?: Messages): Promise<string> {
  const result = messages ? streamText({ model, messages }) : streamText({ model, prompt: 'Where do I begin?' });
  let text = '';
  for await (const piece of result.textStream) text += piece;
  return text;
}

/** Random cut points, so every chunking of the text is reachable. */
const chunkings = fc.uniqueArray(fc.integer({ min: 1, max: TEXT.length - 1 }), { maxLength: 40 }).map((cuts) => {
  const sorted = [0, ...cuts.sort((a, b) => a - b), TEXT.length];
  return sorted.slice(1).map((end, i) => TEXT.slice(sorted[i], end));
});

class MemoryLedger implements CanaryLedger {
  readonly promptStorage = 'text' as const;
  readonly records: CanaryRecord[] = [];
  record(entry: CanaryRecord): void {
    this.records.push(entry);
  }
  recordMany(entries: Iterable<CanaryRecord>): void {
    for (const entry of entries) this.record(entry);
  }
  countForAccountSince(accountId: string, sinceMs: number): number {
    return this.records.filter((r) => r.accountId === accountId && r.time >= sinceMs).length;
  }
  entries(): IterableIterator<CanaryRecord> {
    return this.records.values();
  }
  size(): number {
    return this.records.length;
  }
  close(): void {}
}

describe('lineageMiddleware with generateText', () => {
  it('marks the text for the default account, as LexicalMarker does', async () => {
    const { text } = await generateText({ model: wrapped({ key, account: { accountId: 'acct-1' } }), prompt: 'Where do I begin?' });
    expect(text).toBe(marked('acct-1'));
    expect(text).not.toBe(TEXT);
  });

  it('takes the account from providerOptions.lineage before accountFrom and the default', async () => {
    const model = wrapped({ key, account: { accountId: 'acct-1' }, accountFrom: () => ({ accountId: 'acct-3' }) });
    const a = await generateText({ model, prompt: 'p', providerOptions: { lineage: { accountId: 'acct-2' } } });
    const b = await generateText({ model, prompt: 'p' });
    expect(a.text).toBe(marked('acct-2'));
    expect(b.text).toBe(marked('acct-3'));
    expect(a.text).not.toBe(b.text);
    const fallback = wrapped({ key, account: { accountId: 'acct-1' }, accountFrom: () => undefined });
    expect((await generateText({ model: fallback, prompt: 'p' })).text).toBe(marked('acct-1'));
  });

  it('passes a call with no account through unmarked', async () => {
    const { text } = await generateText({ model: wrapped({ key }), prompt: 'p' });
    expect(text).toBe(TEXT);
    expect(await streamed(wrapped({ key }, TEXT.split(/(?<= )/)))).toBe(TEXT);
  });

  it('refuses a malformed account before calling the model', async () => {
    const model = mockModel([{ type: 'text', text: TEXT }], []);
    const wrappedModel = wrapLanguageModel({ model, middleware: lineageMiddleware({ key }) });
    await expect(generateText({ model: wrappedModel, prompt: 'p', providerOptions: { lineage: { accountId: 7 } } })).rejects.toThrow(
      /accountId must be a string/,
    );
    await expect(
      generateText({ model: wrappedModel, prompt: 'p', providerOptions: { lineage: { accountId: 'a', campaignId: 'nope' } } }),
    ).rejects.toThrow(/not in key/);
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it('leaves reasoning and tool calls untouched and marks every text part', async () => {
    const content: LanguageModelV2Content[] = [
      { type: 'reasoning', text: 'It is often said that we do not know.' },
      { type: 'text', text: TEXT },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: '{"q":"it is often said"}' },
      { type: 'text', text: 'Perhaps it is because the task is large.' },
    ];
    const model = wrapLanguageModel({
      model: mockModel(content, []),
      middleware: lineageMiddleware({ key, account: { accountId: 'acct-1' } }),
    });
    const result = await model.doGenerate({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'p' }] }] });
    expect(result.content).toEqual([
      content[0],
      { type: 'text', text: marked('acct-1') },
      content[2],
      { type: 'text', text: marked('acct-1', 'Perhaps it is because the task is large.') },
    ]);
  });
});

describe('lineageMiddleware with streamText', () => {
  it('streams the same marked text as generateText, for every chunking', async () => {
    const options = { key, account: { accountId: 'acct-1' } };
    const expected = marked('acct-1');
    for (const chunks of [[TEXT], TEXT.split(/(?<= )/), [...TEXT], TEXT.split(/(?<=\n)/)]) {
      expect(await streamed(wrapped(options, chunks))).toBe(expected);
    }
    await fc.assert(
      fc.asyncProperty(chunkings, async (chunks) => {
        expect(await streamed(wrapped(options, chunks))).toBe(expected);
      }),
      { numRuns: 30, seed: 8 },
    );
  });

  it('keeps other parts in order, flushes held text before text-end, and marks interleaved ids apart', async () => {
    const second = 'Perhaps it is because the task is large.';
    const parts: LanguageModelV2StreamPart[] = [
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: 'It is often said that we do not know.' },
      { type: 'reasoning-end', id: 'r' },
      { type: 'text-start', id: 'a' },
      { type: 'text-start', id: 'b' },
      ...TEXT.split(/(?<= )/).flatMap((word, i): LanguageModelV2StreamPart[] => {
        const other = second.split(/(?<= )/)[i];
        const a: LanguageModelV2StreamPart = { type: 'text-delta', id: 'a', delta: word };
        return other === undefined ? [a] : [a, { type: 'text-delta', id: 'b', delta: other }];
      }),
      { type: 'text-end', id: 'b' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: '{}' },
      { type: 'text-end', id: 'a' },
    ];
    const model = wrapLanguageModel({
      model: mockModel([], parts),
      middleware: lineageMiddleware({ key, account: { accountId: 'acct-1' } }),
    });
    const { stream } = await model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'p' }] }] });
    const out: LanguageModelV2StreamPart[] = [];
    for await (const part of stream as unknown as AsyncIterable<LanguageModelV2StreamPart>) out.push(part);
    const join = (id: string) => out.map((p) => (p.type === 'text-delta' && p.id === id ? p.delta : '')).join('');
    expect(join('a')).toBe(marked('acct-1'));
    expect(join('b')).toBe(marked('acct-1', second));
    const others = out.filter((p) => p.type !== 'text-delta');
    expect(others).toEqual([
      { type: 'stream-start', warnings: [] },
      parts[0],
      parts[1],
      parts[2],
      parts[3],
      parts[4],
      { type: 'text-end', id: 'b' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: '{}' },
      { type: 'text-end', id: 'a' },
      { type: 'finish', finishReason: 'stop', usage: USAGE },
    ]);
    // Nothing of a text part comes after its text-end.
    for (const id of ['a', 'b']) {
      const end = out.findIndex((p) => p.type === 'text-end' && p.id === id);
      expect(out.slice(end).some((p) => p.type === 'text-delta' && p.id === id)).toBe(false);
    }
    // Text flows while it streams: most input words produce output before the part ends.
    expect(out.filter((p) => p.type === 'text-delta' && p.id === 'a').length).toBeGreaterThan(TEXT.split(' ').length / 3);
  });
});

describe('lineageMiddleware with canaries', () => {
  const prompt = 'Tell me how to start.';
  const messages: Messages = [
    { role: 'user', content: 'An earlier question.' },
    { role: 'assistant', content: 'An earlier answer.' },
    { role: 'user', content: prompt },
  ];

  it('inserts the canary before marking, records it, and streams the same text', async () => {
    const ledger = new MemoryLedger();
    const canaries = new CanaryMarker({ key, ledger, rate: 1, now: () => 1_700_000_000_000 });
    const options = { key, account: { accountId: 'acct-1' }, canaries };
    const { text } = await generateText({ model: wrapped(options), messages });
    const expected = new CanaryMarker({ key, rate: 1 }).mark({ accountId: 'acct-1', prompt, text: TEXT });
    expect(expected.canary).toBeDefined();
    expect(text).toBe(marked('acct-1', expected.text));
    expect(text).toContain(expected.canary);
    expect(ledger.records).toEqual([
      {
        accountId: 'acct-1',
        prompt,
        promptHash: canaries.policy.drawer.promptHash(prompt),
        canary: expected.canary,
        time: 1_700_000_000_000,
        keyId: key.keyId,
      },
    ]);
    for (const chunks of [TEXT.split(/(?<= )/), [...TEXT]]) {
      expect(await streamed(wrapped(options, chunks), messages)).toBe(text);
    }
    expect(ledger.records).toHaveLength(3);
  });

  it('stops the stream before a canary the ledger failed to record goes out', async () => {
    const ledger = new MemoryLedger();
    ledger.record = () => {
      throw new Error('ledger down');
    };
    const canaries = new CanaryMarker({ key, ledger, rate: 1 });
    const model = wrapLanguageModel({
      model: mockModel([], textParts(TEXT.split(/(?<= )/))),
      middleware: lineageMiddleware({ key, account: { accountId: 'acct-1' }, canaries }),
    });
    const { stream } = await model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: prompt }] }] });
    let text = '';
    const reading = (async () => {
      for await (const part of stream as unknown as AsyncIterable<LanguageModelV2StreamPart>) {
        if (part.type === 'text-delta') text += part.delta;
      }
    })();
    await expect(reading).rejects.toThrow(/ledger down/);
    const canary = new CanaryMarker({ key, rate: 1 }).mark({ accountId: 'acct-1', prompt, text: TEXT }).canary as string;
    expect(text).not.toContain(canary);
    expect(text.length).toBeGreaterThan(0);
  });

  it('draws no canary for a call without a user text, and none when the policy skips', async () => {
    const ledger = new MemoryLedger();
    const never = new CanaryMarker({ key, ledger, rate: 0 });
    expect((await generateText({ model: wrapped({ key, account: { accountId: 'a' }, canaries: never }), prompt })).text).toBe(marked('a'));
    const always = new CanaryMarker({ key, ledger, rate: 1 });
    const model = wrapLanguageModel({
      model: mockModel([{ type: 'text', text: TEXT }], []),
      middleware: lineageMiddleware({ key, account: { accountId: 'a' }, canaries: always }),
    });
    const result = await model.doGenerate({ prompt: [{ role: 'system', content: 'Be brief.' }] });
    expect(result.content).toEqual([{ type: 'text', text: marked('a') }]);
    expect(ledger.size()).toBe(0);
  });
});
