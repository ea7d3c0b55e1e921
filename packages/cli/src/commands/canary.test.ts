/** `lineage embed --canary-rate` with a real ledger, and `lineage canary scan | export | probe` on what it wrote. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brownDocumentTexts } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';
import { runCaptured as run } from '../run-cli.test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-canary-'));
const ANSWER = 'Tides rise and fall twice a day.\n\nThe moon pulls the water toward it, and the earth turns beneath.';
const prompts = Array.from({ length: 12 }, (_, i) => `Question ${i}: why are there tides?`);

async function setUp(name: string, extra: string[] = []) {
  const key = join(dir, `${name}.key.json`);
  const ledger = join(dir, `${name}.db`);
  expect((await run(['keygen', '--out', key])).code).toBe(0);
  const input = prompts.map((prompt) => JSON.stringify({ id: prompt.length, prompt, text: ANSWER })).join('\n');
  const marked = await run(
    ['embed', '--key', key, '--account', 'acct-7', '--jsonl', '--canary-rate', '1', '--ledger', ledger, ...extra],
    input,
  );
  expect(marked.code, marked.err).toBe(0);
  return {
    key,
    ledger,
    lines: marked.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; prompt: string; text: string }),
  };
}

describe('lineage canary', () => {
  it('embed inserts and records a canary per response; scan finds each and names the account; clean text has none', async () => {
    const { ledger, lines } = await setUp('basic');
    expect(lines).toHaveLength(12);
    const exported = await run(['canary', 'export', '--ledger', ledger]);
    expect(exported.code).toBe(0);
    const records = exported.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(12);
    lines.forEach((line, i) => {
      expect(line.prompt).toBe(prompts[i]);
      expect(line.text).toContain(records[i].canary);
      expect(records[i]).toMatchObject({ accountId: 'acct-7', prompt: prompts[i] });
    });
    const answers = join(dir, 'answers.jsonl');
    writeFileSync(answers, lines.map((l) => JSON.stringify({ text: l.text.toUpperCase() })).join('\n'));
    const clean = join(dir, 'brown.txt');
    writeFileSync(clean, (brownDocumentTexts('heldout').slice(0, 40) as string[]).join('\n\n'));
    const scanned = await run(['canary', 'scan', '--ledger', ledger, '--json', answers, clean]);
    expect(scanned.code, scanned.err).toBe(0);
    const { draws, results } = JSON.parse(scanned.out);
    expect(draws).toBe(12);
    expect(results).toHaveLength(13);
    for (const r of results.slice(0, 12)) {
      expect(r.hits).toHaveLength(1);
      expect(r.hits[0].account).toBe('acct-7');
      expect(r.pValue).toBeLessThan(1e-11);
    }
    expect(results[12]).toMatchObject({
      source: clean,
      hits: [],
      pValue: 1,
      shapedWindows: 0,
      verdict: 'not-found',
      score: 0,
      expected: 0,
    });
    expect(results[0]).toMatchObject({ verdict: 'canaries-found', alpha: 1e-6, score: 1 });
    const table = await run(['canary', 'scan', '--ledger', ledger, answers]);
    expect(table.out.split('\n')[0]).toMatch(/^source\s+hits\s+accounts\s+pValue\s+log10P$/);
  });

  it('keeps only keyed prompt hashes in a hash-only ledger, and then cannot replay', async () => {
    const { ledger } = await setUp('hashed', ['--hash-prompts']);
    const records = (await run(['canary', 'export', '--ledger', ledger])).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(12);
    for (const r of records) {
      expect(r.prompt).toBeUndefined();
      expect(r.promptHash).toMatch(/^[0-9a-f]{64}$/);
    }
    const probe = await run(['canary', 'probe', '--ledger', ledger, '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm']);
    expect(probe.code).toBe(2);
    expect(probe.err).toMatch(/hash-only/);
  });

  it('probe replays ledgered prompts to a suspect and finds the canaries it memorised', async () => {
    const { ledger, lines } = await setUp('probe');
    const memorised = new Map(lines.slice(0, 2).map((l) => [l.prompt, l.text]));
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const prompt = JSON.parse(body).messages[0].content as string;
        const content = memorised.get(prompt) ?? ANSWER;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const probe = await run([
        'canary',
        'probe',
        '--ledger',
        ledger,
        '--base-url',
        baseUrl,
        '--model',
        'suspect',
        '--per-group',
        '5',
        '--json',
      ]);
      expect(probe.code, probe.err).toBe(0);
      const report = JSON.parse(probe.out);
      expect(report).toMatchObject({
        asked: 5,
        answered: 5,
        failed: 0,
        draws: 12,
        groups: [{ account: 'acct-7', asked: 5, reproduced: 2 }],
      });
      expect(report.hits).toHaveLength(2);
      expect(report.log10P).toBeLessThan(-20);
      const human = await run(['canary', 'probe', '--ledger', ledger, '--base-url', baseUrl, '--model', 'suspect', '--max-queries', '1']);
      expect(human.out).toMatch(/canaries found\s+1 of 12 ledger draws/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('marks a text without a prompt but gives it no canary, and says so', async () => {
    const key = join(dir, 'noprompt.key.json');
    const ledger = join(dir, 'noprompt.db');
    await run(['keygen', '--out', key]);
    const input = [JSON.stringify({ prompt: 'Why tides?', text: ANSWER }), JSON.stringify({ text: ANSWER })].join('\n');
    const marked = await run(['embed', '--key', key, '--account', 'a', '--jsonl', '--canary-rate', '1', '--ledger', ledger], input);
    expect(marked.code).toBe(2);
    expect(marked.err).toMatch(/-:2: no prompt, so no canary/);
    expect(marked.out.trim().split('\n')).toHaveLength(2);
    expect((await run(['canary', 'export', '--ledger', ledger])).out.trim().split('\n')).toHaveLength(1);
    const plain = await run(['embed', '--key', key, '--account', 'a', '--canary-rate', '1', '--ledger', ledger], ANSWER);
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(/give --prompt/);
  });

  it('probe stops with exit code 2 when the suspect answers nothing', async () => {
    const { ledger } = await setUp('silent');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const base = ['canary', 'probe', '--ledger', ledger, '--model', 'm', '--timeout-ms', '1000', '--max-queries', '1'];
    const probe = await run([...base, '--base-url', `http://127.0.0.1:${port}/v1`]);
    expect(probe.code).toBe(2);
    expect(probe.err).toMatch(/could not connect .*is the server running/);
  });

  it('rejects bad usage with exit code 2 and a clear message', async () => {
    const key = join(dir, 'bad.key.json');
    await run(['keygen', '--out', key]);
    const cases: [string[], RegExp][] = [
      [['embed', '--key', key, '--account', 'a', '--canary-rate', '0.5'], /needs --ledger/],
      [['embed', '--key', key, '--account', 'a', '--ledger', join(dir, 'x.db')], /--ledger only applies with --canary-rate/],
      [['embed', '--key', key, '--account', 'a', '--canary-rate', '2', '--ledger', join(dir, 'x.db')], /--canary-rate must be in \[0, 1\]/],
      [['canary', 'scan'], /needs --ledger/],
      [['canary', 'nope'], /needs one of scan, probe, export/],
      [['canary', 'scan', '--ledger', join(dir, 'missing', 'none.db')], /./],
      [['canary', 'probe', '--ledger', join(dir, 'x.db'), '--model', 'm'], /--base-url/],
      [
        ['embed', '--key', key, '--account', 'a', '--canary-rate', '1', '--canary-cap', '', '--ledger', join(dir, 'y.db')],
        /--canary-cap must be/,
      ],
      [['canary', 'scan', '--ledger', join(dir, 'x.db'), '--alpha', '2'], /--alpha must be/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err, args.join(' ')).toMatch(message);
    }
    expect((await run(['canary', '--help'])).out).toMatch(/scan\s+find ledgered canaries/);
    expect((await run(['canary', 'probe', '--help'])).out).toMatch(/--api-key-env VAR/);
  });
});
