/**
 * `lineage probe` against a testbed model served over HTTP: a green-list-marked suspect gets a
 * "marked" report (JSON on stdout, a JSON file and an HTML page); a rerun on the same cache asks
 * nothing; bad usage and an unreachable suspect exit 2 with a clear message.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFile } from '@lineage/core';
import { createTokenizer, type Tokenizer } from '@lineage/core/tokenizer';
import { buildPrompts, type ChatServer, startChatServer, trainOnBrown } from '@lineage/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaptured } from '../run-cli.test-support.js';
import { greenListMarking } from '../schemes/green-list.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-probe-cli-'));
const keyPath = join(dir, 'key.json');
const promptsPath = join(dir, 'prompts.jsonl');
const key = createKeyFile({ path: keyPath });
let tokenizer: Tokenizer;
let server: ChatServer;

beforeAll(async () => {
  tokenizer = createTokenizer({ encoding: key.tokenizer });
  const model = trainOnBrown({ order: 3, tokens: 150_000, seed: 'probe-cli' });
  server = await startChatServer({ model, modelName: 'suspect-1', tokenizer, marking: greenListMarking(key) });
  const prompts = buildPrompts({ count: 60, seed: 'probe-cli' });
  writeFileSync(promptsPath, prompts.map((p) => JSON.stringify({ prompt: p.text, id: p.kind })).join('\n'));
  process.env.LINEAGE_TEST_SUSPECT_KEY = 'acct-42';
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
  'suspect-1',
  '--prompts',
  promptsPath,
  '--api-key-env',
  'LINEAGE_TEST_SUSPECT_KEY',
  '--max-tokens',
  '48',
  '--cache',
  join(dir, 'cache'),
];

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('lineage probe', () => {
  it('writes a marked report as JSON and HTML, and a rerun answers from the cache', async () => {
    const out = join(dir, 'report.json');
    const html = join(dir, 'report.html');
    const first = await runCaptured([...base(), '--scheme', 'kgw', '--looks', '1', '--json', '--out', out, '--html', html]);
    expect(first.code, first.err).toBe(0);
    const report = JSON.parse(first.out);
    expect(report).toMatchObject({ format: 'lineage-evidence-report', version: 1, status: 'complete' });
    expect(report.provider).toMatchObject({ scheme: 'kgw', verdict: 'marked', keyId: key.keyId, commitment: key.commitment });
    expect(report.queries).toMatchObject({ planned: 60, answered: 60, asked: 60, cached: 0 });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/i);
    expect(page).toContain(key.commitment);
    // Nothing secret or private in either form: not the API key, not a prompt.
    const prompt = JSON.parse(readFileSync(promptsPath, 'utf8').split('\n')[0] as string).prompt as string;
    for (const text of [first.out, page]) {
      expect(text).not.toContain('acct-42');
      expect(text).not.toContain(prompt);
    }

    const again = await runCaptured([...base(), '--scheme', 'kgw', '--looks', '1']);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toContain('60 cached answers');
    expect(again.out).toMatch(/verdict\s+marked \(kgw/);
    expect(again.out).toMatch(/queries\s+0 asked, 60 cached/);
  }, 60_000);

  it('rejects bad usage and an unreachable suspect with exit code 2', async () => {
    const noPrompts = await runCaptured(['probe', '--key', keyPath, '--base-url', server.url, '--model', 'm']);
    expect(noPrompts).toMatchObject({ code: 2 });
    expect(noPrompts.err).toContain('--prompts');
    const badLine = join(dir, 'bad.jsonl');
    writeFileSync(badLine, '{"prompt":"fine"}\n{"text":"no prompt field"}\n');
    const bad = await runCaptured([...base(), '--prompts', badLine]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('line 2');
    const scheme = await runCaptured([...base(), '--scheme', 'rot13']);
    expect(scheme.code).toBe(2);
    expect(scheme.err).toContain('unknown scheme');
    const port = await closedPort();
    const closed = await runCaptured([...base(), '--base-url', `http://127.0.0.1:${port}/v1`, '--cache', join(dir, 'other-cache')]);
    expect(closed.code).toBe(2);
    expect(closed.err).toContain(`127.0.0.1:${port}`);
    expect(closed.err).not.toContain('acct-42');
  }, 60_000);
});
