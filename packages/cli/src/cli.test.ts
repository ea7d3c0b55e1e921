import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaptured } from './run-cli.test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-'));

const run = runCaptured;

describe('lineage CLI', () => {
  it('keygen writes a private key file and prints only public values', async () => {
    const path = join(dir, 'k1.json');
    const { code, out } = await run(['keygen', '--out', path, '--json']);
    expect(code).toBe(0);
    const printed = JSON.parse(out);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(printed).toEqual({ keyId: file.keyId, commitment: file.commitment, path, createdAt: file.createdAt });
    expect(out).not.toContain(file.secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keygen refuses to overwrite without --force (exit 2, one line)', async () => {
    const path = join(dir, 'k2.json');
    await run(['keygen', '--out', path]);
    const again = await run(['keygen', '--out', path]);
    expect(again.code).toBe(2);
    expect(again.err.trim().split('\n')).toHaveLength(1);
    expect(again.err).toMatch(/--force/);
    expect((await run(['keygen', '--out', path, '--force'])).code).toBe(0);
  });

  it('key show and rotate never print the secret', async () => {
    const path = join(dir, 'k3.json');
    await run(['keygen', '--out', path]);
    const secret = JSON.parse(readFileSync(path, 'utf8')).secret as string;
    const shown = await run(['key', 'show', path]);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/commitment/);
    const rotated = await run(['key', 'rotate', path, '--json']);
    expect(JSON.parse(rotated.out).activeEpoch).toBe(1);
    for (const text of [shown.out, shown.err, rotated.out, rotated.err]) expect(text).not.toContain(secret);
  });

  it('has --help for every command and reports bad usage with exit 2', async () => {
    for (const command of ['keygen', 'key', 'detect']) {
      const help = await run([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(/^Usage: lineage/);
    }
    expect((await run(['--help'])).code).toBe(0);
    expect((await run([])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['keygen'])).err).toMatch(/--out/);
    expect((await run(['keygen', '--out', join(dir, 'x.json'), '--bogus'])).code).toBe(2);
    expect((await run(['key', 'show'])).code).toBe(2);
    expect((await run(['key', 'show', join(dir, 'missing.json')])).err).toMatch(/does not exist/);
    expect((await run(['detect', '--key', join(dir, 'missing.json'), '-'])).code).toBe(2);
  });

  it('detect refuses a corrupt key before reading input', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"format":"lineage-key"', { mode: 0o600 });
    const { code, err } = await run(['detect', '--key', path, '-'], 'text');
    expect(code).toBe(2);
    expect(err).toMatch(/not valid JSON/);
  });
});
