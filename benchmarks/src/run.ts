/**
 * Runs the benchmarks and writes benchmarks/results/<name>.json plus summary.md.
 * `--short` (what CI runs) uses smaller inputs; no result gates CI on absolute times.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { calibrationSummary, runCalibrationBench } from './calibration-bench.js';
import { canaryScanSummary, runCanaryScanBench } from './canary-scan-bench.js';
import { runCoreBench } from './core-bench.js';
import { runGreenListBench } from './green-list-bench.js';
import { runIdentityBench } from './identity-bench.js';
import { ledgerSummary, runLedgerBench } from './ledger-bench.js';
import { lexicalSummary, runLexicalBench } from './lexical.js';
import { proxyLoadSummary, runProxyLoadBench } from './proxy-load-bench.js';
import { robustnessSummary, runRobustnessBench } from './robustness-bench.js';
import { runTestbedBench } from './testbed-bench.js';

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

const testbed = runTestbedBench(short);
writeFileSync(new URL('testbed.json', resultsDir), `${JSON.stringify({ machine, ...testbed }, null, 2)}\n`);

const greenList = runGreenListBench(short);
writeFileSync(new URL('green-list.json', resultsDir), `${JSON.stringify({ machine, ...greenList }, null, 2)}\n`);

const identity = runIdentityBench(short);
writeFileSync(new URL('identity.json', resultsDir), `${JSON.stringify({ machine, ...identity }, null, 2)}\n`);

const lexical = runLexicalBench(short);
writeFileSync(new URL('lexical.json', resultsDir), `${JSON.stringify({ machine, ...lexical }, null, 2)}\n`);

const ledger = runLedgerBench(short);
writeFileSync(new URL('ledger.json', resultsDir), `${JSON.stringify({ machine, ...ledger }, null, 2)}\n`);

const canaryScan = runCanaryScanBench(short);
writeFileSync(new URL('canary-scan.json', resultsDir), `${JSON.stringify({ machine, ...canaryScan }, null, 2)}\n`);

const proxyLoad = await runProxyLoadBench(short);
writeFileSync(new URL('proxy-load.json', resultsDir), `${JSON.stringify({ machine, ...proxyLoad }, null, 2)}\n`);

// Robustness first: calibration's wrong-key tests reuse its marked responses (slow to mark).
const robustness = runRobustnessBench(short);
writeFileSync(new URL('robustness.json', resultsDir), `${JSON.stringify({ machine, ...robustness }, null, 2)}\n`);

const calibration = runCalibrationBench(short);
writeFileSync(new URL('calibration.json', resultsDir), `${JSON.stringify({ machine, ...calibration }, null, 2)}\n`);

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2));
const summary = `# Benchmark summary (${machine.mode} run)

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.date}.

| measure | value | baseline | ratio |
|---|---|---|---|
| keyed PRF, tokens/s (SipHash seed + mixer, h = 2) | ${fmt(core.prf.prfTokensPerSecond)} | HMAC-SHA-256: ${fmt(core.prf.hmacTokensPerSecond)} | ${fmt(core.prf.speedup)}x faster |
| PRF over the whole o200k vocabulary, ms per sampling step | ${fmt(core.vocabularySweep.millisecondsPerStep)} | | |
| tokenizer adapter on Brown prose (${fmt(core.tokenizer.characters)} characters), tokens/s | ${fmt(core.tokenizer.adapterTokensPerSecond)} | plain tiktoken: ${fmt(core.tokenizer.tiktokenTokensPerSecond)} | ${fmt(core.tokenizer.adapterRelativeSpeed)}x |
| one ${fmt(core.longWord.letters)}-letter word, seconds | adapter: ${core.longWord.adapterSeconds.toFixed(4)} | plain tiktoken: ${core.longWord.tiktokenSeconds.toFixed(3)} | ${fmt(core.longWord.speedup)}x faster |

## Testbed models (Brown, o200k_base)

Tokenizing the Brown corpus once: ${testbed.tokenizeSeconds.toFixed(2)} s.

| measure | value | baseline | ratio |
|---|---|---|---|
${testbed.training.map((t) => `| train order ${t.order} on ${fmt(t.tokens)} tokens (${fmt(t.ngrams)} n-grams), seconds | ${t.seconds.toFixed(2)} | budget 30 s | ${t.ofBudget.toFixed(3)} of budget |`).join('\n')}
${testbed.perplexity.map((p) => `| held-out perplexity, order ${p.order} | ${fmt(p.perplexity)} | unigram ${fmt(testbed.perplexity[0]?.perplexity ?? 0)} | ${p.unigramRatio.toFixed(3)} |`).join('\n')}
${testbed.generation.map((g) => `| generation, ${g.mode}, tokens/s | ${fmt(g.tokensPerSecond)} | goal 5,000 | ${fmt(g.ofGoal)}x |`).join('\n')}
| order-4 model file, bytes (per n-gram) | ${fmt(testbed.modelFile.bytes)} (${testbed.modelFile.bytesPerNgram.toFixed(1)}) | | |
| order-4 model file, parse + validate seconds | ${testbed.modelFile.loadSeconds.toFixed(2)} | | |

## Green list

| measure | value | baseline | ratio |
|---|---|---|---|
| processLogits over ${fmt(greenList.processLogits.vocabulary)} logits, median ms per step | ${greenList.processLogits.medianMs.toFixed(3)} | reading the logits once: ${greenList.processLogits.readOnceMs.toFixed(3)} ms | ${greenList.processLogits.ratio.toFixed(1)}x |
| detect Brown prose (${fmt(greenList.detectText.characters)} characters, tokenizing included), tokens/s | ${fmt(greenList.detectText.detectTokensPerSecond)} | plain tiktoken encoding: ${fmt(greenList.detectText.tiktokenTokensPerSecond)} | ${greenList.detectText.relativeSpeed.toFixed(2)}x |
| the same, tokenizing alone / scoring the ids alone, seconds | ${greenList.detectText.tokenizeSeconds.toFixed(2)} / ${greenList.detectText.scoreSeconds.toFixed(2)} | | |

## Identity decoding (${fmt(identity.tokens)} marked tokens, green list)

| registered accounts | directory build, s | decodeIdentity, ms | relative to 10 accounts | status |
|---|---|---|---|---|
${identity.decoding.map((d) => `| ${d.accounts.toLocaleString('en-US')} | ${d.buildSeconds.toFixed(2)} | ${d.decodeMs.toFixed(2)} | ${d.relativeToTen.toFixed(2)}x | ${d.status} |`).join('\n')}

${lexicalSummary(lexical)}
${ledgerSummary(ledger)}
${canaryScanSummary(canaryScan)}
${proxyLoadSummary(proxyLoad)}
${calibrationSummary(calibration)}
${robustnessSummary(robustness)}`;
writeFileSync(new URL('summary.md', resultsDir), summary);
console.log(summary);
console.log(`Results: ${new URL('lexical.json', resultsDir).pathname} (and the other JSON files there).`);
