/**
 * `lineage probe --suspect-model F --reading R`: the chat endpoint is probed as usual and the
 * reading-mode test of the model file over the marked texts lands in the report (JSON, HTML and
 * the summary table); the two options go together and need a token-level scheme.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFile, SeededRandom } from '@lineage/core';
import { createTokenizer, type Tokenizer } from '@lineage/core/tokenizer';
import { buildPrompts, type ChatServer, generateTokens, saveModelFile, startChatServer, trainOnBrown } from '@lineage/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaptured } from '../run-cli.test-support.js';
import { greenListMarking } from '../schemes/green-list.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-probe-reading-'));
const keyPath = join(dir, 'key.json');
const promptsPath = join(dir, 'prompts.txt');
const modelPath = join(dir, 'suspect.model');
const readingPath = join(dir, 'served.jsonl');
const key = createKeyFile({ path: keyPath });
let tokenizer: Tokenizer;
let server: ChatServer;

beforeAll(async () => {
  tokenizer = createTokenizer({ encoding: key.tokenizer });
  const model = trainOnBrown({ order: 3, tokens: 120_000, seed: 'probe-reading' });
  saveModelFile(modelPath, model);
  const marking = greenListMarking(key);
  server = await startChatServer({ model, modelName: 'suspect-r', tokenizer, marking });
  writeFileSync(
    promptsPath,
    buildPrompts({ count: 12, seed: 'probe-reading' })
      .map((p) => p.text.replace(/\n/g, ' '))
      .join('\n'),
  );
  // Served outputs: the model's answers marked for one account.
  const sampler = marking.samplerFor?.({ accountId: 'acct-7' });
  const lines = Array.from({ length: 12 }, (_, i) => {
    const ids = [
      ...generateTokens(model, {
        prompt: [],
        maxTokens: 120,
        random: new SeededRandom(`served-${i}`),
        allowBoundary: false,
        ...(sampler ? { sampler } : {}),
      }),
    ];
    return JSON.stringify({ text: tokenizer.decode(ids), account: 'acct-7' });
  });
  writeFileSync(readingPath, `${lines.join('\n')}\n`);
  process.env.LINEAGE_TEST_READING_KEY = 'acct-9';
}, 60_000);

afterAll(async () => {
  await server.close();
  tokenizer.dispose();
});

const base = () => [
  'probe',
  '--key',
  keyPath,
  '--base-url',
  server.url,
  '--model',
  'suspect-r',
  '--prompts',
  promptsPath,
  '--api-key-env',
  'LINEAGE_TEST_READING_KEY',
  '--max-tokens',
  '32',
  '--looks',
  '1',
  '--cache',
  join(dir, 'cache'),
  '--retest', // the runs below test one cache under several schemes on purpose
];

describe('lineage probe reading mode', () => {
  it('adds the reading-mode test of the model file to the report', async () => {
    const html = join(dir, 'report.html');
    const run = await runCaptured([...base(), '--suspect-model', modelPath, '--reading', readingPath, '--json', '--html', html]);
    expect(run.code, run.err).toBe(0);
    const report = JSON.parse(run.out);
    expect(report.queries.answered).toBe(12);
    expect(report.schemes.length).toBeGreaterThan(0);
    // The model file was never trained on marked text: reading its predictions finds nothing.
    expect(report.reading).toMatchObject({ channel: 'provider', mode: 'reading', keyId: key.keyId, commitment: key.commitment });
    expect(report.reading.schemes.map((s: { scheme: string }) => s.scheme)).toEqual(['kgw', 'gumbel', 'tournament']);
    expect(report.reading.scored).toBeGreaterThan(200);
    expect(report.reading.pValue).toBeGreaterThan(1e-3);
    expect(report.reading.correction).toBe('bonferroni over 3 schemes');
    expect(report.corrections.some((c: string) => c.startsWith('reading mode: a separate test at alpha on 12 marked texts'))).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<section id="reading">');
    expect(page).toContain('Reading mode');

    const table = await runCaptured([...base(), '--scheme', 'kgw', '--suspect-model', modelPath, '--reading', readingPath]);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/reading\s+not-marked \(kgw, \d+ windows read, p /);
  }, 60_000);

  it('without the options the report has no reading field', async () => {
    const run = await runCaptured([...base(), '--scheme', 'kgw', '--json']);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out).reading).toBeUndefined();
  });

  it('refuses half the options, the lexical scheme and a bad reading file', async () => {
    const half = await runCaptured([...base(), '--reading', readingPath]);
    expect(half.code).toBe(2);
    expect(half.err).toMatch(/--suspect-model and --reading go together/);
    const lexical = await runCaptured([...base(), '--scheme', 'lexical', '--suspect-model', modelPath, '--reading', readingPath]);
    expect(lexical.code).toBe(2);
    expect(lexical.err).toMatch(/token-level schemes/);
    const badPath = join(dir, 'bad.jsonl');
    writeFileSync(badPath, '{"text": "fine"}\n{"nope": 1}\n');
    const bad = await runCaptured([...base(), '--suspect-model', modelPath, '--reading', badPath]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/line 2 has no non-empty string field "text"/);
    const missing = await runCaptured([...base(), '--suspect-model', join(dir, 'none.model'), '--reading', readingPath]);
    expect(missing.code).toBe(2);
  });
});
