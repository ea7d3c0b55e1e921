/** `lineage testbed generate`: K samples of exactly N tokens from a model, as JSONL {"text", "account"}. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { generateSamples, loadModelFile } from '@lineage/testbed';
import type { CliIo } from '../cli-io.js';
import { markingFromOptions } from '../marking-schemes.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';
import { fractionOption, integerOption } from './testbed-options.js';

export const testbedGenerateHelp = `Usage: lineage testbed generate --model FILE --tokens N [--samples K] [--seed S]
                                [--key FILE --scheme NAME --account ID [--campaign ID]]
                                [--temperature T] [--out FILE]

Writes K samples of exactly N tokens, each starting a new paragraph, as JSONL lines
{"text", "account"} (to stdout, or --out FILE). With --key and --scheme every sample is marked
for --account; without them the text is unmarked and "account" is --account or null.

Options:
  --model FILE      model file from \`lineage testbed train\` (required)
  --tokens N        tokens per sample, 1-1,000,000 (required)
  --samples K       number of samples (default 1)
  --seed S          sampling seed (default 1): the same seed gives the same samples
  --key FILE        key file to mark with (needs --scheme and --account)
  --scheme NAME     marking scheme (needs --key)
  --account ID      account the samples are served to
  --campaign ID     campaign the account is flagged into (registered in the key file with
                    \`lineage key campaign\`): its identity positions carry the campaign's mark
  --temperature T   sampling temperature in (0, 2] (default 1)
  --out FILE        write here instead of stdout
  -h, --help        show this help`;

export function testbedGenerate(argv: readonly string[], io: CliIo): number {
  const { values } = parseCommandArgs(
    'testbed generate',
    argv,
    {
      model: { type: 'string' },
      tokens: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      key: { type: 'string' },
      scheme: { type: 'string' },
      account: { type: 'string' },
      campaign: { type: 'string' },
      temperature: { type: 'string' },
      out: { type: 'string' },
    },
    { min: 0, max: 0 },
  );
  if (!values.model) throw new UsageError('testbed generate needs --model FILE (see `lineage testbed generate --help`)');
  if (values.tokens === undefined) throw new UsageError('testbed generate needs --tokens N (see `lineage testbed generate --help`)');
  const tokens = integerOption('tokens', values.tokens, 0, 1, 1_000_000);
  const samples = integerOption('samples', values.samples, 1, 1, 10_000_000);
  const temperature = fractionOption('temperature', values.temperature, 1, (t) => t > 0 && t <= 2, '(0, 2]');
  if (values.account !== undefined && !/^[A-Za-z0-9._:@-]{1,128}$/.test(values.account)) {
    throw new UsageError('--account must be 1-128 characters of A-Z a-z 0-9 . _ : @ -');
  }
  const marking = markingFromOptions('testbed generate', values);
  if (marking && values.account === undefined)
    throw new UsageError('marked samples need --account ID (see `lineage testbed generate --help`)');
  if (values.campaign !== undefined && !marking) throw new UsageError('--campaign needs --key and --scheme');
  const model = loadModelFile(values.model);
  let fd: number | undefined;
  try {
    fd = values.out === undefined ? undefined : openSync(values.out, 'w', 0o644);
  } catch (error) {
    throw new UsageError(`cannot write --out ${values.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    for (const sample of generateSamples({
      model,
      tokens,
      samples,
      temperature,
      seed: values.seed ?? '1',
      ...(marking ? { marking: marking.scheme } : {}),
      ...(values.account === undefined
        ? {}
        : { account: { accountId: values.account, ...(values.campaign === undefined ? {} : { campaignId: values.campaign }) } }),
    })) {
      const line = `${JSON.stringify(sample)}\n`;
      if (fd === undefined) io.stdout.write(line);
      else writeSync(fd, line);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return 0;
}
