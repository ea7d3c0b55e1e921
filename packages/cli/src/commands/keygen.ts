import { createKeyFile } from '@lineage/core';
import { type CliIo, writeJson, writeLine, writeTable } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';

export const keygenHelp = `Usage: lineage keygen --out FILE [--force] [--tokenizer o200k_base|cl100k_base] [--json]

Creates a key file (mode 0600) holding a fresh 32-byte secret and the default scheme
parameters, and prints its keyId and commitment. Publish the commitment before any
accusation; keep the file secret and backed up. Nothing secret is printed.

Options:
  --out FILE        where to write the key file (required)
  --force           replace an existing file (its key is lost)
  --tokenizer NAME  tokenizer of the token-level schemes (default o200k_base)
  --json            print {"keyId", "commitment", "path", "createdAt"} as JSON
  -h, --help        show this help`;

export function keygen(argv: readonly string[], io: CliIo): number {
  const { values } = parseCommandArgs(
    'keygen',
    argv,
    { out: { type: 'string' }, force: { type: 'boolean' }, tokenizer: { type: 'string' }, json: { type: 'boolean' } },
    { min: 0, max: 0 },
  );
  if (!values.out) throw new UsageError('keygen needs --out FILE (see `lineage keygen --help`)');
  if (values.tokenizer !== undefined && values.tokenizer !== 'o200k_base' && values.tokenizer !== 'cl100k_base') {
    throw new UsageError(`unknown tokenizer ${JSON.stringify(values.tokenizer)}; use o200k_base or cl100k_base`);
  }
  const key = createKeyFile({
    path: values.out,
    force: values.force ?? false,
    ...(values.tokenizer ? { tokenizer: values.tokenizer } : {}),
  });
  if (values.json) {
    writeJson(io.stdout, { keyId: key.keyId, commitment: key.commitment, path: values.out, createdAt: key.createdAt });
  } else {
    writeLine(io.stdout, `Created key file ${values.out} (mode 0600). Publish the commitment; keep the file secret.`);
    writeTable(io.stdout, [
      ['keyId', key.keyId],
      ['commitment', key.commitment],
    ]);
  }
  return 0;
}
