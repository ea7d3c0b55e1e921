/** The CLI's version, from its package.json (found from this module, in src/ or in dist/). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function toolVersion(): string {
  if (cached !== undefined) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@lineage/cli' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // no package.json here: go up
    }
    if (dirname(dir) === dir) return (cached = 'unknown');
  }
}
