/**
 * The detect command's plumbing (input order, bad lines, --aggregate, exit codes) with a
 * small registered scheme; real schemes register the same way as their packages land.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCaptured } from '../run-cli.test-support.js';
import { type DetectionScheme, detectionSchemes } from './detect.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-detect-'));

// Reports each text's length: enough to see which text each entry belongs to.
const lengthScheme: DetectionScheme = {
  name: 'length',
  async detect({ texts, aggregate }) {
    if (aggregate) return [[{ source: 'aggregate', scheme: 'length', scored: texts.reduce((n, t) => n + t.text.length, 0) }]];
    return texts.map((t) => [{ source: t.source, scheme: 'length', scored: t.text.length }]);
  },
};

const run = runCaptured;

async function keyFile(): Promise<string> {
  const path = join(dir, `k${Math.random().toString(36).slice(2)}.json`);
  expect((await run(['keygen', '--out', path])).code).toBe(0);
  return path;
}

// Each test starts with no scheme registered and gets the built-in ones back afterwards.
const builtins = new Map(detectionSchemes);
beforeEach(() => detectionSchemes.clear());
afterEach(() => {
  detectionSchemes.clear();
  for (const [name, scheme] of builtins) detectionSchemes.set(name, scheme);
});

describe('lineage detect', () => {
  it('says plainly when no scheme is available', async () => {
    const { code, err } = await run(['detect', '--key', await keyFile(), '-'], 'x');
    expect(code).toBe(2);
    expect(err).toMatch(/no detection scheme is available/);
  });

  it('keeps input order, reports bad lines in place and exits 2', async () => {
    detectionSchemes.set('length', lengthScheme);
    const jsonl = join(dir, 'in.jsonl');
    writeFileSync(jsonl, '{"text":"abc"}\n{bad\n{"text":"hello"}\n');
    const { code, out, err } = await run(['detect', '--key', await keyFile(), '--json', jsonl, '-'], 'stdin text');
    expect(code).toBe(2);
    expect(err).toMatch(/in\.jsonl:2: line is not valid JSON/);
    expect(JSON.parse(out).results).toEqual([
      { source: `${jsonl}:1`, scheme: 'length', scored: 3 },
      { source: `${jsonl}:2`, error: 'line is not valid JSON' },
      { source: `${jsonl}:3`, scheme: 'length', scored: 5 },
      { source: '-', scheme: 'length', scored: 10 },
    ]);
  });

  it('tests all inputs as one sample with --aggregate, and prints a table by default', async () => {
    detectionSchemes.set('length', lengthScheme);
    const key = await keyFile();
    const json = await run(
      ['detect', '--key', key, '--aggregate', '--jsonl', '--field', 'answer', '--json', '-'],
      '{"answer":"ab"}\n{"answer":"cde"}',
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).results).toEqual([{ source: 'aggregate', scheme: 'length', scored: 5 }]);
    const table = await run(['detect', '--key', key, '--scheme', 'length', '-'], 'abcd');
    expect(table.out.split('\n')[0]).toMatch(/^source\s+scheme\s+scored$/);
    expect(table.out.split('\n')[1]).toMatch(/^-\s+length\s+4$/);
  });

  it('rejects an unknown scheme and bad flags with exit 2', async () => {
    detectionSchemes.set('length', lengthScheme);
    const key = await keyFile();
    expect((await run(['detect', '--key', key, '--scheme', 'nope', '-'])).err).toMatch(/unknown scheme "nope"; available: length/);
    expect((await run(['detect', '--key', key, '--alpha', '2', '-'])).code).toBe(2);
    expect((await run(['detect', '--key', key, '-', '-'])).err).toMatch(/only once/);
    expect((await run(['detect', '--key', key])).code).toBe(2);
  });

  it('exits 1 on an internal failure, without a stack unless LINEAGE_DEBUG is set', async () => {
    detectionSchemes.set('broken', {
      name: 'broken',
      async detect() {
        throw new Error('scheme exploded');
      },
    });
    const { code, err } = await run(['detect', '--key', await keyFile(), '-'], 'x');
    expect(code).toBe(1);
    expect(err).toMatch(/^lineage: internal error: scheme exploded \(set LINEAGE_DEBUG=1/);
  });
});
