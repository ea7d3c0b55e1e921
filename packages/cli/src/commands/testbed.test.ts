import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MarkedAccount } from '@lineage/testbed';
import { afterEach, describe, expect, it } from 'vitest';
import { markingSchemes } from '../marking-schemes.js';
import { runCaptured } from '../run-cli.test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-testbed-cli-'));
const model = join(dir, 'teacher.model');
const key = join(dir, 'key.json');

const run = runCaptured;

describe('lineage testbed', () => {
  afterEach(() => markingSchemes.delete('recording'));

  it('train writes a model and reports held-out perplexity below the unigram baseline', async () => {
    const { code, out } = await run(['testbed', 'train', '--out', model, '--order', '3', '--tokens', '60000', '--seed', '4', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ path: model, order: 3, encoding: 'o200k_base' });
    expect(report.perplexity).toBeLessThan(report.unigramPerplexity);
    expect(existsSync(model)).toBe(true);
  });

  it('generate writes exactly K samples of N tokens, the same for the same seed', async () => {
    const first = await run(['testbed', 'generate', '--model', model, '--tokens', '25', '--samples', '3', '--seed', '9']);
    const again = await run(['testbed', 'generate', '--model', model, '--tokens', '25', '--samples', '3', '--seed', '9']);
    expect(first.code).toBe(0);
    expect(first.out).toBe(again.out);
    const lines = first.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toEqual({ text: expect.any(String), account: null });
    const out = join(dir, 'samples.jsonl');
    expect((await run(['testbed', 'generate', '--model', model, '--tokens', '5', '--out', out, '--account', 'a-1'])).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ account: 'a-1' });
  });

  it('marks through a registered scheme for the named account, and says when no scheme exists', async () => {
    expect((await run(['keygen', '--out', key])).code).toBe(0);
    const unknown = await run([
      'testbed',
      'generate',
      '--model',
      model,
      '--tokens',
      '5',
      '--key',
      key,
      '--scheme',
      'recording',
      '--account',
      'a',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown marking scheme "recording"/);
    const seen: MarkedAccount[] = [];
    markingSchemes.set('recording', () => ({
      name: 'recording',
      samplerFor: (account) => {
        seen.push(account);
        return { sampleNext: (step) => step.sampleUnmarked() };
      },
    }));
    const marked = await run([
      'testbed',
      'generate',
      '--model',
      model,
      '--tokens',
      '5',
      '--key',
      key,
      '--scheme',
      'recording',
      '--account',
      'acct-7',
    ]);
    expect(marked.code).toBe(0);
    expect(seen).toEqual([{ accountId: 'acct-7' }]);
    const noAccount = await run(['testbed', 'generate', '--model', model, '--tokens', '5', '--key', key, '--scheme', 'recording']);
    expect(noAccount.code).toBe(2);
    expect(noAccount.err).toMatch(/--account/);
  });

  it('distill writes both students, the harvest and a manifest naming the key', async () => {
    markingSchemes.set('recording', () => ({ name: 'recording', samplerFor: () => ({ sampleNext: (step) => step.sampleUnmarked() }) }));
    const out = join(dir, 'run');
    const args = ['testbed', 'distill', '--teacher', model, '--accounts', '8', '--campaign', 'c-1:3', '--rho', '0.5', '--tokens', '6000'];
    const { code, out: printed } = await run([
      ...args,
      '--answer-tokens',
      '32',
      '--out',
      out,
      '--key',
      key,
      '--scheme',
      'recording',
      '--json',
    ]);
    expect(code).toBe(0);
    const manifest = JSON.parse(printed);
    expect(manifest).toMatchObject({ scheme: 'recording', accounts: 8, rho: 0.5, tokens: 6000, harvestedTokens: 3000 });
    expect(manifest.key.keyId).toMatch(/^lk-/);
    expect(manifest.campaigns[0].accounts).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toEqual(manifest);
    for (const file of ['student.model', 'control.model', 'harvest.jsonl']) expect(existsSync(join(out, file))).toBe(true);
  });

  it('reports bad usage with exit 2 and one line, and has help for every subcommand', async () => {
    const cases: [string[], RegExp][] = [
      [['testbed'], /needs one of train, serve, generate, distill/],
      [['testbed', 'fly'], /needs one of/],
      [['testbed', 'train'], /--out/],
      [['testbed', 'train', '--out', join(dir, 'x.model'), '--order', '9'], /--order must be an integer from 1 to 6/],
      [['testbed', 'generate', '--model', model], /--tokens/],
      [['testbed', 'train', '--out', '/dev/null/m.model'], /model file \/dev\/null\/m\.model: cannot write/],
      [['testbed', 'generate', '--model', model, '--tokens', '3', '--out', '/dev/null/x.jsonl'], /cannot write --out/],
      [
        ['testbed', 'distill', '--teacher', model, '--accounts', '3', '--rho', '0.5', '--tokens', '5000', '--out', '/dev/null/run'],
        /cannot create the output folder/,
      ],
      [['testbed', 'generate', '--model', join(dir, 'absent.model'), '--tokens', '3'], /absent\.model: no such file/],
      [
        ['testbed', 'distill', '--teacher', model, '--accounts', '3', '--rho', '1.5', '--tokens', '5000', '--out', dir],
        /--rho must be in \(0, 1\]/,
      ],
      [
        ['testbed', 'distill', '--teacher', model, '--accounts', '3', '--rho', '0.5', '--tokens', '5000', '--out', dir, '--campaign', 'x'],
        /ID:COUNT/,
      ],
      [
        ['testbed', 'distill', '--teacher', model, '--accounts', '3', '--rho', '0.5', '--tokens', '5000', '--out', dir, '--key', key],
        /go together/,
      ],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(err, args.join(' ')).toMatch(message);
    }
    for (const sub of ['train', 'serve', 'generate', 'distill']) {
      const { code, out } = await run(['testbed', sub, '--help']);
      expect(code).toBe(0);
      expect(out).toContain(`lineage testbed ${sub}`);
    }
    expect((await run(['testbed', '--help'])).out).toMatch(/Commands:/);
  });
});
