/**
 * Detection power of the token-level schemes on the testbed model (order 3, 300k Brown
 * tokens, 200-token responses, p <= 1e-6 counts as detected), at T = 1 and T = 0.5, and the
 * green-list parameter grid behind the default (power and extra surprisal at T = 0.5), and
 * the tokens one account's responses need for its identity to be decoded.
 * Writes benchmarks/results/power.json. Run: pnpm --filter @lineage/benchmarks run power
 * (a few minutes; part of `pnpm bench`). `--short` (in bench:ci) is a smoke run at T = 1 with
 * a few samples, no grid and no identity; it prints and does not overwrite the results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { keyFromSecret, SeededRandom } from '@lineage/core';
import { AccountDirectory, decodeIdentity, detectGreenList, detectGumbel, detectTournament } from '@lineage/detect';
import { GreenListMarker, GumbelMarker, TournamentMarker } from '@lineage/embed/logits';
import { generateTokens, type SamplingStep, trainOnBrown } from '@lineage/testbed';

const short = process.argv.includes('--short');
const model = trainOnBrown({ order: 3, tokens: 300_000 });
const V = model.vocabSize;
const LENGTH = 200;
const generate = (seed: string, temperature: number, sampleNext?: (s: SamplingStep) => number) => [
  ...generateTokens(model, {
    prompt: [],
    maxTokens: LENGTH,
    temperature,
    random: new SeededRandom(seed),
    allowBoundary: false,
    ...(sampleNext ? { sampler: { sampleNext } } : {}),
  }),
];
const bits = (tokens: number[]) => {
  let sum = 0;
  const context = [model.boundaryId];
  for (const t of tokens) {
    sum -= model.logProb(context, t) / Math.LN2;
    context.push(t);
  }
  return sum / tokens.length;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const key = keyFromSecret(new Uint8Array(32).fill(9));
const kgw = new GreenListMarker({ key, accountId: 'acct-1', vocabSize: V });
const gumbel = new GumbelMarker({ key, accountId: 'acct-1', vocabSize: V });
const tournament = new TournamentMarker({ key, accountId: 'acct-1', vocabSize: V });
const schemes = [
  {
    name: 'kgw',
    hook: (s: SamplingStep) => kgw.sampleWithDraw(s.sampleUnmarked, s.tokens, s.random, s.promptLength),
    detect: detectGreenList,
  },
  {
    name: 'gumbel',
    hook: (s: SamplingStep) => gumbel.sampleFromProbabilities(s.probabilities(), s.tokens, s.random, s.promptLength),
    detect: detectGumbel,
  },
  {
    name: 'tournament',
    hook: (s: SamplingStep) => tournament.sampleFromProbabilities(s.probabilities(), s.tokens, s.random, s.promptLength),
    detect: detectTournament,
  },
];

const power = [];
for (const temperature of short ? [1] : [1, 0.5]) {
  for (const scheme of schemes) {
    const samples = short ? (scheme.name === 'kgw' ? 10 : 3) : scheme.name === 'kgw' ? 60 : 30;
    const needed: number[] = [];
    let detected = 0;
    for (let i = 0; i < samples; i++) {
      const tokens = generate(`${scheme.name}-${i}`, temperature, scheme.hook);
      if (scheme.detect({ key, texts: [tokens] }).pValue <= 1e-6) detected++;
      let n = Number.POSITIVE_INFINITY;
      for (let length = 10; length <= LENGTH && n === Number.POSITIVE_INFINITY; length += 10) {
        if (scheme.detect({ key, texts: [tokens.slice(0, length)] }).pValue <= 1e-6) n = length;
      }
      needed.push(n);
    }
    const clean = Array.from(
      { length: short ? 5 : 30 },
      (_, i) => scheme.detect({ key, texts: [generate(`clean-${i}`, temperature)] }).pValue,
    );
    const row = {
      temperature,
      scheme: scheme.name,
      samples,
      power: detected / samples,
      medianTokens: median(needed),
      cleanDetected: clean.filter((p) => p <= 1e-6).length,
    };
    console.log(row);
    power.push(row);
  }
}
if (short) {
  console.log('short run: the grid and identity sweeps are skipped and results/power.json is not written');
  process.exit(0);
}

const unmarkedBits = Array.from({ length: 60 }, (_, i) => bits(generate(`u${i}`, 0.5))).reduce((a, b) => a + b, 0) / 60;
const grid = [];
for (const [gamma, delta, contextWidth] of [
  [0.25, 2, 2],
  [0.25, 2.5, 2],
  [0.25, 3, 2],
  [0.25, 3.5, 2],
  [0.5, 2, 2],
  [0.5, 3, 2],
  [0.25, 3, 1],
  [0.25, 3, 4],
] as const) {
  const k = keyFromSecret(new Uint8Array(32).fill(9), { schemes: { greenList: { contextWidth, gamma, delta, selfSeeded: false } } });
  const marker = new GreenListMarker({ key: k, accountId: 'acct-1', vocabSize: V });
  const log10P: number[] = [];
  let extra = 0;
  for (let i = 0; i < 60; i++) {
    const tokens = generate(`m${i}`, 0.5, (s) => marker.sampleWithDraw(s.sampleUnmarked, s.tokens, s.random, s.promptLength));
    log10P.push(detectGreenList({ key: k, texts: [tokens] }).log10P);
    extra += bits(tokens) - unmarkedBits;
  }
  const row = {
    gamma,
    delta,
    contextWidth,
    power: log10P.filter((x) => x <= -6).length / 60,
    medianLog10P: median(log10P),
    extraBitsPerToken: extra / 60,
  };
  console.log(row);
  grid.push(row);
}
// Identity: how many tokens of one account's 200-token responses decode its 48-bit code
// among 10,000 registered accounts (green list; 20 accounts per temperature).
const directory = new AccountDirectory(
  key,
  Array.from({ length: 10_000 }, (_, i) => `acct-${i}`),
);
const identity = [];
for (const temperature of [1, 0.5]) {
  const responses = 80;
  const perAccount = Array.from({ length: 20 }, (_, a) => {
    const marker = new GreenListMarker({ key, accountId: `acct-${a * 37}`, vocabSize: V });
    const hook = (s: SamplingStep) => marker.sampleWithDraw(s.sampleUnmarked, s.tokens, s.random, s.promptLength);
    return Array.from({ length: responses }, (_, i) => generate(`id-${a}-${i}`, temperature, hook));
  });
  for (const count of [5, 10, 20, 40, 80]) {
    const named = perAccount.filter(
      (texts, a) => decodeIdentity({ key, scheme: 'kgw', texts: texts.slice(0, count), accounts: directory }).account === `acct-${a * 37}`,
    ).length;
    const row = { temperature, tokens: count * LENGTH, decoded: named / perAccount.length };
    console.log(row);
    identity.push(row);
  }
}

mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('../results/power.json', import.meta.url),
  `${JSON.stringify({ machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, mode: 'full', date: new Date().toISOString() }, unmarkedBitsPerToken: unmarkedBits, power, grid, identity }, null, 2)}\n`,
);
