import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { CanaryMarker, type CanaryOutcome } from './canary-marker.js';

const key = keyFromSecret(new Uint8Array(32).fill(13));
const ANSWER = 'Rivers carry water to the sea.\n\nThey shape valleys over long spans of time.';
const dir = mkdtempSync(join(tmpdir(), 'lineage-canary-marker-'));

async function streamed(marker: CanaryMarker, prompt: string, chunks: string[]): Promise<{ text: string; outcome: CanaryOutcome }> {
  let outcome: CanaryOutcome = {};
  const stream = marker.stream({ accountId: 'acct-1', prompt }, (o) => {
    outcome = o;
  });
  const writer = stream.writable.getWriter();
  const reading = (async () => {
    let text = '';
    for await (const piece of stream.readable) text += piece;
    return text;
  })();
  for (const chunk of chunks) await writer.write(chunk);
  await writer.close();
  return { text: await reading, outcome };
}

describe('canary marker', () => {
  it('inserts, records what it inserted in the ledger, and leaves unchosen responses alone', () => {
    const ledger = openSqliteLedger(join(dir, 'a.db'));
    const marker = new CanaryMarker({ key, ledger, rate: 1, now: () => 1_700_000_000_000 });
    const result = marker.mark({ accountId: 'acct-1', campaignId: 'hydra', prompt: 'Tell me about rivers.', text: ANSWER });
    expect(result.canary).toBeDefined();
    expect(result.method).toBe('aside');
    expect(result.text).toContain(result.canary);
    expect(result.text.replace(/\n\n[^\n]*\n\n/, '\n\n')).toBe(ANSWER);
    expect([...ledger.entries()]).toEqual([
      {
        accountId: 'acct-1',
        campaignId: 'hydra',
        prompt: 'Tell me about rivers.',
        promptHash: marker.policy.drawer.promptHash('Tell me about rivers.'),
        canary: result.canary,
        time: 1_700_000_000_000,
        keyId: key.keyId,
      },
    ]);
    expect(marker.mark({ accountId: 'acct-1', prompt: 'Empty', text: '   ' })).toEqual({ text: '   ', skipped: 'no-place' });
    const never = new CanaryMarker({ key, ledger, rate: 0 });
    expect(never.mark({ accountId: 'acct-1', prompt: 'x', text: ANSWER })).toEqual({ text: ANSWER, skipped: 'not-chosen' });
    expect(ledger.size()).toBe(1);
    ledger.close();
  });

  it('streams to the one-shot output and records the canary when the stream ends', async () => {
    const ledger = openSqliteLedger(join(dir, 'b.db'));
    const marker = new CanaryMarker({ key, ledger, rate: 1 });
    const oneShot = new CanaryMarker({ key, rate: 1 }).mark({ accountId: 'acct-1', prompt: 'p', text: ANSWER });
    const { text, outcome } = await streamed(marker, 'p', ANSWER.split(/(?<= )/));
    expect(text).toBe(oneShot.text);
    expect(outcome).toEqual({ canary: oneShot.canary, method: 'aside' });
    expect(ledger.size()).toBe(1);
    const skipped = await streamed(new CanaryMarker({ key, ledger, rate: 0 }), 'p', [ANSWER]);
    expect(skipped).toEqual({ text: ANSWER, outcome: { skipped: 'not-chosen' } });
    expect(ledger.size()).toBe(1);
    ledger.close();
  });

  it('counts the daily cap in the ledger, across marker instances', () => {
    const ledger = openSqliteLedger(join(dir, 'c.db'));
    const make = () => new CanaryMarker({ key, ledger, rate: 1, capPerDay: 2 });
    const outcomes = [make(), make(), make()].map((m, i) => m.mark({ accountId: 'acct-9', prompt: `q${i}`, text: ANSWER }));
    expect(outcomes.map((o) => o.skipped ?? 'inserted')).toEqual(['inserted', 'inserted', 'cap-reached']);
    expect(make().mark({ accountId: 'acct-10', prompt: 'q', text: ANSWER }).canary).toBeDefined();
    ledger.close();
  });
});

describe('canary marker, failure paths', () => {
  it('records a streamed canary before the chunk that completes it, even if the client then goes away', async () => {
    const ledger = openSqliteLedger(join(dir, 'd.db'));
    const marker = new CanaryMarker({ key, ledger, rate: 1 });
    const stream = marker.stream({ accountId: 'acct-2', prompt: 'p' });
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    void writer.write(`${ANSWER.split('\n\n')[0]}\n\nMore text follows here`);
    let received = '';
    const canary = marker.policy.drawer.draw('acct-2', 'p').canary.text;
    while (!received.includes(canary)) received += (await reader.read()).value ?? '';
    expect(ledger.size()).toBe(1);
    await reader.cancel();
    ledger.close();
  });

  it('stores a prompt with a lone surrogate, made well-formed, instead of failing the response', () => {
    const ledger = openSqliteLedger(join(dir, 'e.db'));
    const marker = new CanaryMarker({ key, ledger, rate: 1 });
    const result = marker.mark({ accountId: 'acct-3', prompt: 'bad \ud800 prompt', text: ANSWER });
    expect(result.canary).toBeDefined();
    expect([...ledger.entries()][0]?.prompt).toBe('bad \ufffd prompt');
    ledger.close();
  });
});
