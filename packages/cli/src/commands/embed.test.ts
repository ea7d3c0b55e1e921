/** `lineage embed` with the real lexical marker, and `lineage detect --scheme lexical` on its output. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../run-cli.test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-embed-'));

const run = runCaptured;

const PARAGRAPH =
  "It is often said that we do not know where to begin. Perhaps it is because the task is large and we can't see " +
  "its end. I don't think that is true: it is almost always possible to start small, and it isn't hard to keep going. ";

describe('lineage embed', () => {
  it('marks plain text so that detect finds the mark, and changes nothing but sites', async () => {
    const key = join(dir, 'k1.json');
    expect((await run(['keygen', '--out', key])).code).toBe(0);
    const text = PARAGRAPH.repeat(1);
    const source = join(dir, 'plain.txt');
    writeFileSync(source, text);
    const marked = await run(['embed', '--key', key, '--account', 'acct-1', source]);
    expect(marked.code).toBe(0);
    expect(marked.out).not.toBe(text);
    expect(marked.out.replace(/[a-z' ]/gi, '')).toBe(text.replace(/[a-z' ]/gi, '')); // punctuation untouched
    const again = await run(['embed', '--key', key, '--account', 'acct-1'], text);
    expect(again.out).toBe(marked.out); // stdin by default, and deterministic
    const markedFile = join(dir, 'marked.txt');
    writeFileSync(markedFile, marked.out);
    const detected = await run(['detect', '--key', key, '--scheme', 'lexical', '--json', markedFile, source]);
    expect(detected.code).toBe(0);
    const [onMarked, onSource] = JSON.parse(detected.out).results;
    expect(onMarked.scheme).toBe('lexical');
    expect(onMarked.score).toBe(onMarked.scored); // every provider site shows the key's preference
    expect(onMarked.scored).toBeGreaterThan(0);
    expect(onSource.scored).toBe(onMarked.scored);
  });

  it('marks the text field of JSONL, keeps other fields, and reports bad lines by number', async () => {
    const key = join(dir, 'k2.json');
    await run(['keygen', '--out', key]);
    const input = join(dir, 'in.jsonl');
    writeFileSync(
      input,
      `${JSON.stringify({ id: 1, body: PARAGRAPH })}\nnot json\n{"id":3}\n${JSON.stringify({ id: 4, body: 'it is big' })}\n`,
    );
    const result = await run(['embed', '--key', key, '--account', 'a', '--field', 'body', input]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('in.jsonl:2: line is not valid JSON');
    expect(result.err).toContain('in.jsonl:3: line has no string field "body"');
    const lines = result.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([1, 4]);
    expect(typeof lines[0].body).toBe('string');
  });

  it('refuses bad usage with exit code 2', async () => {
    const key = join(dir, 'k3.json');
    await run(['keygen', '--out', key]);
    expect((await run(['embed', '--key', key])).err).toMatch(/--account/);
    const kgw = await run(['embed', '--key', key, '--account', 'a', '--scheme', 'kgw']);
    expect(kgw.code).toBe(2);
    expect(kgw.err).toMatch(/lexical scheme only/);
    expect((await run(['embed', '--key', key, '--account', 'a', '--campaign', 'nope'], 'x')).err).toMatch(/not in key/);
  });
});
