import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret, SeededRandom, saveKeyFile } from '@lineage/core';
import { AccountDirectory, decodeIdentity } from '@lineage/detect';
import { GreenListMarker } from '@lineage/embed/logits';
import { generateTokens, type SamplingStep, saveModelFile, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';
import { runLineage } from './run-lineage.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-identity-'));
const key = keyFromSecret(new Uint8Array(32).fill(61));
const model = trainOnBrown({ order: 3, tokens: 300_000 });
const accounts = Array.from({ length: 10_000 }, (_, i) => `acct-${i}`);

function responses(accountId: string, count: number, tokens: number): number[][] {
  const marker = new GreenListMarker({ key, accountId, vocabSize: model.vocabSize });
  const sampler = {
    sampleNext: (step: SamplingStep) => marker.sampleWithDraw(step.sampleUnmarked, step.tokens, step.random, step.promptLength),
  };
  return Array.from({ length: count }, (_, i) => [
    ...generateTokens(model, {
      prompt: [],
      maxTokens: tokens,
      random: new SeededRandom(`${accountId}/${i}`),
      allowBoundary: false,
      sampler,
    }),
  ]);
}

describe('identity channel on testbed text', () => {
  it('names the account from 8,000 tokens of its responses, among 10,000 registered accounts', () => {
    const directory = new AccountDirectory(key, accounts);
    for (const account of ['acct-17', 'acct-9001']) {
      const result = decodeIdentity({ key, scheme: 'kgw', texts: responses(account, 40, 200), accounts: directory });
      expect(result, JSON.stringify(result)).toMatchObject({ status: 'account', account });
      expect(result.log10P).toBeLessThan(-6);
    }
  });

  it('runs through the CLI: a campaign account is attributed to its campaign, a plain one to itself', () => {
    const lineage = runLineage;
    const keyPath = join(dir, 'key.json');
    saveKeyFile(key, keyPath);
    expect(lineage(['key', 'campaign', keyPath, 'hydra-1']).status).toBe(0);
    const modelPath = join(dir, 'm.model');
    saveModelFile(modelPath, model);
    const generate = (account: string, out: string, campaign?: string) => {
      const args = ['testbed', 'generate', '--model', modelPath, '--tokens', '200', '--samples', '40', '--key', keyPath];
      args.push('--scheme', 'kgw', '--account', account, '--out', out, ...(campaign ? ['--campaign', campaign] : []));
      const run = lineage(args);
      expect(run.status, run.stderr).toBe(0);
    };
    generate('acct-3', join(dir, 'plain.jsonl'));
    generate('acct-4', join(dir, 'flagged.jsonl'), 'hydra-1');
    writeFileSync(join(dir, 'accounts.txt'), `${accounts.slice(0, 1000).join('\n')}\n`);
    const detect = (file: string) => {
      const run = lineage([
        'detect',
        '--key',
        keyPath,
        '--scheme',
        'kgw',
        '--aggregate',
        '--accounts',
        join(dir, 'accounts.txt'),
        '--json',
        file,
      ]);
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout).results as { channel: string; verdict: string; status?: string; account?: string; campaign?: string }[];
    };
    const plain = detect(join(dir, 'plain.jsonl'));
    expect(plain.find((r) => r.channel === 'provider')?.verdict).toBe('marked');
    expect(plain.find((r) => r.channel === 'identity')).toMatchObject({ status: 'account', account: 'acct-3' });
    expect(plain.find((r) => r.channel === 'campaign')).toMatchObject({ campaign: 'hydra-1', verdict: 'not-marked' });
    const flagged = detect(join(dir, 'flagged.jsonl'));
    expect(flagged.find((r) => r.channel === 'campaign')).toMatchObject({ campaign: 'hydra-1', verdict: 'marked' });
    expect(flagged.find((r) => r.channel === 'identity')).toMatchObject({ status: 'no-single-account', account: null });
    expect(readFileSync(keyPath, 'utf8')).toContain('hydra-1');
  });
});
