/**
 * How strongly an order-3 testbed student inherits the lexical mark, against the context width
 * of the keyed preference and the contamination rho: a teacher (300k Brown training tokens)
 * answers 100 accounts with lexically marked text, the student trains on 900k tokens of which a
 * share rho is harvested, and the provider test runs on 2,000 of its samples of 400 tokens (one
 * tape). The control trains on clean text only. Writes results/lexical-inheritance.json.
 * Run: pnpm --filter @lineage/benchmarks run lexical-inheritance (about two minutes).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectLexical } from '@lineage/detect';
import { LexicalMarker } from '@lineage/embed/text';
import { distill, generateTokens, loadModelFile, type MarkingScheme, trainOnBrown } from '@lineage/testbed';

const SAMPLES = 2000;
const teacher = trainOnBrown({ order: 3, tokens: 300_000, seed: 'teacher' });
using tokenizer = createTokenizer({ encoding: teacher.encoding });
const rows: Record<string, unknown>[] = [];
for (const [contextWords, rho] of [
  [1, 1],
  [1, 0.5],
  [1, 0.1],
  [2, 1],
  [3, 1],
] as const) {
  const key = keyFromSecret(new Uint8Array(32).fill(22), { schemes: { lexical: { contextWords } } });
  const marking: MarkingScheme = {
    name: 'lexical',
    textMarkerFor: (account) => {
      const marker = new LexicalMarker({ key, ...account });
      return { markText: (text) => marker.mark(text) };
    },
  };
  const out = mkdtempSync(join(tmpdir(), 'lineage-lexical-inheritance-'));
  distill({ teacher, marking, accounts: 100, rho, tokens: 900_000, seed: 'inherit', outDir: out });
  for (const model of ['student', 'control']) {
    const lm = loadModelFile(join(out, `${model}.model`));
    const texts = Array.from({ length: SAMPLES }, (_, i) =>
      tokenizer.decode(
        Uint32Array.from(
          generateTokens(lm, { prompt: [], maxTokens: 400, random: new SeededRandom(`${model}-${i}`), allowBoundary: false }),
        ),
      ),
    );
    const [provider] = detectLexical({ key, texts });
    const row = { contextWords, rho, model, scored: provider?.scored, matches: provider?.score, log10P: provider?.log10P };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  rmSync(out, { recursive: true, force: true });
}
writeFileSync(new URL('../results/lexical-inheritance.json', import.meta.url), `${JSON.stringify({ samples: SAMPLES, rows }, null, 2)}\n`);
