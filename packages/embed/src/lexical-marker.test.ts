import { keyFromSecret } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { LexicalMarker, markText, markTextStream } from './lexical-marker.js';

const key = keyFromSecret(new Uint8Array(32).fill(5));
const TEXT =
  "It is often said that we do not know where to begin. Perhaps it is because the task is large and we can't see " +
  "its end.\n\n```js\nconst it = 'is not';\n```\nI don't think that is true: it is almost always possible to start small.";

async function streamed(chunks: readonly string[], stream: TransformStream<string, string>): Promise<string[]> {
  const out: string[] = [];
  const writer = stream.writable.getWriter();
  const reading = (async () => {
    for await (const piece of stream.readable as unknown as AsyncIterable<string>) out.push(piece);
  })();
  for (const chunk of chunks) await writer.write(chunk);
  await writer.close();
  await reading;
  return out;
}

describe('LexicalMarker', () => {
  it('marks per account, deterministically, and keeps everything outside the sites', () => {
    const a = markText(TEXT, { key, accountId: 'a' });
    expect(markText(TEXT, { key, accountId: 'a' })).toBe(a);
    expect(a).not.toBe(TEXT);
    expect(a).toContain("```js\nconst it = 'is not';\n```");
  });

  it('streams word by word to the same output as one-shot marking, with a bounded delay', async () => {
    const options = { key, accountId: 'acct-2' };
    const words = TEXT.split(/(?<=\s)/);
    const pieces = await streamed(words, markTextStream(options));
    expect(pieces.join('')).toBe(markText(TEXT, options));
    // Each piece arrives within a few words of its input: no piece holds more than 6 words.
    expect(Math.max(...pieces.map((p) => p.split(/\s+/).filter(Boolean).length))).toBeLessThanOrEqual(6);
    expect(pieces.length).toBeGreaterThan(words.length / 3);
  });

  it('refuses an unregistered campaign and a bad account id', () => {
    expect(() => new LexicalMarker({ key, accountId: 'a', campaignId: 'nope' })).toThrow(/not in key/);
    expect(() => new LexicalMarker({ key, accountId: 'bad id' })).toThrow(/account id/);
  });
});
