/**
 * `pnpm build` produces ESM bundles with type declarations, and the built `lineage` binary
 * (the one a published package would run, against the built core) works.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

describe('build', () => {
  it('builds every package and the built binary runs', () => {
    const build = spawnSync('npx', ['-y', 'pnpm@10.34.8', 'build'], { cwd: root, encoding: 'utf8' });
    expect(build.status, build.stderr + build.stdout).toBe(0);
    for (const file of [
      'packages/core/dist/index.js',
      'packages/core/dist/index.d.ts',
      'packages/core/dist/tokenizer.d.ts',
      'packages/cli/dist/bin.js',
    ]) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
    const path = join(mkdtempSync(join(tmpdir(), 'lineage-build-')), 'k.json');
    const created = spawnSync(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'keygen', '--out', path, '--json'], {
      encoding: 'utf8',
    });
    expect(created.status, created.stderr).toBe(0);
    const shown = spawnSync(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'key', 'show', path, '--json'], {
      encoding: 'utf8',
    });
    expect(JSON.parse(shown.stdout).keyId).toBe(JSON.parse(created.stdout).keyId);
  });
});
