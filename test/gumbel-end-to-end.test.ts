/**
 * Gumbel sampling against a real model: power and calibration on the testbed's n-gram model,
 * and `lineage detect` testing every scheme with a Bonferroni correction.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keyFromSecret, SeededRandom, saveKeyFile } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectGumbel } from '@lineage/detect';
import { GumbelMarker } from '@lineage/embed/logits';
import { generateTokens, type SamplingStep, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'lineage-gumbel-'));
const keyPath = join(dir, 'key.json');
// A fixed secret: the power check is then reproducible, not a fresh draw on every run.
const key = keyFromSecret(new Uint8Array(32).fill(52));
saveKeyFile(key, keyPath);
const model = trainOnBrown({ order: 3, tokens: 300_000 });
const marker = new GumbelMarker({ key, accountId: 'acct-1', vocabSize: model.vocabSize });
const hook = { sampleNext: (s: SamplingStep) => marker.sampleFromProbabilities(s.probabilities(), s.tokens, s.random, s.promptLength) };

const sample = (seed: string, marked: boolean) => [
  ...generateTokens(model, {
    prompt: [],
    maxTokens: 200,
    random: new SeededRandom(seed),
    allowBoundary: false,
    ...(marked ? { sampler: hook } : {}),
  }),
];

describe('Gumbel sampling on testbed text', () => {
  it('reaches p ≤ 1e-6 on 200-token responses in at least 95% of samples, and flags no unmarked one', () => {
    const samples = 20;
    const marked = Array.from({ length: samples }, (_, i) => detectGumbel({ key, texts: [sample(`m${i}`, true)] }));
    const clean = Array.from({ length: samples }, (_, i) => detectGumbel({ key, texts: [sample(`u${i}`, false)] }));
    const power = marked.filter((r) => r.pValue <= 1e-6).length / samples;
    expect(power, marked.map((r) => r.log10P.toFixed(1)).join(' ')).toBeGreaterThanOrEqual(0.95);
    expect(clean.filter((r) => r.pValue <= 1e-6)).toHaveLength(0);
  });

  it('lineage detect tests every scheme with a Bonferroni correction and names the one that marked the text', () => {
    using tokenizer = createTokenizer();
    writeFileSync(join(dir, 'marked.txt'), tokenizer.decode(sample('cli', true)));
    const root = resolve(import.meta.dirname, '..');
    const run = spawnSync(
      process.execPath,
      [
        '--conditions=@lineage/source',
        '--import',
        'tsx',
        'packages/cli/src/bin.ts',
        'detect',
        '--key',
        keyPath,
        '--json',
        join(dir, 'marked.txt'),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const { results } = JSON.parse(run.stdout);
    const byScheme = Object.fromEntries(results.map((r: { scheme: string }) => [r.scheme, r]));
    // auto tests the three token-level schemes and the lexical scheme.
    expect(byScheme.gumbel).toMatchObject({ verdict: 'marked', correction: 'bonferroni over 4 schemes' });
    expect(byScheme.gumbel.pValue).toBeCloseTo(Math.min(1, 4 * byScheme.gumbel.uncorrectedPValue), 12);
    expect(byScheme.lexical).toMatchObject({ channel: 'provider', correction: 'bonferroni over 4 schemes' });
    expect(byScheme.kgw.verdict).toBe('not-marked');
  });
});
