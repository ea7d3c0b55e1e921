import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { addCampaignToKeyFile, createKeyFile } from '@lineage/core';
import { openSqliteLedger } from '@lineage/embed/ledger';
import { addAccount, flagAccount } from '@lineage/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error.js';
import { serve } from './serve.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-serve-'));
const keyPath = join(dir, 'key.json');
const accountsPath = join(dir, 'accounts.json');
const TEXT = 'The old man said that he would begin the long journey home, and he thought it was a big house.';
let upstream: Server;
let upstreamUrl: string;
let apiKey: string;
const upstreamAuth: (string | undefined)[] = [];

beforeAll(async () => {
  createKeyFile({ path: keyPath });
  apiKey = addAccount(accountsPath, { accountId: 'acct-1' }).apiKey;
  upstream = createServer((req, res) => {
    upstreamAuth.push(req.headers.authorization);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 0,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { io: { stdin: Readable.from([]), stdout, stderr }, out: () => out, err: () => err };
}

async function firstLine(read: () => string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const text = read();
    if (text.includes('\n')) return text.slice(0, text.indexOf('\n'));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no URL printed');
}

describe('lineage serve', () => {
  it('prints the base URL first, marks answers, logs JSON events, records canaries, and stops cleanly', async () => {
    const streams = io();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    process.env.LINEAGE_TEST_UPSTREAM_KEY = 'upstream-secret';
    const ledgerPath = join(dir, 'ledger.db');
    const run = serve(
      [
        '--upstream',
        upstreamUrl,
        '--key',
        keyPath,
        '--accounts',
        accountsPath,
        '--port',
        '0',
        '--ledger',
        ledgerPath,
        '--canary-rate',
        '1',
        '--upstream-key-env',
        'LINEAGE_TEST_UPSTREAM_KEY',
      ],
      streams.io,
      stopped,
    );
    const url = await firstLine(streams.out);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const post = (key: string) =>
      fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Say something.' }] }),
      });
    const completion = (await (await post(apiKey)).json()) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]?.message.content).not.toBe(TEXT);
    expect((await post('lsk_wrong')).status).toBe(401);
    stop();
    expect(await run).toBe(0);
    expect(upstreamAuth).toEqual(['Bearer upstream-secret']);
    const events = streams
      .err()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.filter((e) => e.event === 'request').map((e) => e.status)).toEqual([200, 401]);
    expect(events.find((e) => e.event === 'request')).toMatchObject({ accountId: 'acct-1', canary: true });
    expect(streams.err()).not.toContain(apiKey);
    expect(streams.err()).not.toContain('upstream-secret');
    const ledger = openSqliteLedger(ledgerPath, { readonly: true });
    try {
      expect(ledger.size()).toBe(1);
    } finally {
      ledger.close();
    }
  });

  it('applies --flagged-rate to accounts in a campaign (also after a live flag), --canary-cap and --opt-out', async () => {
    const streams = io();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const accounts = join(dir, 'canary-accounts.json');
    const plain = addAccount(accounts, { accountId: 'plain' }).apiKey;
    const flagged = addAccount(accounts, { accountId: 'flagged', campaignId: 'camp-1' }).apiKey;
    const optedOut = addAccount(accounts, { accountId: 'quiet', campaignId: 'camp-1' }).apiKey;
    addCampaignToKeyFile(keyPath, 'camp-1');
    const optOutPath = join(dir, 'opt-out.txt');
    writeFileSync(optOutPath, '# accounts that asked for no canaries\nquiet\n\n');
    const ledgerPath = join(dir, 'flagged-ledger.db');
    const run = serve(
      [
        ...['--upstream', upstreamUrl, '--key', keyPath, '--accounts', accounts, '--ledger', ledgerPath],
        ...['--canary-rate', '0', '--flagged-rate', '1', '--canary-cap', '1', '--opt-out', optOutPath],
      ],
      streams.io,
      stopped,
    );
    const url = await firstLine(streams.out);
    const post = async (key: string, prompt: string) => {
      const response = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: prompt }] }),
      });
      expect(response.status).toBe(200);
    };
    await post(plain, 'One.');
    await post(flagged, 'Two.');
    await post(flagged, 'Three.'); // over the cap of 1 per day
    await post(optedOut, 'Four.');
    flagAccount(accounts, 'plain', 'camp-1');
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the accounts file's reload interval
    await post(plain, 'Five.');
    stop();
    expect(await run).toBe(0);
    const events = streams
      .err()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ event: 'listening', canaryRate: 0, flaggedRate: 1, canaryCap: 1, optedOut: 1 });
    expect(events.filter((e) => e.event === 'request').map((e) => e.canary)).toEqual([false, true, false, false, true]);
    const ledger = openSqliteLedger(ledgerPath, { readonly: true });
    try {
      expect([...ledger.entries()].map((r) => [r.accountId, r.campaignId])).toEqual([
        ['flagged', 'camp-1'],
        ['plain', 'camp-1'],
      ]);
    } finally {
      ledger.close();
    }
  });

  it('rejects bad canary options', async () => {
    const streams = io();
    const never = new Promise<void>(() => {});
    const base = ['--upstream', upstreamUrl, '--key', keyPath, '--accounts', accountsPath];
    const ledger = ['--ledger', join(dir, 'unused.db'), '--canary-rate', '0.1'];
    const badOptOut = join(dir, 'bad-opt-out.txt');
    writeFileSync(badOptOut, 'fine\nnot an id\n');
    for (const [args, message] of [
      [[...base, '--flagged-rate', '0.5'], /only applies with --canary-rate/],
      [[...base, '--canary-cap', '3'], /only applies with --canary-rate/],
      [[...base, ...ledger, '--flagged-rate', '1.5'], /--flagged-rate must be in \[0, 1\]/],
      [[...base, ...ledger, '--flagged-rate', '0.05'], /must be at least --canary-rate/],
      [[...base, ...ledger, '--canary-cap=-1'], /--canary-cap must be an integer/],
      [[...base, ...ledger, '--canary-cap', '2.5'], /--canary-cap must be an integer/],
      [[...base, ...ledger, '--opt-out', join(dir, 'missing.txt')], /cannot be read \(ENOENT\)/],
      [[...base, ...ledger, '--opt-out', badOptOut], /line 2 is not an account id/],
    ] as const) {
      await expect(serve(args, streams.io, never)).rejects.toThrow(UsageError);
      await expect(serve(args, streams.io, never)).rejects.toThrow(message);
    }
  });

  it('rejects bad usage', async () => {
    const streams = io();
    const never = new Promise<void>(() => {});
    await expect(serve(['--key', keyPath, '--accounts', accountsPath], streams.io, never)).rejects.toThrow(UsageError);
    await expect(
      serve(['--upstream', upstreamUrl, '--key', keyPath, '--accounts', accountsPath, '--canary-rate', '0.5'], streams.io, never),
    ).rejects.toThrow(/--ledger/);
    await expect(
      serve(['--upstream', upstreamUrl, '--key', keyPath, '--accounts', accountsPath, '--port', '70000'], streams.io, never),
    ).rejects.toThrow(/--port/);
    await expect(
      serve(
        ['--upstream', upstreamUrl, '--key', keyPath, '--accounts', accountsPath, '--upstream-key-env', 'LINEAGE_SURELY_UNSET_VAR'],
        streams.io,
        never,
      ),
    ).rejects.toThrow(/not set/);
  });
});
