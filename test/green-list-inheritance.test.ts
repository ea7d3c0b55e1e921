/**
 * Radioactivity through the provider channel: a student distilled from 100% green-list-marked
 * teacher text inherits the mark (its own samples test as marked), and a control student
 * trained on the same amount of clean text does not.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret, SeededRandom } from '@lineage/core';
import { detectGreenList } from '@lineage/detect';
import { GreenListMarker } from '@lineage/embed/logits';
import { distill, generateTokens, loadModelFile, type MarkingScheme, type SamplingStep, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';

describe('green-list inheritance', () => {
  it('a student of marked text carries the provider mark; the control does not', () => {
    const key = keyFromSecret(new Uint8Array(32).fill(21));
    const teacher = trainOnBrown({ order: 3, tokens: 300_000, seed: 'teacher' });
    const marker = new GreenListMarker({ key, accountId: 'acct-1', vocabSize: teacher.vocabSize });
    const marking: MarkingScheme = {
      name: 'kgw',
      samplerFor: () => ({ sampleNext: (s: SamplingStep) => marker.sampleWithDraw(s.sampleUnmarked, s.tokens, s.random, s.promptLength) }),
    };
    const out = mkdtempSync(join(tmpdir(), 'lineage-inherit-'));
    distill({ teacher, marking, accounts: 100, rho: 1, tokens: 200_000, seed: 'inherit', outDir: out });
    const verdicts = ['student', 'control'].map((name) => {
      const model = loadModelFile(join(out, `${name}.model`));
      const texts = Array.from({ length: 50 }, (_, i) => [
        ...generateTokens(model, { prompt: [], maxTokens: 200, random: new SeededRandom(`${name}-${i}`), allowBoundary: false }),
      ]);
      return detectGreenList({ key, texts });
    });
    const [student, control] = verdicts as [(typeof verdicts)[0], (typeof verdicts)[0]];
    expect(student.scored).toBeGreaterThan(5_000);
    expect(student.log10P, `student green ${student.score} of ${student.scored}`).toBeLessThan(-6);
    expect(control.pValue, `control green ${control.score} of ${control.scored}`).toBeGreaterThan(1e-3);
  });
});
