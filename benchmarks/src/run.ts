/**
 * Runs the benchmarks and writes benchmarks/results/<name>.json plus summary.md.
 * `--short` (what CI runs) uses smaller inputs; no result gates CI on absolute times.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { runCoreBench } from './core-bench.js';

const short = process.argv.includes('--short');
const resultsDir = new URL('../results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  mode: short ? 'short' : 'full',
  date: new Date().toISOString(),
};

const core = runCoreBench(short);
writeFileSync(new URL('core.json', resultsDir), `${JSON.stringify({ machine, ...core }, null, 2)}\n`);

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2));
const summary = `# Benchmark summary (${machine.mode} run)

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.date}.

| measure | value | baseline | ratio |
|---|---|---|---|
| keyed PRF, tokens/s (SipHash seed + mixer, h = 2) | ${fmt(core.prf.prfTokensPerSecond)} | HMAC-SHA-256: ${fmt(core.prf.hmacTokensPerSecond)} | ${fmt(core.prf.speedup)}x faster |
| PRF over the whole o200k vocabulary, ms per sampling step | ${fmt(core.vocabularySweep.millisecondsPerStep)} | | |
| tokenizer adapter on Brown prose (${fmt(core.tokenizer.characters)} characters), tokens/s | ${fmt(core.tokenizer.adapterTokensPerSecond)} | plain tiktoken: ${fmt(core.tokenizer.tiktokenTokensPerSecond)} | ${fmt(core.tokenizer.adapterRelativeSpeed)}x |
| one ${fmt(core.longWord.letters)}-letter word, seconds | adapter: ${core.longWord.adapterSeconds.toFixed(4)} | plain tiktoken: ${core.longWord.tiktokenSeconds.toFixed(3)} | ${fmt(core.longWord.speedup)}x faster |
`;
writeFileSync(new URL('summary.md', resultsDir), summary);
console.log(summary);
