/**
 * Canary scanning throughput: one pass over Brown prose (repeated to the target size, with
 * ledgered canaries written in every 64 KiB) against a ledger of 1,000 canaries and against a
 * large one. The goals: at least 50 MB/s per core, and the large ledger within 1.5x of the time
 * of the small one (time flat in the number of canaries).
 */
import { SeededRandom } from '@lineage/core';
import { CANARY_SPACE_SIZE, canarySpace } from '@lineage/core/canary';
import { CanaryScanner, type LedgeredCanary } from '@lineage/detect/canary';
import { brownDocumentTexts } from '@lineage/testbed';
import { bestSeconds } from './measure.js';

export interface CanaryScanBench {
  readonly megabytes: number;
  readonly smallLedger: {
    readonly canaries: number;
    readonly buildSeconds: number;
    readonly seconds: number;
    readonly megabytesPerSecond: number;
  };
  readonly largeLedger: {
    readonly canaries: number;
    readonly buildSeconds: number;
    readonly seconds: number;
    readonly megabytesPerSecond: number;
  };
  /** large-ledger time / small-ledger time (goal: at most 1.5). */
  readonly timeRatio: number;
  readonly goalMegabytesPerSecond: 50;
  readonly hitsFound: number;
  readonly hitsPlanted: number;
}

function ledger(count: number, random: SeededRandom): LedgeredCanary[] {
  const space = canarySpace();
  return Array.from({ length: count }, (_, i) => ({
    canary: space.canaryAt(Math.floor((random.nextUint32() * 2 ** 12 + (random.nextUint32() >>> 20)) % CANARY_SPACE_SIZE)).text,
    accountId: `acct-${i % 24_000}`,
    promptHash: i.toString(16).padStart(64, '0'),
    keyId: 'bench',
  }));
}

export function runCanaryScanBench(short: boolean): CanaryScanBench {
  const random = new SeededRandom('bench/canary-scan');
  const small = ledger(1_000, random);
  const largeCount = short ? 100_000 : 1_000_000;
  const large = [...small, ...ledger(largeCount - small.length, random)];
  const prose = brownDocumentTexts('heldout').join('\n\n');
  const target = (short ? 10 : 100) * 1e6;
  const pieces: string[] = [];
  let length = 0;
  let planted = 0;
  while (length < target) {
    for (let at = 0; at < prose.length && length < target; at += 65_536) {
      const piece = `${prose.slice(at, at + 65_536)} As ${(small[planted % small.length] as LedgeredCanary).canary} likes to say, check. `;
      planted++;
      pieces.push(piece);
      length += piece.length;
    }
  }
  const text = pieces.join('');
  const megabytes = text.length / 1e6;
  const measure = (entries: LedgeredCanary[]) => {
    const start = process.hrtime.bigint();
    const scanner = new CanaryScanner(entries);
    const buildSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    let found = 0;
    const seconds = bestSeconds(short ? 1 : 2, () => {
      found = scanner.scan(text).hits.reduce((n, h) => n + h.occurrences, 0);
    });
    return { canaries: entries.length, buildSeconds, seconds, megabytesPerSecond: megabytes / seconds, found };
  };
  const { found, ...smallLedger } = measure(small);
  const { found: largeFound, ...largeLedger } = measure(large);
  if (found !== planted || largeFound !== planted)
    throw new Error(`canary scan found ${found} / ${largeFound} of ${planted} planted canaries`);
  return {
    megabytes,
    smallLedger,
    largeLedger,
    timeRatio: largeLedger.seconds / smallLedger.seconds,
    goalMegabytesPerSecond: 50,
    hitsFound: found,
    hitsPlanted: planted,
  };
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(runCanaryScanBench(process.argv.includes('--short')), null, 2));

export function canaryScanSummary(r: CanaryScanBench): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `## Canary scanning (${r.megabytes.toFixed(0)} MB of Brown prose, ${n(r.hitsPlanted)} canaries planted, all found)

| measure | value | baseline | ratio |
|---|---|---|---|
| scan MB/s, ${n(r.smallLedger.canaries)} ledgered canaries | ${r.smallLedger.megabytesPerSecond.toFixed(1)} | goal ${r.goalMegabytesPerSecond} | ${(r.smallLedger.megabytesPerSecond / r.goalMegabytesPerSecond).toFixed(2)}x |
| scan MB/s, ${n(r.largeLedger.canaries)} ledgered canaries | ${r.largeLedger.megabytesPerSecond.toFixed(1)} | goal ${r.goalMegabytesPerSecond} | ${(r.largeLedger.megabytesPerSecond / r.goalMegabytesPerSecond).toFixed(2)}x |
| scan time, large ledger / small ledger | ${r.timeRatio.toFixed(2)} | goal at most 1.5 | |
| building the scanner, seconds (small / large ledger) | ${r.smallLedger.buildSeconds.toFixed(2)} / ${r.largeLedger.buildSeconds.toFixed(2)} | | |
`;
}
