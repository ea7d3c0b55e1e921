/**
 * Ctrl-C on a real `lineage probe` process: it stops asking, lets the answers in flight land in
 * the cache, writes the partial report and exits 130; the rerun asks only the rest, and the
 * suspect saw every prompt exactly once over both runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyFile } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { buildPrompts, startChatServer, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './run-lineage.js';

function run(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=@lineage/source', '--import', 'tsx', 'packages/cli/src/bin.ts', ...args], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('lineage probe and Ctrl-C', () => {
  it('writes the partial report, exits 130, and the rerun asks only what is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-probe-interrupt-'));
    const keyPath = join(dir, 'key.json');
    const key = createKeyFile({ path: keyPath });
    const promptsPath = join(dir, 'prompts.txt');
    const prompts = buildPrompts({ count: 120, seed: 'interrupt' }).map((p) => p.text);
    writeFileSync(promptsPath, `${prompts.join('\n')}\n`);
    const occurrences = new Map<string, number>();
    for (const p of prompts) occurrences.set(p, (occurrences.get(p) ?? 0) + 1);
    using tokenizer = createTokenizer({ encoding: key.tokenizer });
    const model = await startChatServer({ model: trainOnBrown({ order: 2, tokens: 60_000 }), modelName: 'slow', tokenizer });
    // A slow front that counts the prompts reaching the model.
    const seen = new Map<string, number>();
    const front = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      await new Promise((r) => setTimeout(r, 60));
      const prompt = (JSON.parse(body) as { messages: { content: string }[] }).messages.at(-1)?.content ?? '';
      seen.set(prompt, (seen.get(prompt) ?? 0) + 1);
      const answer = await fetch(`${model.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}/v1`;
    const args = ['--key', keyPath, '--base-url', url, '--model', 'slow', '--prompts', promptsPath, '--max-tokens', '16'];
    const common = [...args, '--cache', join(dir, 'cache'), '--scheme', 'kgw', '--concurrency', '2', '--looks', '10'];
    try {
      const report = join(dir, 'partial.json');
      const child = spawn(
        process.execPath,
        ['--conditions=@lineage/source', '--import', 'tsx', 'packages/cli/src/bin.ts', 'probe', ...common, '--out', report],
        { cwd: repositoryRoot, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Line-oriented progress in CI: interrupt once the second planned look (24 answers) has run.
      while (!/lineage: look 2 at 24 answers/.test(stderr)) {
        if (child.exitCode !== null) throw new Error(`probe exited early: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(130);
      expect(stderr).toContain('interrupted');
      expect(existsSync(report)).toBe(true);
      const partial = JSON.parse(readFileSync(report, 'utf8'));
      expect(partial.status).toBe('interrupted');
      // The partial report tests the answers of the last planned look reached (a multiple of 12).
      expect(partial.queries.answered).toBeGreaterThanOrEqual(24);
      expect(partial.queries.answered % 12).toBe(0);
      expect(partial.queries.skipped).toBeGreaterThan(0);

      // Asynchronously: this process serves the suspect, so it must not block.
      const rerun = await run(['probe', ...common, '--json']);
      expect(rerun.status, rerun.stderr).toBe(0);
      const full = JSON.parse(rerun.stdout);
      expect(full.status).toBe('complete');
      expect(full.queries).toMatchObject({
        planned: 120,
        answered: 120,
        cached: partial.queries.asked,
        asked: 120 - partial.queries.asked,
      });
      // Each query reached the model once: a prompt listed twice was asked twice, no other more than once.
      expect(seen).toEqual(occurrences);
    } finally {
      await new Promise((resolve) => front.close(resolve));
      await model.close();
    }
  }, 120_000);
});
