/** Runs the CLI from sources in a child process, from the repository root (what the end-to-end tests call). */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const repositoryRoot = resolve(import.meta.dirname, '..');

export function runLineage(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--conditions=@lineage/source', '--import', 'tsx', 'packages/cli/src/bin.ts', ...args], {
    cwd: repositoryRoot,
    encoding: 'utf8',
  });
}
