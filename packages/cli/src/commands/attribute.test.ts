/** `lineage attribute` on JSONL datasets: per-text attribution, the summary, canaries, bad lines, streaming. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { loadKeyFile, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { GreenListMarker } from '@lineage/embed/logits';
import { brownParagraphs, brownPassages, generateTokens, type SamplingStep, trainNgramModel } from '@lineage/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { runCaptured as run } from '../run-cli.test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-attribute-'));
const keyPath = join(dir, 'key.json');
const accountsPath = join(dir, 'accounts.txt');
const tokenizer = createTokenizer({ encoding: 'o200k_base' });
afterAll(() => tokenizer.dispose());

interface Entry {
  source: string;
  error?: string;
  attribution: { kind: string; id: string; scheme: string; pValue: number; log10P: number } | null;
  presence: { verdict: string };
  canaries?: { hits: { account: string }[]; verdict: string; log10P: number };
}

/** About 1,500 tokens of a small Brown n-gram model, marked (kgw) for an account. */
function servedText(accountId: string, seed: string, campaignId?: string): string {
  const key = loadKeyFile(keyPath);
  const model = servedText.model;
  const marker = new GreenListMarker({ key, accountId, vocabSize: model.vocabSize, ...(campaignId ? { campaignId } : {}) });
  const sampler = {
    sampleNext: (step: SamplingStep) => marker.sampleWithDraw(step.sampleUnmarked, step.tokens, step.random, step.promptLength),
  };
  return tokenizer.decode([
    ...generateTokens(model, { prompt: [], maxTokens: 1500, random: new SeededRandom(seed), allowBoundary: false, sampler }),
  ]);
}
servedText.model = trainNgramModel(
  brownParagraphs('train')
    .slice(0, 300)
    .map((p) => tokenizer.encode(p)),
  { order: 3, encoding: 'o200k_base', source: 'attribute test' },
);

const clean = brownPassages('heldout', 120).slice(0, 5);
const dataset = join(dir, 'leak.jsonl');

beforeAll(async () => {
  expect((await run(['keygen', '--out', keyPath])).code).toBe(0);
  expect((await run(['key', 'campaign', keyPath, 'hydra-1'])).code).toBe(0);
  writeFileSync(accountsPath, `# registered\n${Array.from({ length: 300 }, (_, i) => `acct-${i}`).join('\n')}\n`);
  const rows = [
    JSON.stringify({ text: servedText('acct-3', 'a') }),
    JSON.stringify({ text: servedText('acct-9', 'b', 'hydra-1') }),
    '{bad',
    ...clean.map((text) => JSON.stringify({ text })),
    JSON.stringify({ text: servedText('acct-3', 'c') }),
  ];
  writeFileSync(dataset, `${rows.join('\n')}\n`);
});

describe('lineage attribute', () => {
  it('names the account or campaign of each text in input order, reports a bad line and exits 2', async () => {
    const { code, out, err } = await run(['attribute', '--key', keyPath, '--accounts', accountsPath, '--json', dataset]);
    expect(code, err).toBe(2);
    expect(err).toMatch(/leak\.jsonl:3: line is not valid JSON/);
    const { results, summary } = JSON.parse(out) as { results: Entry[]; summary: Record<string, unknown> };
    expect(results.map((r) => r.source)).toEqual(Array.from({ length: 9 }, (_, i) => `${dataset}:${i + 1}`));
    expect(results[0]?.attribution).toMatchObject({ kind: 'account', id: 'acct-3' });
    expect(results[1]?.attribution).toMatchObject({ kind: 'campaign', id: 'hydra-1' });
    expect(results[2]).toEqual({ source: `${dataset}:3`, error: 'line is not valid JSON' });
    for (const r of results.slice(3, 8)) expect(r).toMatchObject({ attribution: null, presence: { verdict: 'not-marked' } });
    expect(results[8]?.attribution).toMatchObject({ kind: 'account', id: 'acct-3' });
    expect(summary).toMatchObject({
      texts: 8,
      badInputs: 1,
      registeredAccounts: 300,
      attributedToAccount: 2,
      attributedToCampaign: 1,
      correction: 'bonferroni over 8 texts',
      accounts: [{ id: 'acct-3', texts: 2, verdict: 'attributed' }],
      campaigns: [{ id: 'hydra-1', texts: 1, verdict: 'attributed' }],
    });
    expect(summary.expectedChanceAttributions).toBeCloseTo(8e-6, 15);
    expect(out).not.toContain(JSON.parse(readFileSync(keyPath, 'utf8')).secret); // keys are never printed
  });

  it('prints one line per text, then the summary table', async () => {
    const { code, out } = await run(['attribute', '--key', keyPath, '--accounts', accountsPath, dataset]);
    expect(code).toBe(2);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${dataset}:1  account acct-3 \\(kgw\\)  p \\d`));
    expect(lines[1]).toMatch(/:2 {2}campaign hydra-1 \(kgw\)/);
    expect(lines[2]).toMatch(/:3 {2}error: line is not valid JSON/);
    expect(lines[3]).toMatch(/:4 {2}not marked/);
    expect(out).toMatch(/texts tested +8 \(1 bad input skipped\)/);
    expect(out).toMatch(/expected by chance +<= 8\.00e-6 of each kind \(texts x alpha, alpha = 1e-6\)/);
    expect(out).toMatch(/\naccount +acct-3 +2 +\S+ +attributed\n/);
    expect(out).toMatch(/Bonferroni over 8 texts/);
  });

  it('attributes nothing in clean text, and the summary claims nothing', async () => {
    const input = clean.map((text) => JSON.stringify({ answer: text })).join('\n');
    const { code, out } = await run(
      ['attribute', '--key', keyPath, '--accounts', accountsPath, '--jsonl', '--field', 'answer', '--json', '-'],
      input,
    );
    expect(code).toBe(0);
    const { results, summary } = JSON.parse(out);
    expect(results.every((r: Entry) => r.attribution === null)).toBe(true);
    expect(summary).toMatchObject({ texts: 5, marked: 0, attributedToAccount: 0, attributedToCampaign: 0, accounts: [], campaigns: [] });
  });

  it('finds ledgered canaries and names their account, which the ledger also registers', async () => {
    const ledger = join(dir, 'ledger.db');
    const prompts = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({
        prompt: `Question ${i}: why are there tides?`,
        text: 'Tides rise and fall twice a day.\n\nThe moon pulls the water.',
      }),
    );
    const embedded = await run(
      ['embed', '--key', keyPath, '--account', 'acct-77', '--jsonl', '--canary-rate', '1', '--ledger', ledger],
      prompts.join('\n'),
    );
    expect(embedded.code, embedded.err).toBe(0);
    const { code, out } = await run(['attribute', '--key', keyPath, '--ledger', ledger, '--json', '--jsonl', '-'], embedded.out);
    expect(code).toBe(0);
    const { results, summary } = JSON.parse(out) as { results: Entry[]; summary: Record<string, unknown> };
    expect(results).toHaveLength(6);
    for (const r of results) {
      expect(r.canaries).toMatchObject({ verdict: 'canaries-found', hits: [{ account: 'acct-77' }] });
      expect(r.canaries?.log10P).toBeLessThan(-6);
    }
    expect(summary).toMatchObject({ registeredAccounts: 1, ledgerDraws: 6, withCanaries: 6 });
    expect(summary.accounts).toEqual([
      expect.objectContaining({ id: 'acct-77', texts: 0, canaryTexts: 6, canaryVerdict: 'canaries-found' }),
    ]);
  });

  it('streams 20,000 rows: results are written before the input is read to the end, and the counts add up', async () => {
    const rows = 20_000;
    let produced = 0;
    let producedAtFirstResult = -1;
    const stdin = Readable.from(
      (function* () {
        for (let start = 0; start < rows; start += 250) {
          const lines: string[] = [];
          for (let i = start; i < start + 250; i++)
            lines.push(i === 12_345 ? 'not json' : JSON.stringify({ id: i, text: `Row ${i}: the tide is often high.` }));
          produced += lines.length;
          yield Buffer.from(`${lines.join('\n')}\n`);
        }
      })(),
    );
    const chunks: string[] = [];
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        const text = String(chunk);
        if (producedAtFirstResult < 0 && text.includes('"source"')) producedAtFirstResult = produced;
        chunks.push(text);
        done();
      },
    });
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d) => (err += d));
    const code = await runCli(
      ['attribute', '--key', keyPath, '--accounts', accountsPath, '--scheme', 'lexical', '--jsonl', '--json', '-'],
      { stdin, stdout, stderr },
    );
    expect(code).toBe(2);
    expect(err.trim()).toBe('lineage: -:12346: line is not valid JSON');
    expect(producedAtFirstResult).toBeGreaterThan(0);
    expect(producedAtFirstResult).toBeLessThan(rows);
    const { results, summary } = JSON.parse(chunks.join(''));
    expect(results).toHaveLength(rows);
    expect(results[12_345]).toEqual({ source: '-:12346', error: 'line is not valid JSON' });
    expect(results[19_999].source).toBe('-:20000');
    expect(summary).toMatchObject({ texts: rows - 1, badInputs: 1, schemes: ['lexical'], attributedToAccount: 0, accounts: [] });
  });

  it('refuses bad usage with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['attribute', dataset], /needs --key/],
      [
        ['attribute', '--key', keyPath, '--scheme', 'nope', dataset],
        /unknown scheme "nope"; available: kgw, gumbel, tournament, lexical, auto/,
      ],
      [['attribute', '--key', keyPath, '--alpha', '2', dataset], /--alpha must be in \(0, 1\)/],
      [['attribute', '--key', keyPath, '-', '-'], /only once/],
      [['attribute', '--key', keyPath], /./],
      [['attribute', '--key', keyPath, '--accounts', join(dir, 'none.txt'), dataset], /cannot read --accounts/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toMatch(message);
    }
    const help = await run(['attribute', '--help']);
    expect(help.out).toMatch(/^Usage: lineage attribute --key FILE/);
    expect((await run(['--help'])).out).toMatch(/\n {2}attribute +name the account or campaign/);
  });
});
