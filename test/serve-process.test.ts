/**
 * `lineage serve` as a real process, the way an operator runs it: a key file, an accounts file
 * made by `lineage accounts add --json`, the base URL read from the first stdout line, JSON logs
 * on stderr. SIGTERM lets an open stream finish ([DONE] arrives), refuses new connections and
 * exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFile, loadKeyFile } from '@lineage/core';
import { LexicalMarker } from '@lineage/embed/text';
import { brownParagraphs } from '@lineage/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot, runLineage } from './run-lineage.js';

const TEXT = brownParagraphs('heldout').slice(0, 6).join('\n\n');
const PROMPT = 'Tell me a secret story about the harbour';
const dir = mkdtempSync(join(tmpdir(), 'lineage-serve-process-'));
const keyPath = join(dir, 'key.json');
const accountsPath = join(dir, 'accounts.json');
let upstream: Server;
let upstreamUrl: string;
let apiKey: string;
/** Milliseconds between streamed chunks; the shutdown test slows the stream down. */
let chunkDelayMs = 0;

/** A fake OpenAI upstream that streams TEXT in 40-character chunks, `chunkDelayMs` apart. */
function slowUpstream(): Server {
  return createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', async () => {
      const body = JSON.parse(raw) as { stream?: boolean };
      const base = { id: 'chatcmpl-1', created: 1, model: 'fake', object: 'chat.completion.chunk' };
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }],
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let at = 0; at < TEXT.length; at += 40) {
        if (res.destroyed) return;
        res.write(
          `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: TEXT.slice(at, at + 40) }, finish_reason: null }] })}\n\n`,
        );
        if (chunkDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, chunkDelayMs));
      }
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
}

interface Serving {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startServe(args: readonly string[] = []): Promise<Serving> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@lineage/source',
      '--import',
      'tsx',
      'packages/cli/src/bin.ts',
      'serve',
      '--upstream',
      upstreamUrl,
      '--key',
      keyPath,
      '--accounts',
      accountsPath,
      '--port',
      '0',
      ...args,
    ],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve({ child, url: out.slice(0, newline), stderr: () => err, exited });
    });
    void exited.then((code) => reject(new Error(`lineage serve exited ${code} before listening: ${err}`)));
  });
}

function chat(url: string, key: string, stream: boolean): Promise<Response> {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fake', stream, messages: [{ role: 'user', content: PROMPT }] }),
  });
}

/** The content and whether [DONE] arrived, from an SSE body. */
async function readStream(response: Response): Promise<{ text: string; done: boolean }> {
  const raw = await response.text();
  let text = '';
  let done = false;
  for (const line of raw.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const data = line.slice(6);
    if (data === '[DONE]') done = true;
    else text += (JSON.parse(data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '';
  }
  return { text, done };
}

beforeAll(async () => {
  createKeyFile({ path: keyPath });
  const added = runLineage(['accounts', 'add', '--file', accountsPath, '--account', 'acct-7', '--json']);
  expect(added.status, added.stderr).toBe(0);
  apiKey = (JSON.parse(added.stdout) as { apiKey: string }).apiKey;
  upstream = slowUpstream();
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('lineage serve as a process', () => {
  it('marks for the issued key, refuses unknown keys, finishes an open stream on SIGTERM and exits 0', async () => {
    const serving = await startServe();
    try {
      expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(serving.url).not.toMatch(/:0\/v1$/);
      const expected = new LexicalMarker({ key: loadKeyFile(keyPath), accountId: 'acct-7' }).mark(TEXT);
      expect(expected).not.toBe(TEXT);

      const whole = (await (await chat(serving.url, apiKey, false)).json()) as { choices: { message: { content: string } }[] };
      expect(whole.choices[0]?.message.content).toBe(expected);
      const streamed = await readStream(await chat(serving.url, apiKey, true));
      expect(streamed).toEqual({ text: expected, done: true });
      const refused = await chat(serving.url, 'lsk_not-a-key', false);
      expect(refused.status).toBe(401);

      chunkDelayMs = 60;
      const slow = await chat(serving.url, apiKey, true);
      expect(slow.status).toBe(200);
      const reading = readStream(slow);
      await new Promise((resolve) => setTimeout(resolve, 150));
      serving.child.kill('SIGTERM');
      // The listener closes at once; the open stream keeps going.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(fetch(serving.url.replace(/\/v1$/, '/health'))).rejects.toThrow();
      expect(await reading).toEqual({ text: expected, done: true });
      expect(await serving.exited).toBe(0);

      const events = serving
        .stderr()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events[0]).toMatchObject({ event: 'listening', url: serving.url, accounts: 1 });
      const requests = events.filter((e) => e.event === 'request');
      expect(requests.map((e) => e.status)).toEqual([200, 200, 401, 200]);
      expect(requests[0]).toMatchObject({ accountId: 'acct-7', stream: false, method: 'POST', path: '/v1/chat/completions' });
      expect(events.some((e) => e.event === 'stopping')).toBe(true);
      for (const secret of [apiKey, 'lsk_not-a-key', PROMPT, 'secret story', TEXT.slice(0, 30), expected.slice(0, 30)])
        expect(serving.stderr()).not.toContain(secret);
    } finally {
      chunkDelayMs = 0;
      serving.child.kill('SIGKILL');
    }
  });
});
