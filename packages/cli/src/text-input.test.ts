import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTextInputs } from './text-input.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-input-'));
// JSONL records also carry their whole object (`record`, checked to hold the text); the
// expectations below compare the rest.
const collect = async (paths: string[], options: Parameters<typeof readTextInputs>[1]) => {
  const out = [];
  for await (const item of readTextInputs(paths, options)) {
    if (item.kind === 'text' && item.record) {
      const { record, ...rest } = item;
      expect(record[options.field ?? 'text']).toBe(item.text);
      out.push(rest);
    } else out.push(item);
  }
  return out;
};
const noStdin = Readable.from([]);

describe('text inputs', () => {
  it('reads files, stdin and JSONL, reporting bad lines by number and going on', async () => {
    const plain = join(dir, 'a.txt');
    writeFileSync(plain, 'hello\nworld\n');
    const jsonl = join(dir, 'b.jsonl');
    writeFileSync(jsonl, ['{"text":"one"}', 'not json', '', '{"body":"x"}', '{"text":"two"}\r', '[1]'].join('\n'));
    const items = await collect([plain, jsonl, '-', join(dir, 'missing.txt')], { stdin: Readable.from([Buffer.from('from stdin')]) });
    expect(items).toEqual([
      { kind: 'text', source: plain, text: 'hello\nworld\n' },
      { kind: 'text', source: `${jsonl}:1`, text: 'one' },
      { kind: 'problem', source: `${jsonl}:2`, message: 'line is not valid JSON' },
      { kind: 'problem', source: `${jsonl}:4`, message: 'line has no string field "text"' },
      { kind: 'text', source: `${jsonl}:5`, text: 'two' },
      { kind: 'problem', source: `${jsonl}:6`, message: 'line has no string field "text"' },
      { kind: 'text', source: '-', text: 'from stdin' },
      { kind: 'problem', source: join(dir, 'missing.txt'), message: 'cannot read: no such file' },
    ]);
  });

  it('honours --field and --jsonl on stdin, and rejects invalid UTF-8 and oversized lines', async () => {
    const stdin = Readable.from([
      Buffer.from('{"answer":"a"}\n'),
      Buffer.from([0xff, 0xfe, 0x0a]),
      Buffer.from(`{"answer":"${'x'.repeat(100)}"}\n{"answer":"b"}`),
    ]);
    const items = await collect(['-'], { stdin, jsonl: true, field: 'answer', maxTextBytes: 50 });
    expect(items).toEqual([
      { kind: 'text', source: '-:1', text: 'a' },
      { kind: 'problem', source: '-:2', message: 'line is not valid UTF-8' },
      { kind: 'problem', source: '-:3', message: 'line is longer than 50 bytes' },
      { kind: 'text', source: '-:4', text: 'b' },
    ]);
  });

  it('gives the same records for every chunking of a JSONL stream (property)', async () => {
    const lines = ['{"text":"é漢字"}', 'oops', '{"text":""}', '{"text":"a\\nb"}'];
    const bytes = Buffer.from(lines.join('\n'));
    const whole = await collect(['-'], { stdin: Readable.from([bytes]), jsonl: true });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: bytes.length }), { maxLength: 6 }), async (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, i) => bytes.subarray(start, points[i] ?? bytes.length)).filter((c) => c.length > 0);
        expect(await collect(['-'], { stdin: Readable.from(chunks), jsonl: true })).toEqual(whole);
      }),
      { numRuns: 100, seed: 21 },
    );
    expect(noStdin.readableEnded).toBe(false);
  });
});
