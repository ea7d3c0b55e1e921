/**
 * The lexical scheme on real prose: held-out Brown paragraphs and passages (no lexicon
 * curation saw them). Calibration on unmarked text and with wrong keys (randomized p-values
 * uniform by KS, reported p-values at or under the nominal rate), power of 400-word passages,
 * robustness to 10% word deletions and substitutions, coverage, and the marker's output
 * re-parsing to the sites it chose at. benchmarks/src/lexical.ts measures the curves behind
 * these bounds. The bounds are the goals (issue 5), not fitted to what the current
 * lexicon reaches.
 */
import { binomialTail, builtInLexicon, forEachLexicalSite, keyFromSecret, ksUniform, type LexicalSet, SeededRandom } from '@lineage/core';
import { detectLexical } from '@lineage/detect';
import { LexicalMarker } from '@lineage/embed/text';
import { brownDocumentTexts, brownParagraphs, brownPassages } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';

const key = keyFromSecret(new Uint8Array(32).fill(17));
const contextWords = key.schemes.lexical.contextWords;
const marker = new LexicalMarker({ key, accountId: 'acct-brown' });

const heldOutTexts = brownDocumentTexts('heldout');
const passages = (words: number): string[] => brownPassages('heldout', words);

function keyNumber(i: number) {
  const bytes = new Uint8Array(32);
  new DataView(bytes.buffer).setUint32(0, 0xca1b0000 + i);
  return keyFromSecret(bytes);
}

/** P(X > k) + u P(X = k), X ~ Binomial(n, 1/2): exactly uniform under the null. */
function randomizedPValue(k: number, n: number, u: number): number {
  const above = k + 1 > n ? 0 : binomialTail(k + 1, n, 0.5).pValue;
  return above + u * (binomialTail(k, n, 0.5).pValue - above);
}

function provider(texts: string[], testKey = key) {
  const [result] = detectLexical({ key: testKey, texts });
  if (result?.channel !== 'provider') throw new Error('detectLexical must return the provider result first');
  return result;
}

/** Checks calibration over texts tested with one key each; returns what it measured. */
function expectCalibrated(label: string, texts: readonly string[], keyOf: (i: number) => ReturnType<typeof keyNumber>) {
  const random = new SeededRandom(`calibration/${label}`);
  const randomized: number[] = [];
  let rejected = 0;
  texts.forEach((text, i) => {
    const r = provider([text], keyOf(i));
    expect(r.expected).toBeCloseTo(r.scored / 2, 9);
    randomized.push(randomizedPValue(r.score, r.scored, random.next()));
    if (r.pValue <= 0.01) rejected++;
  });
  const ks = ksUniform(randomized).pValue;
  console.log(`${label}: ${texts.length} texts, KS p = ${ks.toPrecision(3)}, ${rejected} at p <= 0.01`);
  expect(ks, label).toBeGreaterThan(1e-3);
  // At or under the nominal 1%, beyond chance at 1e-4.
  expect(binomialTail(rejected, texts.length, 0.01).pValue, label).toBeGreaterThan(1e-4);
}

const trainingWords = brownParagraphs('train')
  .flatMap((p) => p.split(/\s+/))
  .filter((w) => /^[A-Za-z]+(?:'[a-z]+)?$/.test(w));

/** Deletes, or replaces by a random Brown training word, round(fraction * n) random words. */
function edit(text: string, kind: 'delete' | 'substitute', fraction: number, random: SeededRandom): string {
  const parts = text.split(/(\s+)/);
  const n = (parts.length + 1) / 2;
  const order = Array.from({ length: n }, (_, i) => i);
  const count = Math.round(fraction * n);
  for (let i = 0; i < count; i++) {
    const j = i + random.nextInt(n - i);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const chosen = new Set(order.slice(0, count));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const word = parts[2 * i] as string;
    const gap = parts[2 * i + 1] ?? '';
    if (!chosen.has(i)) out.push(word, gap);
    else if (kind === 'substitute') out.push(trainingWords[random.nextInt(trainingWords.length)] as string, gap);
  }
  return out.join('').trimEnd();
}

describe(`lexical scheme on held-out Brown (${builtInLexicon().sets.length} lexicon sets)`, () => {
  it('is calibrated on unmarked paragraphs with random keys and on marked text under a wrong key', () => {
    expectCalibrated('unmarked paragraphs', brownParagraphs('heldout'), keyNumber);
    const marked = passages(200).map((p) => marker.mark(p));
    expectCalibrated('marked 200-word passages, wrong key', marked, (i) => keyNumber(100_000 + i));
  });

  it("re-parses the marker's output to the same sites, each showing the variant the marker chose", () => {
    let sites = 0;
    let changed = 0;
    for (const paragraph of brownParagraphs('heldout')) {
      const output = marker.mark(paragraph);
      const before: { set: LexicalSet; variant: 0 | 1 }[] = [];
      forEachLexicalSite(paragraph, { contextWords }, (s) => before.push({ set: s.set, variant: s.variant }));
      const after: { set: LexicalSet; variant: 0 | 1 }[] = [];
      forEachLexicalSite(output, { contextWords }, (s) => {
        after.push({ set: s.set, variant: s.variant });
        expect(
          output
            .slice(s.start, s.start + s.length)
            .toLowerCase()
            .replaceAll('\u2019', "'"),
        ).toBe(s.set.variants[s.variant]);
      });
      expect(after.map((s) => s.set.id)).toEqual(before.map((s) => s.set.id));
      sites += before.length;
      changed += before.filter((s, i) => s.variant !== after[i]?.variant).length;
      // Every provider site of the output shows the key's preference (repeated tuples count once).
      const r = provider([output]);
      expect(r.score).toBe(r.scored);
    }
    expect(sites).toBeGreaterThan(0);
    // About half the sites already show the preferred variant.
    expect(changed / sites).toBeGreaterThan(0.35);
    expect(changed / sites).toBeLessThan(0.65);
  });

  // Goals of issue 5 that the curated lexicon does not reach yet (about 1 site per 73 words):
  // `it.fails` keeps them visible and turns red the day they are met, to be made plain tests.
  it.fails('GOAL NOT MET: at least one site per 15 words of held-out Brown', () => {
    const text = heldOutTexts.join('\n\n');
    const words = text.split(/\s+/).filter((w) => w !== '').length;
    let sites = 0;
    forEachLexicalSite(text, { contextWords }, () => sites++);
    console.log(`coverage: ${sites} sites in ${words} words, ${(words / sites).toFixed(1)} words per site`);
    expect(words / sites).toBeLessThanOrEqual(15);
  });

  it.fails('GOAL NOT MET: 400-word passages, at least 95% reach p <= 1e-6 (provider channel)', () => {
    const all = passages(400);
    const reached = all.filter((p) => provider([marker.mark(p)]).log10P <= -6).length;
    console.log(`power: ${reached} of ${all.length} 400-word passages reach 1e-6`);
    expect(all.length).toBeGreaterThan(150);
    expect(reached / all.length).toBeGreaterThanOrEqual(0.95);
  });

  it.fails('GOAL NOT MET: at least 80% at p <= 1e-3 after 10% random word deletions or substitutions', () => {
    const marked = passages(400).map((p) => marker.mark(p));
    const rates = (['delete', 'substitute'] as const).map((kind) => {
      const random = new SeededRandom(`robustness/${kind}`);
      const reached = marked.filter((p) => provider([edit(p, kind, 0.1, random)]).log10P <= -3).length;
      console.log(`robustness, 10% ${kind}: ${reached} of ${marked.length} reach 1e-3`);
      return reached / marked.length;
    });
    for (const rate of rates) expect(rate).toBeGreaterThanOrEqual(0.8);
  });
});
