import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFile, keyFromSecret, SeededRandom, saveKeyFile } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectGreenList } from '@lineage/detect';
import { GreenListMarker } from '@lineage/embed/logits';
import { generateTokens, type SamplingStep, saveModelFile, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';
import { runLineage } from './run-lineage.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-kgw-'));
// A fixed secret: the power check is then reproducible, not a fresh draw on every run.
const key = keyFromSecret(new Uint8Array(32).fill(51));
saveKeyFile(key, join(dir, 'key.json'));
const model = trainOnBrown({ order: 3, tokens: 300_000 });

function sample(marker: GreenListMarker | undefined, seed: string, tokens: number): number[] {
  const random = new SeededRandom(seed);
  const sampler = marker && {
    sampleNext: (step: SamplingStep) => marker.sampleWithDraw(step.sampleUnmarked, step.tokens, step.random, step.promptLength),
  };
  return [...generateTokens(model, { prompt: [], maxTokens: tokens, random, allowBoundary: false, ...(sampler ? { sampler } : {}) })];
}

describe('green list on testbed text', () => {
  it('reaches p ≤ 1e-6 on 200-token responses in at least 95% of samples, and flags no unmarked one', () => {
    const marker = new GreenListMarker({ key, accountId: 'acct-1', vocabSize: model.vocabSize });
    let detected = 0;
    let falseAlarms = 0;
    const samples = 40;
    const log10P: number[] = [];
    for (let i = 0; i < samples; i++) {
      const marked = detectGreenList({ key, texts: [sample(marker, `m${i}`, 200)] });
      log10P.push(marked.log10P);
      if (marked.pValue <= 1e-6) detected++;
      if (detectGreenList({ key, texts: [sample(undefined, `u${i}`, 200)] }).pValue <= 1e-6) falseAlarms++;
    }
    expect(detected / samples, `log10P: ${log10P.map((x) => x.toFixed(1)).join(' ')}`).toBeGreaterThanOrEqual(0.95);
    expect(falseAlarms).toBe(0);
  });

  it('runs through the CLI: testbed generate marks with kgw, detect finds it, and a wrong key does not', () => {
    const lineage = runLineage;
    const modelPath = join(dir, 'm.model');
    saveModelFile(modelPath, model);
    const samples = join(dir, 'samples.jsonl');
    const generated = lineage([
      'testbed',
      'generate',
      '--model',
      modelPath,
      '--tokens',
      '150',
      '--samples',
      '3',
      '--key',
      join(dir, 'key.json'),
      '--scheme',
      'kgw',
      '--account',
      'a1',
      '--out',
      samples,
    ]);
    expect(generated.status, generated.stderr).toBe(0);
    const detected = lineage(['detect', '--key', join(dir, 'key.json'), '--scheme', 'kgw', '--json', samples]);
    expect(detected.status, detected.stderr).toBe(0);
    const { results } = JSON.parse(detected.stdout);
    expect(results).toHaveLength(3);
    for (const r of results) expect(r).toMatchObject({ scheme: 'kgw', verdict: 'marked', keyId: key.keyId });
    createKeyFile({ path: join(dir, 'other.json') });
    const wrong = JSON.parse(lineage(['detect', '--key', join(dir, 'other.json'), '--scheme', 'kgw', '--json', samples]).stdout);
    for (const r of wrong.results) expect(r.verdict).toBe('not-marked');
    using tokenizer = createTokenizer();
    writeFileSync(join(dir, 'clean.txt'), tokenizer.decode(sample(undefined, 'clean', 300)));
    const clean = JSON.parse(lineage(['detect', '--key', join(dir, 'key.json'), '--json', join(dir, 'clean.txt')]).stdout);
    expect(clean.results[0]).toMatchObject({ scheme: 'kgw', verdict: 'not-marked' });
  });
});
