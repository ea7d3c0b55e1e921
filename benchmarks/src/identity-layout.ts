/**
 * Why the identity code is 12 base-16 digits: on synthetic text of 11 bits per token (a flat
 * distribution over 2,000 tokens), marked with the green list, the share of 100 texts per
 * length whose 48-bit code decodes to the right account among 1,000, for three layouts of
 * the same 48 bits. Run: pnpm --filter @lineage/benchmarks run identity-layout (seconds).
 */
import { keyFromSecret, SeededRandom } from '@lineage/core';
import { AccountDirectory, decodeIdentity } from '@lineage/detect';
import { GreenListMarker } from '@lineage/embed/logits';

const SAMPLES = 100;
const accounts = Array.from({ length: 1000 }, (_, i) => `acct-${i}`);
for (const [digits, digitBits] of [
  [12, 4],
  [16, 3],
  [24, 2],
] as const) {
  const key = keyFromSecret(new Uint8Array(32).fill(21), { schemes: { identity: { fraction: 0.25, digits, digitBits } } });
  const directory = new AccountDirectory(key, accounts);
  const marker = new GreenListMarker({ key, accountId: 'acct-417' });
  const row: Record<string, number> = {};
  for (const length of [400, 800, 1200, 2000]) {
    let decoded = 0;
    for (let s = 0; s < SAMPLES; s++) {
      const random = new SeededRandom(`layout-${s}`);
      const draw = () => random.nextInt(2000) * 50;
      const tokens = [draw(), draw()];
      while (tokens.length < length) tokens.push(marker.sampleWithDraw(draw, tokens, random));
      if (decodeIdentity({ key, scheme: 'kgw', texts: [tokens], accounts: directory }).account === 'acct-417') decoded++;
    }
    row[`${length} tokens`] = decoded / SAMPLES;
  }
  console.log(`${digits} digits x ${digitBits} bits`, row);
}
