/**
 * Radioactivity through the lexical scheme: a student distilled from lexically marked teacher
 * text (the testbed's text hook, as `lineage testbed distill --scheme lexical` runs it)
 * reproduces the keyed preferences, and a control trained on clean text does not.
 *
 * The order-3 student sees two tokens of context, so it can learn a preference keyed on one
 * preceding word (the default `schemes.lexical.contextWords`) but not on two or three: keys
 * with those widths show no inheritance in the same run (measured, see the README's Performance).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectLexical } from '@lineage/detect';
import { LexicalMarker } from '@lineage/embed/text';
import { distill, generateTokens, loadModelFile, type MarkingScheme, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';

describe('lexical inheritance', () => {
  it('a student of lexically marked text carries the provider mark; the control does not', () => {
    const key = keyFromSecret(new Uint8Array(32).fill(22));
    const teacher = trainOnBrown({ order: 3, tokens: 300_000, seed: 'teacher' });
    const marking: MarkingScheme = {
      name: 'lexical',
      textMarkerFor: (account) => {
        const marker = new LexicalMarker({ key, ...account });
        return { markText: (text) => marker.mark(text) };
      },
    };
    const out = mkdtempSync(join(tmpdir(), 'lineage-lexical-inherit-'));
    distill({ teacher, marking, accounts: 100, rho: 1, tokens: 900_000, seed: 'inherit', outDir: out });
    using tokenizer = createTokenizer({ encoding: teacher.encoding });
    const [student, control] = ['student', 'control'].map((name) => {
      const model = loadModelFile(join(out, `${name}.model`));
      const texts = Array.from({ length: 2000 }, (_, i) =>
        tokenizer.decode(
          Uint32Array.from(
            generateTokens(model, { prompt: [], maxTokens: 400, random: new SeededRandom(`${name}-${i}`), allowBoundary: false }),
          ),
        ),
      );
      const [provider] = detectLexical({ key, texts });
      if (!provider) throw new Error('no provider result');
      return provider;
    }) as [ReturnType<typeof detectLexical>[0], ReturnType<typeof detectLexical>[0]];
    expect(student?.scored).toBeGreaterThan(500);
    expect(student?.log10P, `student ${student?.score} of ${student?.scored}`).toBeLessThan(-4);
    expect(control?.pValue, `control ${control?.score} of ${control?.scored}`).toBeGreaterThan(1e-3);
  }, 120_000);
});
