/**
 * The text-level lexical scheme on held-out Brown prose (issue 5, "Evidence that it works"):
 * throughput of one-shot and one-word-chunk streaming marking and of detection, the bounded
 * delay of streaming, coverage (words per site), power against passage length, robustness
 * curves (deletion, insertion, random substitution, the lexicon-aware synonym swap, case and
 * whitespace normalization), calibration on unmarked text, and quality (words changed,
 * part-of-speech agreement, perplexity under an order-3 n-gram model trained on the Brown
 * training split). Speeds are measured, never asserted.
 */
import {
  binomialTail,
  builtInLexicon,
  forEachLexicalSite,
  keyFromSecret,
  ksUniform,
  LexicalRewriter,
  type LexicalSet,
  type LineageKey,
  rewriteText,
  SeededRandom,
} from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectLexical } from '@lineage/detect';
import { LexicalMarker } from '@lineage/embed/text';
import { brownDocumentTexts, brownParagraphs, brownPassages, loadBrownCorpus, perplexity, trainOnBrown } from '@lineage/testbed';
import { bestSeconds } from './measure.js';

const ONE_SHOT_GOAL_MBS = 10;
const STREAM_GOAL_MBS = 2;
const LENGTHS = [50, 100, 200, 400, 800, 1600, 2000] as const; // 2,000: about one whole Brown document
const STRENGTHS = [0.05, 0.1, 0.2, 0.3] as const;
const ATTACKS = ['deletion', 'insertion', 'substitution', 'synonym swap', 'lowercase', 'whitespace'] as const;
type Attack = (typeof ATTACKS)[number];

export interface LexicalBenchResult {
  readonly lexicon: { readonly sets: number; readonly maxWords: number };
  readonly throughput: {
    readonly characters: number;
    readonly oneShotMBs: number;
    readonly oneShotOfGoal: number;
    readonly streamOneWordMBs: number;
    readonly streamOfGoal: number;
    readonly streamToOneShot: number;
    readonly detectMBs: number;
    /** One-shot marking of a single whitespace-free line of code fences ('```x' repeated): the adversarial case. */
    readonly fenceLineMBs: number;
    readonly fenceLineCharacters: number;
  };
  readonly delay: {
    readonly chunks: number;
    readonly maxHeldCharacters: number;
    readonly meanHeldCharacters: number;
    readonly maxHeldWords: number;
    readonly meanHeldWords: number;
  };
  readonly coverage: {
    readonly words: number;
    readonly sites: number;
    readonly wordsPerSite: number;
    readonly sitesPer400Words: number;
    readonly providerScoredPer400Words: number;
  };
  readonly power: readonly {
    readonly words: number;
    readonly passages: number;
    readonly medianLog10P: number;
    readonly p5Log10P: number;
    readonly medianScored: number;
    readonly reached1e6: number;
  }[];
  readonly robustness: readonly {
    readonly attack: Attack;
    readonly strength: number;
    readonly passages: number;
    readonly reached1e3: number;
    readonly medianLog10P: number;
  }[];
  readonly calibration: {
    readonly unmarkedTexts: number;
    readonly unmarkedKsPValue: number;
    readonly unmarkedRateAt001: number;
    readonly wrongKeyTexts: number;
    readonly wrongKeyKsPValue: number;
    readonly wrongKeyRateAt001: number;
  };
  readonly quality: {
    readonly words: number;
    readonly wordsChanged: number;
    readonly fractionWordsChanged: number;
    readonly sitesChanged: number;
    readonly fractionSitesChanged: number;
    readonly reparseMismatches: number;
    readonly posCompared: number;
    readonly posExactAgreement: number;
    readonly posFamilyAgreement: number;
    readonly posUnknownReplacement: number;
    readonly perplexityTrainingTokens: number;
    readonly perplexityUnmarked: number;
    readonly perplexityMarked: number;
    readonly perplexityRatio: number;
    readonly bitsPerCharacterUnmarked: number;
    readonly bitsPerCharacterMarked: number;
  };
}

/** At most `max` of the held-out passages of `words` words, spread evenly over the documents. */
export function passagesOf(words: number, max: number): string[] {
  const all = brownPassages('heldout', words);
  if (all.length <= max) return all;
  return Array.from({ length: max }, (_, i) => all[Math.floor((i * all.length) / max)] as string);
}

/** Words of the Brown training split as they stand in prose (letters and apostrophes only), frequency-weighted. */
function trainingWords(): string[] {
  const words: string[] = [];
  for (const paragraph of brownParagraphs('train'))
    for (const word of paragraph.split(/\s+/)) if (/^[A-Za-z]+(?:'[a-z]+)?$/.test(word)) words.push(word);
  return words;
}

/** Indices 0..n-1 in a seeded random order (first `take` valid). */
function sample(n: number, take: number, random: SeededRandom): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < Math.min(take, n - 1); i++) {
    const j = i + random.nextInt(n - i);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order.slice(0, take);
}

export interface AttackContext {
  readonly vocabulary: readonly string[];
  readonly contextWords: number;
}

/** Applies an attack of a given strength (fraction of words, or of sites for the synonym swap). */
export function attack(text: string, kind: Attack, strength: number, random: SeededRandom, context: AttackContext): string {
  const parts = text.split(/(\s+)/);
  const n = (parts.length + 1) / 2;
  const count = Math.round(strength * n);
  const randomWord = () => context.vocabulary[random.nextInt(context.vocabulary.length)] as string;
  switch (kind) {
    case 'deletion': {
      const gone = new Set(sample(n, count, random));
      const kept: string[] = [];
      for (let i = 0; i < n; i++) if (!gone.has(i)) kept.push(parts[2 * i] as string, parts[2 * i + 1] ?? '');
      return kept.join('').trimEnd();
    }
    case 'insertion': {
      const before = new Map<number, number>();
      for (let k = 0; k < count; k++) {
        const at = random.nextInt(n);
        before.set(at, (before.get(at) ?? 0) + 1);
      }
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        for (let k = before.get(i) ?? 0; k > 0; k--) out.push(randomWord(), ' ');
        out.push(parts[2 * i] as string, parts[2 * i + 1] ?? '');
      }
      return out.join('');
    }
    case 'substitution': {
      for (const i of sample(n, count, random)) parts[2 * i] = randomWord();
      return parts.join('');
    }
    case 'synonym swap':
      return rewriteText(text, {
        contextWords: context.contextWords,
        choose: (site) => (random.next() < strength ? ((1 - site.variant) as 0 | 1) : site.variant),
      });
    case 'lowercase':
      return text.toLowerCase();
    case 'whitespace':
      return text.replace(/\s+/g, ' ');
  }
}

export function providerLog10P(key: LineageKey, text: string): { log10P: number; scored: number; score: number } {
  const [provider] = detectLexical({ key, texts: [text], tapeSeed: new Uint8Array(16) });
  if (!provider) throw new Error('detectLexical returned no provider result');
  return { log10P: provider.log10P, scored: provider.scored, score: provider.score };
}

/** P(X > k) + u P(X = k) for X ~ Binomial(n, p): exactly uniform under the null. */
export function randomizedPValue(k: number, n: number, p: number, u: number): number {
  const above = k + 1 > n ? 0 : binomialTail(k + 1, n, p).pValue;
  return above + u * (binomialTail(k, n, p).pValue - above);
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const median = (values: readonly number[]) => quantile(values, 0.5);

interface FoundSite {
  readonly set: LexicalSet;
  readonly variant: 0 | 1;
  readonly start: number;
  readonly length: number;
}

export function sitesOf(text: string, contextWords: number): FoundSite[] {
  const sites: FoundSite[] = [];
  forEachLexicalSite(text, { contextWords }, (s) => sites.push({ set: s.set, variant: s.variant, start: s.start, length: s.length }));
  return sites;
}

/** `nn-tl` -> `nn`, `fw-nn` -> `nn`, `do*` -> `do`: the tag without title, headline, foreign and negation marks. */
function baseTag(tag: string): string {
  return (
    tag
      .toLowerCase()
      .replace(/^fw-/, '')
      .split('-')[0]
      ?.replace(/[*$]+$/, '') ?? ''
  );
}

const tagFamily = (tag: string) => baseTag(tag).slice(0, 2);

export function runLexicalBench(short: boolean): LexicalBenchResult {
  const key = keyFromSecret(new Uint8Array(32).fill(41));
  const contextWords = key.schemes.lexical.contextWords;
  const marker = new LexicalMarker({ key, accountId: 'acct-bench' });
  const lexicon = builtInLexicon();
  const corpus = loadBrownCorpus();
  const texts = brownDocumentTexts('heldout');
  const fullText = texts.join('\n\n');
  const countWords = (t: string) => t.split(/\s+/).filter((w) => w !== '').length;

  // Throughput on held-out Brown prose.
  const text = short ? fullText.slice(0, 300_000) : fullText;
  const mb = text.length / 1e6;
  const oneShot = bestSeconds(short ? 2 : 4, () => {
    marker.mark(text);
  });
  const chunks = text.match(/\s*\S+\s*/g) ?? [];
  const streamSeconds = bestSeconds(short ? 1 : 3, () => {
    const rewriter = marker.rewriter();
    for (const chunk of chunks) rewriter.push(chunk);
    rewriter.end();
  });
  // A whitespace-free line full of fences once cost time quadratic in its length.
  const fenceLine = '```x'.repeat(short ? 25_000 : 250_000);
  const fenceSeconds = bestSeconds(2, () => {
    marker.mark(fenceLine);
  });
  const markedText = marker.mark(text);
  const detectSeconds = bestSeconds(short ? 2 : 4, () => {
    detectLexical({ key, texts: [markedText] });
  });

  // Streaming delay: input pushed but not yet emitted, after each one-word chunk (a chooser that
  // keeps what it finds makes output offsets input offsets; holding back does not depend on choices).
  const keeper = new LexicalRewriter({ contextWords, choose: (s) => s.variant });
  let pushed = 0;
  let emitted = 0;
  let maxHeldCharacters = 0;
  let sumHeldCharacters = 0;
  let maxHeldWords = 0;
  let sumHeldWords = 0;
  for (const chunk of chunks) {
    pushed += chunk.length;
    emitted += keeper.push(chunk).length;
    const held = pushed - emitted;
    const heldWords = countWords(text.slice(emitted, pushed));
    maxHeldCharacters = Math.max(maxHeldCharacters, held);
    sumHeldCharacters += held;
    maxHeldWords = Math.max(maxHeldWords, heldWords);
    sumHeldWords += heldWords;
  }
  keeper.end();

  // Coverage.
  const words = countWords(fullText);
  const sites = sitesOf(fullText, contextWords).length;
  const providerScored = texts.reduce((n, t) => n + providerLog10P(key, t).scored, 0);

  // Power against passage length.
  const perLength = short ? 40 : 250;
  const power = LENGTHS.map((length) => {
    const logs: number[] = [];
    const scored: number[] = [];
    for (const passage of passagesOf(length, perLength)) {
      const r = providerLog10P(key, marker.mark(passage));
      logs.push(r.log10P);
      scored.push(r.scored);
    }
    return {
      words: length,
      passages: logs.length,
      medianLog10P: median(logs),
      p5Log10P: quantile(logs, 0.95), // the 5% weakest passages: the 95th percentile of log10 p
      medianScored: median(scored),
      reached1e6: logs.filter((l) => l <= -6).length / logs.length,
    };
  });

  // Robustness of 400-word passages.
  const vocabulary = trainingWords();
  const marked400 = passagesOf(400, short ? 40 : 250).map((p) => marker.mark(p));
  const robustness = ATTACKS.flatMap((kind) =>
    (kind === 'lowercase' || kind === 'whitespace' ? [1] : STRENGTHS).map((strength) => {
      const random = new SeededRandom(`lexical-attack/${kind}/${strength}`);
      const logs = marked400.map((p) => providerLog10P(key, attack(p, kind, strength, random, { vocabulary, contextWords })).log10P);
      return {
        attack: kind,
        strength,
        passages: logs.length,
        reached1e3: logs.filter((l) => l <= -3).length / logs.length,
        medianLog10P: median(logs),
      };
    }),
  );

  // Calibration: unmarked held-out paragraphs, one random key each; marked passages, a wrong key each.
  const paragraphs = brownParagraphs('heldout');
  const calibrationTexts = short ? paragraphs.slice(0, 400) : paragraphs;
  const random = new SeededRandom('lexical-calibration');
  const keyFor = (i: number) => {
    const bytes = new Uint8Array(32);
    new DataView(bytes.buffer).setUint32(0, 0x5eed0000 + i);
    return keyFromSecret(bytes);
  };
  const calibrate = (items: readonly string[]) => {
    const randomized: number[] = [];
    let rejected = 0;
    items.forEach((t, i) => {
      const [provider] = detectLexical({ key: keyFor(i), texts: [t] });
      if (!provider) throw new Error('no provider result');
      randomized.push(randomizedPValue(provider.score, provider.scored, 0.5, random.next()));
      if (provider.pValue <= 0.01) rejected++;
    });
    return { ks: ksUniform(randomized).pValue, rate: rejected / items.length };
  };
  const unmarked = calibrate(calibrationTexts);
  const wrongKeyTexts = passagesOf(200, short ? 100 : 400).map((p) => marker.mark(p));
  const wrong = calibrate(wrongKeyTexts);

  // Quality: words changed, part-of-speech agreement, perplexity.
  const tagCounts = new Map<string, Map<string, number>>();
  for (const document of corpus) {
    if (document.split !== 'train') continue;
    for (const paragraph of document.paragraphs)
      for (const { words: ws, tags } of paragraph.tagged)
        for (let i = 0; i < ws.length; i++) {
          const w = (ws[i] as string).toLowerCase();
          let counts = tagCounts.get(w);
          if (!counts) tagCounts.set(w, (counts = new Map()));
          const t = baseTag(tags[i] as string);
          counts.set(t, (counts.get(t) ?? 0) + 1);
        }
  }
  const topTag = (word: string): string | undefined => {
    let best: string | undefined;
    let bestCount = 0;
    for (const [t, c] of tagCounts.get(word) ?? []) if (c > bestCount) [best, bestCount] = [t, c];
    return best;
  };
  let qualityWords = 0;
  let wordsChanged = 0;
  let sitesTotal = 0;
  let sitesChanged = 0;
  let reparseMismatches = 0;
  let posCompared = 0;
  let posExact = 0;
  let posFamily = 0;
  let posUnknown = 0;
  const unmarkedParagraphs: string[] = [];
  const markedParagraphs: string[] = [];
  const qualityDocuments = corpus.filter((d) => d.split === 'heldout');
  for (const document of short ? qualityDocuments.slice(0, 12) : qualityDocuments) {
    for (const paragraph of document.paragraphs) {
      if (paragraph.heading) continue;
      const input = paragraph.sentences.join(' ');
      const output = marker.mark(input);
      unmarkedParagraphs.push(input);
      markedParagraphs.push(output);
      qualityWords += countWords(input);
      const before = sitesOf(input, contextWords);
      const after = sitesOf(output, contextWords);
      if (before.length !== after.length || before.some((s, i) => s.set !== after[i]?.set)) {
        reparseMismatches++;
        continue;
      }
      sitesTotal += before.length;
      // Sentence start offsets within the paragraph (sentences joined by one space).
      const starts: number[] = [];
      let offset = 0;
      for (const sentence of paragraph.sentences) {
        starts.push(offset);
        offset += sentence.length + 1;
      }
      before.forEach((site, i) => {
        const now = (after[i] as FoundSite).variant;
        if (now === site.variant) return;
        sitesChanged++;
        const original = site.set.variants[site.variant];
        const replacement = site.set.variants[now];
        wordsChanged += original.split(' ').length;
        if (original.includes(' ') || replacement.includes(' ')) return;
        // The tagged token: the k-th occurrence of the word in its sentence.
        let j = starts.length - 1;
        while (j > 0 && (starts[j] as number) > site.start) j--;
        const sentence = paragraph.sentences[j] as string;
        const within = site.start - (starts[j] as number);
        const escaped = original.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const k = (sentence.slice(0, within).match(new RegExp(`(?<![A-Za-z'])${escaped}(?![A-Za-z'])`, 'gi')) ?? []).length;
        const tagged = paragraph.tagged[j];
        if (!tagged) return;
        let seen = 0;
        let tag: string | undefined;
        for (let t = 0; t < tagged.words.length; t++)
          if ((tagged.words[t] as string).toLowerCase() === original && seen++ === k) {
            tag = tagged.tags[t] as string;
            break;
          }
        if (tag === undefined) return;
        const replacementTag = topTag(replacement);
        posCompared++;
        if (replacementTag === undefined) {
          posUnknown++;
          return;
        }
        if (replacementTag === baseTag(tag)) posExact++;
        if (replacementTag.slice(0, 2) === tagFamily(tag)) posFamily++;
      });
    }
  }
  const trainingTokens = short ? 300_000 : undefined;
  const model = trainOnBrown({ order: 3, ...(trainingTokens ? { tokens: trainingTokens } : {}) });
  using tokenizer = createTokenizer({ encoding: model.encoding });
  const score = (paragraphTexts: readonly string[]) => {
    const r = perplexity(
      model,
      paragraphTexts.map((p) => tokenizer.encode(p)),
    );
    return { perplexity: r.perplexity, bits: r.bitsPerToken * r.tokens };
  };
  const before = score(unmarkedParagraphs);
  const after = score(markedParagraphs);
  const characters = unmarkedParagraphs.reduce((n, p) => n + p.length, 0);

  return {
    lexicon: { sets: lexicon.sets.length, maxWords: lexicon.maxWords },
    throughput: {
      characters: text.length,
      oneShotMBs: mb / oneShot,
      oneShotOfGoal: mb / oneShot / ONE_SHOT_GOAL_MBS,
      streamOneWordMBs: mb / streamSeconds,
      streamOfGoal: mb / streamSeconds / STREAM_GOAL_MBS,
      streamToOneShot: oneShot / streamSeconds,
      detectMBs: mb / detectSeconds,
      fenceLineMBs: fenceLine.length / 1e6 / fenceSeconds,
      fenceLineCharacters: fenceLine.length,
    },
    delay: {
      chunks: chunks.length,
      maxHeldCharacters,
      meanHeldCharacters: sumHeldCharacters / chunks.length,
      maxHeldWords,
      meanHeldWords: sumHeldWords / chunks.length,
    },
    coverage: {
      words,
      sites,
      wordsPerSite: words / sites,
      sitesPer400Words: (400 * sites) / words,
      providerScoredPer400Words: (400 * providerScored) / words,
    },
    power,
    robustness,
    calibration: {
      unmarkedTexts: calibrationTexts.length,
      unmarkedKsPValue: unmarked.ks,
      unmarkedRateAt001: unmarked.rate,
      wrongKeyTexts: wrongKeyTexts.length,
      wrongKeyKsPValue: wrong.ks,
      wrongKeyRateAt001: wrong.rate,
    },
    quality: {
      words: qualityWords,
      wordsChanged,
      fractionWordsChanged: wordsChanged / qualityWords,
      sitesChanged,
      fractionSitesChanged: sitesChanged / sitesTotal,
      reparseMismatches,
      posCompared,
      posExactAgreement: posExact / (posCompared - posUnknown),
      posFamilyAgreement: posFamily / (posCompared - posUnknown),
      posUnknownReplacement: posUnknown,
      perplexityTrainingTokens: model.info.trainingTokens,
      perplexityUnmarked: before.perplexity,
      perplexityMarked: after.perplexity,
      perplexityRatio: after.perplexity / before.perplexity,
      bitsPerCharacterUnmarked: before.bits / characters,
      bitsPerCharacterMarked: after.bits / characters,
    },
  };
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : String(x));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The Markdown section of summary.md. */
export function lexicalSummary(r: LexicalBenchResult): string {
  const { throughput: t, delay: d, coverage: c, calibration: k, quality: q } = r;
  return `## Lexical scheme (held-out Brown, lexicon of ${r.lexicon.sets} sets)

| measure | value | baseline | ratio |
|---|---|---|---|
| one-shot marking, MB/s (${t.characters.toLocaleString('en-US')} characters) | ${f2(t.oneShotMBs)} | goal ${ONE_SHOT_GOAL_MBS} | ${f2(t.oneShotOfGoal)}x |
| streaming, one-word chunks, MB/s | ${f2(t.streamOneWordMBs)} | goal ${STREAM_GOAL_MBS} | ${f2(t.streamOfGoal)}x (${f2(t.streamToOneShot)}x of one-shot) |
| detection, MB/s | ${f2(t.detectMBs)} | | |
| one-shot marking of one ${t.fenceLineCharacters.toLocaleString('en-US')}-character line of code fences, MB/s | ${f2(t.fenceLineMBs)} | | |
| streaming hold-back after each one-word chunk, characters max / mean | ${d.maxHeldCharacters} / ${f2(d.meanHeldCharacters)} | | |
| the same, words max / mean (the word just pushed included) | ${d.maxHeldWords} / ${f2(d.meanHeldWords)} | | |
| words per site (${c.sites.toLocaleString('en-US')} sites in ${c.words.toLocaleString('en-US')} words) | ${f2(c.wordsPerSite)} | goal at most 15 | |
| sites per 400 words / provider tuples scored per 400 words | ${f2(c.sitesPer400Words)} / ${f2(c.providerScoredPer400Words)} | | |
| calibration, unmarked paragraphs, one key each (${k.unmarkedTexts}): KS p / rate at 0.01 | ${k.unmarkedKsPValue.toPrecision(3)} / ${pct(k.unmarkedRateAt001)} | nominal 1% | |
| calibration, marked 200-word passages, wrong key (${k.wrongKeyTexts}): KS p / rate at 0.01 | ${k.wrongKeyKsPValue.toPrecision(3)} / ${pct(k.wrongKeyRateAt001)} | nominal 1% | |
| words changed by marking (${q.wordsChanged} of ${q.words}) / sites changed | ${pct(q.fractionWordsChanged)} / ${pct(q.fractionSitesChanged)} | | |
| part-of-speech agreement of changed one-word sites (${q.posCompared}): exact tag / tag family | ${pct(q.posExactAgreement)} / ${pct(q.posFamilyAgreement)} | | |
| order-3 perplexity (${q.perplexityTrainingTokens.toLocaleString('en-US')} training tokens), marked vs unmarked | ${f2(q.perplexityMarked)} | ${f2(q.perplexityUnmarked)} | ${q.perplexityRatio.toFixed(3)}x |
| bits per character, marked vs unmarked | ${q.bitsPerCharacterMarked.toFixed(4)} | ${q.bitsPerCharacterUnmarked.toFixed(4)} | ${(q.bitsPerCharacterMarked / q.bitsPerCharacterUnmarked).toFixed(4)}x |

| passage words | passages | median provider tuples | median log10 p | 5th-percentile log10 p (weakest 5%) | reach 1e-6 |
|---|---|---|---|---|---|
${r.power.map((p) => `| ${p.words} | ${p.passages} | ${p.medianScored} | ${f2(p.medianLog10P)} | ${f2(p.p5Log10P)} | ${pct(p.reached1e6)} |`).join('\n')}

| attack on 400-word passages | strength | reach 1e-3 | median log10 p |
|---|---|---|---|
${r.robustness.map((x) => `| ${x.attack} | ${x.attack === 'lowercase' || x.attack === 'whitespace' ? 'all' : pct(x.strength)} | ${pct(x.reached1e3)} | ${f2(x.medianLog10P)} |`).join('\n')}
`;
}
