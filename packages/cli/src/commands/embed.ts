/** `lineage embed`: marks texts for one account with the lexical scheme and writes them to stdout. */
import { loadKeyFile } from '@lineage/core';
import { LexicalMarker } from '@lineage/embed/text';
import { type CliIo, writeLine } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { readTextInputs } from '../text-input.js';
import { UsageError } from '../usage-error.js';

export const embedHelp = `Usage: lineage embed --key FILE --account ID [--campaign ID] [--scheme lexical]
                     [--jsonl] [--field NAME] [FILE... | -]

Marks texts for one account and writes them to stdout. A plain input (a file, or - for stdin,
the default) is written back marked; JSONL (a file ending in .jsonl, or --jsonl) is written as
JSONL with the text field marked and every other field kept. A bad JSONL line is reported on
stderr with its line number, left out of the output, and the rest goes on (exit code 2).

Only words at lexical sites change (interchangeable variants such as "do not"/"don't",
"often"/"frequently"); code blocks, inline code, URLs, e-mail addresses, numbers, quoted
strings and Markdown syntax are copied unchanged, as are casing, punctuation and whitespace.

Options:
  --key FILE      key file to mark with (required)
  --account ID    account the texts are served to (required)
  --campaign ID   campaign the account is flagged into (registered with \`lineage key campaign\`)
  --scheme NAME   marking scheme: lexical (the default and, for text, the only one)
  --jsonl         read every input as JSONL
  --field NAME    JSONL field holding the text (default "text")
  -h, --help      show this help`;

export async function embed(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'embed',
    argv,
    {
      key: { type: 'string' },
      account: { type: 'string' },
      campaign: { type: 'string' },
      scheme: { type: 'string' },
      jsonl: { type: 'boolean' },
      field: { type: 'string' },
    },
    { min: 0, max: Number.POSITIVE_INFINITY },
  );
  if (!values.key) throw new UsageError('embed needs --key FILE (see `lineage embed --help`)');
  if (!values.account) throw new UsageError('embed needs --account ID (see `lineage embed --help`)');
  if (values.scheme !== undefined && values.scheme !== 'lexical')
    throw new UsageError(
      `embed marks text with the lexical scheme only, got --scheme ${JSON.stringify(values.scheme)}; token-level schemes mark at sampling time (@lineage/embed/logits)`,
    );
  const inputs = positionals.length === 0 ? ['-'] : positionals;
  if (inputs.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const key = loadKeyFile(values.key);
  const marker = new LexicalMarker({
    key,
    accountId: values.account,
    ...(values.campaign === undefined ? {} : { campaignId: values.campaign }),
  });
  const field = values.field ?? 'text';
  let problems = 0;
  for await (const item of readTextInputs(inputs, {
    stdin: io.stdin,
    ...(values.jsonl ? { jsonl: true } : {}),
    field,
  })) {
    if (item.kind === 'problem') {
      problems++;
      writeLine(io.stderr, `lineage: ${item.source}: ${item.message}`);
    } else if (item.record) writeLine(io.stdout, JSON.stringify({ ...item.record, [field]: marker.mark(item.text) }));
    else io.stdout.write(marker.mark(item.text));
  }
  return problems > 0 ? 2 : 0;
}
