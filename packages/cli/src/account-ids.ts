/** The --accounts file of `detect` and `attribute`: registered account ids, one per line. */
import { readFileSync } from 'node:fs';
import { ID_PATTERN } from '@lineage/core';
import { UsageError } from './usage-error.js';

/** Account ids, one per line (blank lines and # comments skipped), each checked with its line number. */
export function readAccountIds(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --accounts ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!ID_PATTERN.test(line))
      throw new UsageError(`--accounts ${path}: line ${index + 1} is not an account id (1-128 of A-Z a-z 0-9 . _ : @ -)`);
    ids.push(line);
  });
  if (ids.length === 0) throw new UsageError(`--accounts ${path} lists no account, so no account could ever be named`);
  return ids;
}
