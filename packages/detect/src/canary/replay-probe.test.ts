import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keyFromSecret } from '@lineage/core';
import { CanaryDrawer } from '@lineage/core/canary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../probe/chat-client.js';
import { CanaryScanner } from './canary-scanner.js';
import { type ReplayCandidate, replayProbe, selectReplayPrompts } from './replay-probe.js';

const drawer = new CanaryDrawer(keyFromSecret(new Uint8Array(32).fill(11)));

function entry(accountId: string, prompt: string, time: number, campaignId?: string): ReplayCandidate {
  const draw = drawer.draw(accountId, prompt);
  return {
    canary: draw.canary.text,
    accountId,
    ...(campaignId === undefined ? {} : { campaignId }),
    promptHash: draw.promptHash,
    keyId: drawer.keyId,
    prompt,
    time,
  };
}

const ledger: ReplayCandidate[] = [
  entry('alice', 'Explain tides.', 3),
  entry('alice', 'Explain tides.', 4), // the same draw again
  entry('alice', 'Write about rivers.', 1),
  entry('alice', 'Write about lakes.', 2),
  entry('alice', 'Write about seas.', 9),
  entry('bob', 'Describe a harbor.', 5),
  entry('h1', 'Tell a story about ships.', 6, 'hydra'),
  entry('h2', 'Tell a story about boats.', 7, 'hydra'),
  (({ prompt: _, ...rest }) => rest)(entry('carol', 'Hidden prompt.', 8)),
];

/** A suspect that memorised the canaries of hydra's prompts and of one of alice's, and fails on one prompt. */
let server: Server;
let baseUrl = '';
beforeAll(async () => {
  const memorised = new Map(
    ledger.filter((e) => e.campaignId === 'hydra' || e.prompt === 'Write about rivers.').map((e) => [e.prompt, e.canary]),
  );
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const prompt = JSON.parse(body).messages[0].content as string;
      if (prompt === 'Describe a harbor.') {
        res.writeHead(503).end();
        return;
      }
      if (prompt === 'Describe a lighthouse.') {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'prompt refused' } }));
        return;
      }
      if (prompt.startsWith('Shorten this:')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: prompt.slice(14) } }] }));
        return;
      }
      const canary = memorised.get(prompt);
      const content = canary ? `Here is an answer.\n\nAs ${canary} likes to say, check each step.` : 'Here is a plain answer.';
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('canary replay probe', () => {
  it('picks the earliest distinct prompts per account or campaign and skips hash-only entries', () => {
    const selection = selectReplayPrompts(ledger, { perGroup: 2 });
    expect(selection.groups).toBe(3);
    expect(selection.withoutPrompt).toBe(1);
    expect(selection.prompts.map((p) => `${p.campaignId ?? p.accountId}: ${p.prompt}`)).toEqual([
      'alice: Write about rivers.',
      'alice: Write about lakes.',
      'bob: Describe a harbor.',
      'hydra: Tell a story about ships.',
      'hydra: Tell a story about boats.',
    ]);
    expect(() => selectReplayPrompts(ledger, { perGroup: 0 })).toThrow(/perGroup/);
  });

  it('asks the suspect, finds the reproduced canaries per group, counts failures, and gives an exact p-value', async () => {
    const scanner = new CanaryScanner(ledger);
    const client = new ChatClient({ baseUrl, model: 'suspect', maxRetries: 1, sleep: async () => {} });
    const seen: number[] = [];
    const report = await replayProbe({
      client,
      scanner,
      prompts: selectReplayPrompts(ledger, { perGroup: 2 }).prompts,
      concurrency: 2,
      onAnswer: (_, done) => seen.push(done),
    });
    expect(report.asked).toBe(5);
    expect(report.failed).toBe(1);
    expect(report.answered).toBe(4);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(report.groups).toEqual([
      { account: 'alice', asked: 2, reproduced: 1 },
      { account: 'bob', asked: 1, reproduced: 0 },
      { campaign: 'hydra', asked: 2, reproduced: 2 },
    ]);
    expect(report.scan.hits.map((h) => h.account).sort()).toEqual(['alice', 'h1', 'h2']);
    expect(report.scan.draws).toBe(8);
    expect(report.scan.shapedWindows).toBe(3);
    // Three of 8 draws land on 3 windows out of 2^44: about C(8,3)(3/2^44)^3.
    expect(report.scan.log10P).toBeLessThan(-35);
  });

  it('does not count a canary a clean suspect copies from a prompt, and a refused prompt fails alone', async () => {
    const quoted = ledger[0] as ReplayCandidate;
    const follow = entry('dave', `Shorten this: As ${quoted.canary} likes to say, check each step.`, 10);
    const all = [...ledger, follow, entry('erin', 'Describe a lighthouse.', 11)];
    const scanner = new CanaryScanner(all);
    const client = new ChatClient({ baseUrl, model: 'echo', maxRetries: 0, sleep: async () => {} });
    const prompts = [follow, all[all.length - 1] as ReplayCandidate].map((e) => ({
      prompt: e.prompt as string,
      accountId: e.accountId,
      canary: e.canary,
    }));
    const report = await replayProbe({ client, scanner, prompts });
    expect(report.failed).toBe(1);
    expect(report.answers[1]?.error).toMatch(/prompt refused/);
    expect(report.answers[0]?.answer).toContain(quoted.canary);
    expect(report.scan.hits).toEqual([]);
    expect(report.scan.excludedDraws).toBe(1);
    expect(report.scan.draws).toBe(scanner.draws - 1);
    expect(report.scan.shapedWindows).toBe(1);
    expect(report.scan.pValue).toBe(1);
  });
});
