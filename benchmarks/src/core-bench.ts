/**
 * Core throughput: the keyed PRF against HMAC-SHA-256 (@noble/hashes) doing the same job,
 * one keyed value per (context window, token); a full-vocabulary PRF sweep (one sampling
 * step over o200k); and the tokenizer adapter against plain tiktoken on Brown prose, the
 * baseline that later detection throughput is compared with; and both on one pathological
 * long "word", where tiktoken's BPE time is quadratic and the adapter's linear.
 */
import { contextSeed, keyFromSecret, prfWord } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { brownText } from '@lineage/testbed';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { get_encoding } from 'tiktoken';
import { bestSeconds } from './measure.js';

export interface CoreBenchResult {
  readonly prf: {
    readonly tokens: number;
    readonly prfTokensPerSecond: number;
    readonly hmacTokensPerSecond: number;
    readonly speedup: number;
  };
  readonly vocabularySweep: { readonly vocabulary: number; readonly millisecondsPerStep: number };
  readonly tokenizer: {
    readonly characters: number;
    readonly tokens: number;
    readonly tiktokenTokensPerSecond: number;
    readonly adapterTokensPerSecond: number;
    readonly adapterRelativeSpeed: number;
  };
  readonly longWord: {
    readonly letters: number;
    readonly tiktokenSeconds: number;
    readonly adapterSeconds: number;
    readonly speedup: number;
  };
}

export function runCoreBench(short: boolean): CoreBenchResult {
  const key = keyFromSecret(new Uint8Array(32).fill(1)).prfKey('provider');
  const count = short ? 100_000 : 1_000_000;
  const tokens = Uint32Array.from({ length: count + 2 }, (_, i) => (Math.imul(i, 2654435761) >>> 0) % 199_998);
  const seed = new Uint32Array(2);
  let sink = 0;
  const prfSeconds = bestSeconds(3, () => {
    for (let i = 2; i < tokens.length; i++) {
      contextSeed(key, tokens, i - 2, 2, seed);
      sink ^= prfWord(seed[0] as number, seed[1] as number, tokens[i] as number);
    }
  });
  const macKey = new Uint8Array(32).fill(2);
  const message = new Uint8Array(12);
  const view = new DataView(message.buffer);
  const hmacCount = Math.floor(count / 10);
  const hmacSeconds = bestSeconds(3, () => {
    for (let i = 2; i < hmacCount + 2; i++) {
      view.setUint32(0, tokens[i - 2] as number, true);
      view.setUint32(4, tokens[i - 1] as number, true);
      view.setUint32(8, tokens[i] as number, true);
      sink ^= hmac(sha256, macKey, message)[0] as number;
    }
  });
  const vocabulary = 199_998;
  const steps = short ? 20 : 200;
  const sweepSeconds = bestSeconds(3, () => {
    for (let s = 0; s < steps; s++) {
      contextSeed(key, tokens, s, 2, seed);
      for (let t = 0; t < vocabulary; t++) sink ^= prfWord(seed[0] as number, seed[1] as number, t);
    }
  });

  const text = brownText('train', short ? 300_000 : 3_000_000);
  const raw = get_encoding('o200k_base');
  const adapter = createTokenizer();
  let tokenCount = 0;
  const rawSeconds = bestSeconds(3, () => {
    tokenCount = raw.encode_ordinary(text).length;
  });
  const adapterSeconds = bestSeconds(3, () => {
    sink ^= adapter.encode(text).length;
  });
  // One pathological pre-token: tiktoken's BPE is quadratic in its length.
  const letters = short ? 10_000 : 50_000;
  const word = 'a'.repeat(letters);
  const longRawSeconds = bestSeconds(1, () => {
    sink ^= raw.encode_ordinary(word).length;
  });
  const longAdapterSeconds = bestSeconds(1, () => {
    sink ^= adapter.encode(word).length;
  });
  raw.free();
  adapter.dispose();
  if (sink === 0.5) console.log(sink); // keep the loops observable to the optimizer

  const prfRate = count / prfSeconds;
  const hmacRate = hmacCount / hmacSeconds;
  return {
    prf: { tokens: count, prfTokensPerSecond: prfRate, hmacTokensPerSecond: hmacRate, speedup: prfRate / hmacRate },
    vocabularySweep: { vocabulary, millisecondsPerStep: (sweepSeconds / steps) * 1000 },
    tokenizer: {
      characters: text.length,
      tokens: tokenCount,
      tiktokenTokensPerSecond: tokenCount / rawSeconds,
      adapterTokensPerSecond: tokenCount / adapterSeconds,
      adapterRelativeSpeed: rawSeconds / adapterSeconds,
    },
    longWord: {
      letters,
      tiktokenSeconds: longRawSeconds,
      adapterSeconds: longAdapterSeconds,
      speedup: longRawSeconds / longAdapterSeconds,
    },
  };
}
