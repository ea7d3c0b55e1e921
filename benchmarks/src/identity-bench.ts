/**
 * Identity decoding against the number of registered accounts: the same marked text decoded
 * with directories of 10 up to 1,000,000 accounts. Decoding is O(tokens × radix) plus one
 * map lookup, so the time should stay flat; building the directory is O(accounts), once.
 */
import { keyFromSecret, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { AccountDirectory, decodeIdentity } from '@lineage/detect';
import { GreenListMarker } from '@lineage/embed/logits';
import { bestSeconds } from './measure.js';

export interface IdentityBenchResult {
  readonly tokens: number;
  readonly decoding: readonly {
    readonly accounts: number;
    readonly buildSeconds: number;
    readonly decodeMs: number;
    readonly relativeToTen: number;
    readonly status: string;
  }[];
}

export function runIdentityBench(short: boolean): IdentityBenchResult {
  const key = keyFromSecret(new Uint8Array(32).fill(71));
  const marker = new GreenListMarker({ key, accountId: 'acct-7' });
  const random = new SeededRandom('identity-bench');
  const draw = () => random.nextInt(2000) * 50;
  const tokens = [draw(), draw()];
  while (tokens.length < 4000) tokens.push(marker.sampleWithDraw(draw, tokens, random));
  if (Math.max(...tokens) >= ORDINARY_VOCAB_SIZE[key.tokenizer]) throw new Error('unreachable: ids are in the vocabulary');
  const sizes = short ? [10, 1_000, 100_000] : [10, 1_000, 100_000, 1_000_000];
  const decoding: IdentityBenchResult['decoding'][number][] = [];
  for (const size of sizes) {
    const ids = Array.from({ length: size }, (_, i) => `acct-${i}`);
    const start = process.hrtime.bigint();
    const directory = new AccountDirectory(key, ids);
    const buildSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    let status = '';
    const seconds = bestSeconds(5, () => {
      status = decodeIdentity({ key, scheme: 'kgw', texts: [tokens], accounts: directory }).status;
    });
    decoding.push({ accounts: size, buildSeconds, decodeMs: seconds * 1000, relativeToTen: 0, status });
  }
  const base = decoding[0]?.decodeMs ?? 1;
  return { tokens: tokens.length, decoding: decoding.map((d) => ({ ...d, relativeToTen: d.decodeMs / base })) };
}
