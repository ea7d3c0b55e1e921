/**
 * The README contract: `pnpm -s lineage <args>` works from the repository root right after
 * install, with exit codes and JSON on stdout.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot, runLineage } from './run-lineage.js';

const root = repositoryRoot;
const lineage = runLineage;

describe('lineage binary from the repository root', () => {
  it('runs the script the root package.json declares', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(manifest.scripts.lineage).toBe('node --conditions=@lineage/source --import tsx packages/cli/src/bin.ts');
  });

  it('keygen then key show, as separate processes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-e2e-'));
    const created = lineage(['keygen', '--out', join(dir, 'k.json'), '--json']);
    expect(created.status).toBe(0);
    const { keyId, commitment } = JSON.parse(created.stdout);
    const shown = lineage(['key', 'show', join(dir, 'k.json'), '--json']);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ keyId, commitment, activeEpoch: 0 });
    const bad = lineage(['key', 'show', join(dir, 'nope.json')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(execFileSync('git', ['check-ignore', '-q', '.test-results/x'], { cwd: root }).length).toBe(0);
  });
});
