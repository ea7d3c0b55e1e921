/** Runs the CLI in-process with captured stdout and stderr (for the command tests). */
import { PassThrough, Readable } from 'node:stream';
import { runCli } from './cli.js';

export async function runCaptured(args: readonly string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await runCli(args, { stdin: Readable.from(stdin === '' ? [] : [Buffer.from(stdin)]), stdout, stderr });
  return { code, out, err };
}
