import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createKeyFile } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { brownParagraphs, saveModelFile, trainNgramModel } from '@lineage/testbed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error.js';
import { testbedServe } from './testbed-serve.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lineage-testbed-serve-'));
const modelPath = join(dir, 'brown-3gram.lngram');
const keyPath = join(dir, 'key.json');
const children: ChildProcess[] = [];

beforeAll(() => {
  const tokenizer = createTokenizer({ encoding: 'o200k_base' });
  try {
    const documents = brownParagraphs('train')
      .slice(0, 200)
      .map((paragraph) => tokenizer.encode(paragraph));
    saveModelFile(modelPath, trainNgramModel(documents, { order: 3, encoding: 'o200k_base', source: 'testbed-serve test' }));
  } finally {
    tokenizer.dispose();
  }
  createKeyFile({ path: keyPath });
}, 60_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const io = () => ({ stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() });

/** Starts `lineage testbed serve` as its own process and resolves with the URL it prints first. */
async function serve(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@lineage/source', '--import', 'tsx', 'packages/cli/src/bin.ts', 'testbed', 'serve', ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(out.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing a URL: ${err}`)));
  });
  return { child, url, stderr: () => err };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('lineage testbed serve', () => {
  it('refuses bad usage before loading anything', async () => {
    const cases: [string[], RegExp][] = [
      [[], /--model/],
      [['--model', modelPath, '--key', keyPath], /--key and --scheme/],
      [['--model', modelPath, '--scheme', 'green-list'], /--key and --scheme/],
      [['--model', modelPath, '--key', keyPath, '--scheme', 'no-such-scheme'], /unknown marking scheme "no-such-scheme"/],
      [['--model', modelPath, '--port', '70000'], /--port/],
      [['--model', modelPath, '--port', '-1'], /--port|argument/],
      [['--model', modelPath, '--name', ''], /--name/],
      [['--model', modelPath, 'extra'], /argument/],
    ];
    for (const [args, message] of cases) {
      const error = await testbedServe(args, io()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('prints the base URL first, serves the OpenAI API and exits 0 on SIGTERM', async () => {
    const { child, url, stderr } = await serve(['--model', modelPath]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['brown-3gram']);
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'brown-3gram', messages: [{ role: 'user', content: 'The jury said' }], max_tokens: 8, seed: 1 }),
    });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(typeof completion.choices[0]?.message.content).toBe('string');
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr()).not.toMatch(/internal error/);
  });

  it('names the model with --name, refuses a busy port and stops on SIGINT too', async () => {
    const { child, url } = await serve(['--model', modelPath, '--name', 'my-model', '--port', '0']);
    const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['my-model']);
    const busy = await testbedServe(['--model', modelPath, '--port', new URL(url).port], io()).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(UsageError);
    expect((busy as Error).message).toMatch(/EADDRINUSE/);
    const exited = exitCode(child);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
