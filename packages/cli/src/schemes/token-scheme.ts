/**
 * Glue shared by the token-level schemes in the CLI: a `lineage detect` scheme that tokenizes
 * with the key file's tokenizer and runs a token detector per text or over the whole sample.
 */
import type { LineageKey } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { AccountDirectory, detectTokens, type TokenSchemeName } from '@lineage/detect';
import type { DetectionScheme } from '../commands/detect.js';

/** `lineage detect` for one token scheme: every channel, one result list per text (or the aggregate). */
export function detectionWith(scheme: TokenSchemeName): DetectionScheme {
  return {
    name: scheme,
    async detect({ key, texts, aggregate, alpha, schemes, accounts }) {
      using tokenizer = createTokenizer({ encoding: key.tokenizer });
      const tokens = texts.map((t) => tokenizer.encode(t.text));
      const directory = accounts ? directoryFor(key, accounts) : undefined;
      const run = (source: string, sample: readonly Uint32Array[]) =>
        detectTokens({ key, scheme, texts: sample, alpha, testedSchemes: schemes, ...(directory ? { accounts: directory } : {}) }).map(
          (result) => ({ source, ...result }),
        );
      if (aggregate) return [run('aggregate', tokens)];
      return texts.map((t, i) => run(t.source, [tokens[i] as Uint32Array]));
    },
  };
}

// One directory per account list and key, shared by the schemes of one detect run.
const directories = new WeakMap<readonly string[], AccountDirectory>();
function directoryFor(key: LineageKey, accounts: readonly string[]): AccountDirectory {
  let directory = directories.get(accounts);
  if (directory === undefined || directory.keyId !== key.keyId) {
    directory = new AccountDirectory(key, accounts);
    directories.set(accounts, directory);
  }
  return directory;
}
