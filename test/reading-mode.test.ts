/**
 * Reading mode on testbed models: marked teacher text read through a student distilled from
 * marked text is detected, and read through the clean control it is not; on the clean model,
 * reading text marked under many keys gives p-values that are not small and look uniform.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret, ksUniform, type LineageKey, SeededRandom } from '@lineage/core';
import { readingModeTest, type TopTokenPredictor } from '@lineage/detect';
import { GreenListMarker } from '@lineage/embed/logits';
import {
  distill,
  generateTokens,
  type LanguageModel,
  loadModelFile,
  type MarkingScheme,
  type NgramModel,
  type SamplingStep,
  trainOnBrown,
} from '@lineage/testbed';
import { beforeAll, describe, expect, it } from 'vitest';

/** The model's most probable next token after the true preceding tokens (read as a paragraph start). */
function topToken(model: LanguageModel): TopTokenPredictor {
  const tail = model.order - 1;
  return (context) => {
    const read = context.length >= tail ? context.subarray(context.length - tail) : [model.boundaryId, ...context];
    return (model.topLogProbs(read, 1)[0] as { token: number }).token;
  };
}

function markedTexts(teacher: NgramModel, key: LineageKey, count: number, length: number, seed: string): number[][] {
  const marker = new GreenListMarker({ key, accountId: 'acct-1', vocabSize: teacher.vocabSize });
  const sampler = { sampleNext: (s: SamplingStep) => marker.sampleWithDraw(s.sampleUnmarked, s.tokens, s.random, s.promptLength) };
  return Array.from({ length: count }, (_, i) => [
    ...generateTokens(teacher, { prompt: [], maxTokens: length, random: new SeededRandom(`${seed}-${i}`), allowBoundary: false, sampler }),
  ]);
}

describe('reading mode on testbed models', () => {
  const key = keyFromSecret(new Uint8Array(32).fill(33));
  let teacher: NgramModel;
  let student: NgramModel;
  let control: NgramModel;

  beforeAll(() => {
    teacher = trainOnBrown({ order: 3, tokens: 300_000, seed: 'reading-teacher' });
    const marker = new GreenListMarker({ key, accountId: 'acct-1', vocabSize: teacher.vocabSize });
    const marking: MarkingScheme = {
      name: 'kgw',
      samplerFor: () => ({ sampleNext: (s: SamplingStep) => marker.sampleWithDraw(s.sampleUnmarked, s.tokens, s.random, s.promptLength) }),
    };
    const out = mkdtempSync(join(tmpdir(), 'lineage-reading-'));
    distill({ teacher, marking, accounts: 50, rho: 1, tokens: 120_000, seed: 'reading', outDir: out });
    student = loadModelFile(join(out, 'student.model'));
    control = loadModelFile(join(out, 'control.model'));
  }, 60_000);

  it('detects the student of marked text and not the clean control', () => {
    const texts = markedTexts(teacher, key, 30, 150, 'read');
    const [onStudent, onControl] = [student, control].map((model) =>
      readingModeTest({ key, scheme: 'kgw', texts, predict: topToken(model) }),
    ) as [ReturnType<typeof readingModeTest>, ReturnType<typeof readingModeTest>];
    const says = `student green ${onStudent.score} of ${onStudent.scored}, log10 p ${onStudent.log10P.toFixed(2)}; control green ${onControl.score} of ${onControl.scored}, p ${onControl.pValue.toPrecision(3)}`;
    expect(onStudent).toMatchObject({ mode: 'reading', channel: 'provider', scheme: 'kgw', verdict: 'marked', keyId: key.keyId });
    expect(onStudent.scored).toBeGreaterThan(1_000);
    expect(onStudent.pValue, says).toBeLessThanOrEqual(1e-6);
    expect(onControl.pValue, says).toBeGreaterThan(1e-3);
    expect(onControl.verdict).toBe('not-marked');
  });

  it('on the clean model, text marked under many keys reads as unmarked (calibration)', () => {
    const predict = topToken(control);
    const pValues = Array.from({ length: 24 }, (_, k) => {
      const keyK = keyFromSecret(new Uint8Array(32).fill(100 + k));
      const texts = markedTexts(teacher, keyK, 8, 120, `calibrate-${k}`);
      return readingModeTest({ key: keyK, scheme: 'kgw', texts, predict }).pValue;
    });
    expect(Math.min(...pValues), pValues.map((p) => p.toFixed(3)).join(' ')).toBeGreaterThan(1e-3);
    // The binomial tail is discrete (conservative), so the KS check is one-sided in spirit: not small.
    expect(ksUniform(pValues).pValue).toBeGreaterThan(1e-3);
  });
});
