import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenizer } from '@lineage/core/tokenizer';
import { describe, expect, it } from 'vitest';
import { trainOnBrown } from './brown-training.js';
import { accountId, distill } from './distillation.js';
import type { MarkedAccount, MarkingScheme } from './marking-hooks.js';
import { loadModelFile } from './model-file.js';
import { perplexity } from './perplexity.js';
import { generateSamples } from './sample-generation.js';

describe('distillation simulation', () => {
  const teacher = trainOnBrown({ order: 3, tokens: 150_000, seed: 'teacher' });

  it('passes each prompt to the text hook, and re-asks a small prompt pool in turn', () => {
    const out = mkdtempSync(join(tmpdir(), 'lineage-distill-pool-'));
    const seen: string[] = [];
    const marking: MarkingScheme = {
      name: 'prompt-recording',
      textMarkerFor: () => ({
        markText: (text, prompt) => {
          seen.push(prompt ?? '<none>');
          return text;
        },
      }),
    };
    const manifest = distill({
      teacher,
      marking,
      accounts: 2,
      promptPool: 3,
      rho: 1,
      tokens: 2_000,
      answerTokens: 16,
      seed: 3,
      outDir: out,
    });
    const lines = readFileSync(join(out, 'harvest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { prompt: string });
    expect(seen).toEqual(lines.map((l) => l.prompt));
    expect(new Set(seen).size).toBe(3);
    expect(manifest.exchanges).toBeGreaterThan(6);
    expect(() => distill({ teacher, accounts: 2, promptPool: 0, rho: 1, tokens: 2_000, outDir: out })).toThrow(/promptPool/);
  });

  it('harvests through the hooks per account and campaign, and writes both students and a manifest', () => {
    const out = mkdtempSync(join(tmpdir(), 'lineage-distill-'));
    const created: MarkedAccount[] = [];
    let steps = 0;
    const marking: MarkingScheme = {
      name: 'recording',
      samplerFor: (account) => {
        created.push(account);
        return {
          sampleNext: (step) => {
            if (steps++ % 500 === 0) expect(step.probabilities()).toHaveLength(teacher.vocabSize);
            return step.sampleUnmarked();
          },
        };
      },
      textMarkerFor: () => ({ markText: (text) => text.replaceAll('  ', ' ') }),
    };
    const manifest = distill({
      teacher,
      marking,
      accounts: 12,
      campaigns: [{ id: 'c-1', count: 3 }],
      rho: 0.4,
      tokens: 20_000,
      answerTokens: 48,
      seed: 7,
      outDir: out,
    });
    expect(manifest.scheme).toBe('recording');
    expect(manifest.harvestedTokens).toBe(8_000);
    expect(manifest.cleanTokens).toBe(12_000);
    expect(manifest.campaigns).toEqual([{ id: 'c-1', accounts: [accountId(0), accountId(1), accountId(2)] }]);
    expect(created).toHaveLength(12);
    expect(created.filter((a) => a.campaignId === 'c-1').map((a) => a.accountId)).toEqual([accountId(0), accountId(1), accountId(2)]);
    expect(steps).toBeGreaterThan(1000);
    const lines = readFileSync(join(out, 'harvest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(manifest.exchanges);
    expect(lines[0]).toMatchObject({ account: accountId(0), campaign: 'c-1' });
    expect(lines[5]).not.toHaveProperty('campaign');
    for (const name of ['student.model', 'control.model', 'manifest.json']) expect(existsSync(join(out, name))).toBe(true);
    // What the manifest claims is what the students were trained on (token streams count one boundary per paragraph plus one).
    const student = loadModelFile(join(out, 'student.model'));
    const control = loadModelFile(join(out, 'control.model'));
    expect(student.info.source).toMatch(/student/);
    expect(student.info.trainingTokens).toBe(manifest.harvestedTokens + manifest.cleanTokens + student.info.documents + 1);
    expect(control.info.trainingTokens - control.info.documents - 1).toBe(manifest.tokens);
    expect(manifest.student.trainingTokens).toBe(student.info.trainingTokens);
  });

  it('transfers the teacher’s behaviour: the student predicts fresh teacher text better than the control', () => {
    const out = mkdtempSync(join(tmpdir(), 'lineage-distill-'));
    distill({ teacher, accounts: 50, rho: 0.5, tokens: 120_000, seed: 'transfer', outDir: out });
    const student = loadModelFile(join(out, 'student.model'));
    const control = loadModelFile(join(out, 'control.model'));
    using tokenizer = createTokenizer();
    const fresh = [...generateSamples({ model: teacher, tokens: 200, samples: 30, seed: 'fresh' })].map((s) => tokenizer.encode(s.text));
    const studentPerplexity = perplexity(student, fresh).perplexity;
    const controlPerplexity = perplexity(control, fresh).perplexity;
    expect(studentPerplexity).toBeLessThan(0.8 * controlPerplexity);
  });

  it('refuses impossible settings with clear errors', () => {
    const base = { teacher, accounts: 5, rho: 0.5, tokens: 5_000, outDir: mkdtempSync(join(tmpdir(), 'lineage-distill-')) };
    expect(() => distill({ ...base, rho: 0 })).toThrow(/rho/);
    expect(() => distill({ ...base, accounts: 0 })).toThrow(/accounts/);
    expect(() => distill({ ...base, tokens: 10 })).toThrow(/tokens/);
    expect(() => distill({ ...base, tokens: 3_000_000 })).toThrow(/exceeds the \d+ clean tokens/);
    expect(() => distill({ ...base, outDir: '/dev/null/run' })).toThrow(/cannot create the output folder/);
    expect(() => distill({ ...base, campaigns: [{ id: 'a', count: 6 }] })).toThrow(/only 5/);
    expect(() => distill({ ...base, campaigns: [{ id: 'bad id', count: 1 }] })).toThrow(/campaign id/);
  });
});
