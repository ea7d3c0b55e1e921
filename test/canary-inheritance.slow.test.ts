/**
 * Canaries through distillation: a teacher's answers carry canaries (rate 1, recorded in a real
 * SQLite ledger) while a distiller harvests them through 50 accounts; a student n-gram model is
 * trained on the harvest, a control on clean Brown text. Replaying the ledgered prompts to the
 * student brings back canaries that the scanner finds and attributes to the accounts that
 * received them; the control's answers hold none.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { CanaryScanner, selectReplayPrompts } from '@lineage/detect/canary';
import { CanaryMarker } from '@lineage/embed/canary';
import { openSqliteLedger } from '@lineage/embed/ledger';
import { distill, generateTokens, loadModelFile, type MarkingScheme, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';

describe('canary inheritance', () => {
  it('a student distilled from canary-bearing answers reproduces ledgered canaries of the right accounts; the control does not', () => {
    const key = keyFromSecret(new Uint8Array(32).fill(23));
    const out = mkdtempSync(join(tmpdir(), 'lineage-canary-inherit-'));
    const ledger = openSqliteLedger(join(out, 'ledger.db'));
    const canaries = new CanaryMarker({ key, ledger, rate: 1, capPerDay: 1_000_000 });
    const marking: MarkingScheme = {
      name: 'canary',
      textMarkerFor: (account) => ({ markText: (text, prompt) => canaries.mark({ ...account, prompt: prompt ?? '', text }).text }),
    };
    const teacher = trainOnBrown({ order: 4, tokens: 300_000, seed: 'teacher' });
    distill({
      teacher,
      marking,
      accounts: 20,
      promptPool: 200,
      rho: 0.5,
      tokens: 400_000,
      answerTokens: 96,
      seed: 'canary-inherit',
      outDir: out,
    });
    const entries = [...ledger.entries()];
    ledger.close();
    const scanner = new CanaryScanner(entries);
    const { prompts } = selectReplayPrompts(entries, { perGroup: 20 });
    using tokenizer = createTokenizer({ encoding: teacher.encoding });
    const [student, control] = ['student', 'control'].map((name) => {
      const model = loadModelFile(join(out, `${name}.model`));
      const session = scanner.session();
      let reproduced = 0;
      prompts.forEach((asked, i) => {
        const answer = tokenizer.decode(
          Uint32Array.from(
            generateTokens(model, {
              prompt: [model.boundaryId, ...tokenizer.encode(asked.prompt)],
              maxTokens: 160,
              random: new SeededRandom(`${name}-${i}`),
            }),
          ),
        );
        const { hits } = scanner.scan(answer);
        if (hits.some((h) => h.canary === asked.canary)) reproduced++;
        session.push(answer);
        session.separate();
      });
      return { reproduced, scan: session.end() };
    }) as [
      { reproduced: number; scan: ReturnType<CanaryScanner['scan']> },
      { reproduced: number; scan: ReturnType<CanaryScanner['scan']> },
    ];
    const ledgered = new Map(entries.map((e) => [e.canary, e.accountId]));
    console.log(
      `canary inheritance: ${entries.length} canaries ledgered, ${prompts.length} prompts replayed; student: ${student.scan.hits.length} ledger draws found (${student.reproduced} the asked prompt's own), ${student.scan.shapedWindows} canary-shaped windows, log10 p ${student.scan.log10P.toFixed(1)}; control: ${control.scan.hits.length} found, ${control.scan.shapedWindows} windows`,
    );
    expect(entries.length).toBeGreaterThan(500);
    expect(student.scan.hits.length).toBeGreaterThan(0);
    for (const hit of student.scan.hits) expect(hit.account).toBe(ledgered.get(hit.canary));
    expect(student.scan.log10P).toBeLessThan(-6);
    expect(control.scan.hits).toEqual([]);
    expect(control.scan.pValue).toBe(1);
  }, 600_000);
});
