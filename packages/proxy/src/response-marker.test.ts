import { keyFromSecret } from '@lineage/core';
import { CanaryMarker } from '@lineage/embed/canary';
import type { CanaryRecord } from '@lineage/embed/ledger';
import { brownParagraphs } from '@lineage/testbed';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResponseMarker } from './response-marker.js';

const key = keyFromSecret(new Uint8Array(32).fill(11));
const texts = brownParagraphs('heldout').slice(0, 20);

function memoryLedger(records: CanaryRecord[]) {
  return {
    promptStorage: 'text' as const,
    record: (entry: CanaryRecord) => void records.push(entry),
    recordMany: () => {},
    countForAccountSince: () => 0,
    entries: () => records.values(),
    size: () => records.length,
    close: () => {},
  };
}

async function piped(marker: ResponseMarker, text: string, cuts: number[]): Promise<string> {
  const pipeline = marker.pipeline({ accountId: 'acct-1' }, 'a prompt');
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let out = '';
  let at = 0;
  for (const point of [...points, text.length]) {
    out += await pipeline.push(text.slice(at, point));
    at = point;
  }
  return out + (await pipeline.end());
}

describe('ResponseMarker', () => {
  it('streams exactly what it marks whole, for any chunking, without canaries', async () => {
    const marker = new ResponseMarker({ key });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...texts), fc.array(fc.nat(), { maxLength: 30 }), async (text, cuts) => {
        expect(await piped(marker, text, cuts)).toBe(marker.mark({ accountId: 'acct-1' }, 'a prompt', text).text);
      }),
      { numRuns: 60 },
    );
  });

  it('streams exactly what it marks whole with canaries at rate 1, and records each once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...texts), fc.array(fc.nat(), { maxLength: 30 }), async (text, cuts) => {
        const wholeRecords: CanaryRecord[] = [];
        const streamRecords: CanaryRecord[] = [];
        const whole = new ResponseMarker({
          key,
          canaries: { marker: new CanaryMarker({ key, rate: 1, capPerDay: 1e6, ledger: memoryLedger(wholeRecords) }) },
        });
        const streamed = new ResponseMarker({
          key,
          canaries: { marker: new CanaryMarker({ key, rate: 1, capPerDay: 1e6, ledger: memoryLedger(streamRecords) }) },
        });
        const expected = whole.mark({ accountId: 'acct-1' }, 'a prompt', text);
        expect(await piped(streamed, text, cuts)).toBe(expected.text);
        expect(streamRecords.map((r) => r.canary)).toEqual(wholeRecords.map((r) => r.canary));
        expect(expected.canary).toBe(wholeRecords.length === 1);
      }),
      { numRuns: 40 },
    );
  });
});
