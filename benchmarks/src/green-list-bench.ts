/**
 * Green list (issue 4's first slice): processLogits over the whole o200k vocabulary against
 * the cost of just reading the logits once (the floor any full-vocabulary pass pays), and
 * detection of Brown prose (tokenizing included) against plain tiktoken encoding of the
 * same text, both timed in this run.
 */
import { keyFromSecret, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectGreenList } from '@lineage/detect';
import { GreenListMarker } from '@lineage/embed/logits';
import { brownText } from '@lineage/testbed';
import { get_encoding } from 'tiktoken';
import { bestSeconds } from './measure.js';

export interface GreenListBenchResult {
  readonly processLogits: { readonly vocabulary: number; readonly medianMs: number; readonly readOnceMs: number; readonly ratio: number };
  readonly detectText: {
    readonly characters: number;
    readonly detectTokensPerSecond: number;
    readonly tiktokenTokensPerSecond: number;
    readonly relativeSpeed: number;
    /** The two parts of detection, timed alone: tokenizing, and scoring the token ids. */
    readonly tokenizeSeconds: number;
    readonly scoreSeconds: number;
  };
}

export function runGreenListBench(short: boolean): GreenListBenchResult {
  const key = keyFromSecret(new Uint8Array(32).fill(5));
  const marker = new GreenListMarker({ key, accountId: 'acct-1' });
  const vocabulary = marker.vocabSize;
  const logits = new Float32Array(vocabulary);
  const random = new SeededRandom('bench');
  for (let i = 0; i < vocabulary; i++) logits[i] = random.next() * 10 - 5;
  const steps = short ? 100 : 500;
  const times: number[] = [];
  const context = [1, 2, 3, 4];
  for (let i = 0; i < steps + 50; i++) {
    context[3] = i;
    const start = process.hrtime.bigint();
    marker.processLogits(logits, context);
    if (i >= 50) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  let sink = 0;
  const readOnce = bestSeconds(20, () => {
    let sum = 0;
    for (let i = 0; i < vocabulary; i++) sum += logits[i] as number;
    sink += sum; // keeps the loop from being optimised away
  });
  if (Number.isNaN(sink)) throw new Error('unreachable: logits are finite');

  const text = brownText('train', short ? 300_000 : 3_000_000);
  using tokenizer = createTokenizer();
  const tokenCount = tokenizer.encode(text).length;
  const detectSeconds = bestSeconds(3, () => {
    detectGreenList({ key, texts: [tokenizer.encode(text)] });
  });
  const tokenizeSeconds = bestSeconds(3, () => {
    tokenizer.encode(text);
  });
  const ids = tokenizer.encode(text);
  const scoreSeconds = bestSeconds(3, () => {
    detectGreenList({ key, texts: [ids] });
  });
  const tiktoken = get_encoding('o200k_base');
  const tiktokenSeconds = bestSeconds(3, () => {
    tiktoken.encode_ordinary(text);
  });
  tiktoken.free();
  const medianMs = times[Math.floor(times.length / 2)] as number;
  return {
    processLogits: { vocabulary, medianMs, readOnceMs: readOnce * 1000, ratio: medianMs / (readOnce * 1000) },
    detectText: {
      characters: text.length,
      detectTokensPerSecond: tokenCount / detectSeconds,
      tiktokenTokensPerSecond: tokenCount / tiktokenSeconds,
      relativeSpeed: tiktokenSeconds / detectSeconds,
      tokenizeSeconds,
      scoreSeconds,
    },
  };
}
