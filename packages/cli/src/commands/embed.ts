/** `lineage embed`: marks texts for one account with the lexical scheme and writes them to stdout. */
import { loadKeyFile } from '@lineage/core';
import { CanaryMarker } from '@lineage/embed/canary';
import { type CanaryLedger, openSqliteLedger } from '@lineage/embed/ledger';
import { LexicalMarker } from '@lineage/embed/text';
import { type CliIo, writeLine } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { readTextInputs } from '../text-input.js';
import { UsageError } from '../usage-error.js';
import { fractionOption, integerOption } from './testbed-options.js';

export const embedHelp = `Usage: lineage embed --key FILE --account ID [--campaign ID] [--scheme lexical]
                     [--jsonl] [--field NAME] [--canary-rate R --ledger DB [canary options]]
                     [FILE... | -]

Marks texts for one account and writes them to stdout. A plain input (a file, or - for stdin,
the default) is written back marked; JSONL (a file ending in .jsonl, or --jsonl) is written as
JSONL with the text field marked and every other field kept. A bad JSONL line is reported on
stderr with its line number, left out of the output, and the rest goes on (exit code 2).

Only words at lexical sites change (interchangeable variants such as "do not"/"don't",
"often"/"frequently"); code blocks, inline code, URLs, e-mail addresses, numbers, quoted
strings and Markdown syntax are copied unchanged, as are casing, punctuation and whitespace.

With --canary-rate, a keyed share R of the responses (chosen per account and prompt, so a
repeated prompt gets the same canary) also carries a canary: an invented name such as "Fred
Kostell of Karmora Coffee", substituted for a stock example name ("John Doe") or added as a
short aside at a paragraph boundary, never inside code, URLs or quotations. Every inserted
canary is recorded in the ledger (account, campaign, prompt, canary, time, key id). Rate 1
inserts one into every response that has a place for it. The prompt of a JSONL record is its
--prompt-field; for plain inputs it is --prompt. A text without a prompt is marked but gets no
canary, and is reported (exit code 2).

Options:
  --key FILE      key file to mark with (required)
  --account ID    account the texts are served to (required)
  --campaign ID   campaign the account is flagged into (registered with \`lineage key campaign\`)
  --scheme NAME   marking scheme: lexical (the default and, for text, the only one)
  --jsonl         read every input as JSONL
  --field NAME    JSONL field holding the text (default "text")
  --canary-rate R       share of responses that carry a canary, in [0, 1] (default: no canaries)
  --ledger DB           canary ledger (SQLite; created if missing); required with --canary-rate
  --flagged             the account is flagged: use --flagged-rate (so is any --campaign account)
  --flagged-rate R      rate for flagged accounts and campaigns (default: max(R, 0.25))
  --canary-cap N        most canaries per account per UTC day (default 100)
  --hash-prompts        create the ledger hash-only: keep a keyed hash of each prompt, never its text
  --prompt TEXT         the prompt plain inputs answer (a text without a prompt gets no canary)
  --prompt-field NAME   JSONL field holding the prompt (default "prompt")
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
      'canary-rate': { type: 'string' },
      ledger: { type: 'string' },
      flagged: { type: 'boolean' },
      'flagged-rate': { type: 'string' },
      'canary-cap': { type: 'string' },
      'hash-prompts': { type: 'boolean' },
      prompt: { type: 'string' },
      'prompt-field': { type: 'string' },
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
  const promptField = values['prompt-field'] ?? 'prompt';
  const canaryOptions = ['ledger', 'flagged', 'flagged-rate', 'canary-cap', 'hash-prompts', 'prompt', 'prompt-field'] as const;
  if (values['canary-rate'] === undefined) {
    const stray = canaryOptions.find((o) => values[o] !== undefined);
    if (stray) throw new UsageError(`--${stray} only applies with --canary-rate (see \`lineage embed --help\`)`);
  } else if (!values.ledger) {
    throw new UsageError('--canary-rate needs --ledger DB to record the canaries it inserts');
  }
  let ledger: CanaryLedger | undefined;
  let canaries: CanaryMarker | undefined;
  const markerOptions = () => {
    const unit = (x: number) => x >= 0 && x <= 1;
    const rate = fractionOption('canary-rate', values['canary-rate'], 0, unit, '[0, 1]');
    const flaggedRate = fractionOption('flagged-rate', values['flagged-rate'], Math.max(rate, 0.25), unit, '[0, 1]');
    return {
      key,
      rate,
      flaggedRate,
      capPerDay: integerOption('canary-cap', values['canary-cap'], 100, 0, 1_000_000_000),
      ...(values.flagged ? { flaggedAccounts: [values.account as string] } : {}),
      ...(values.campaign === undefined ? {} : { flaggedCampaigns: [values.campaign] }),
    };
  };
  if (values['canary-rate'] !== undefined && values.ledger) {
    const options = markerOptions(); // checked before the ledger file is created
    ledger = openSqliteLedger(values.ledger, values['hash-prompts'] ? { promptStorage: 'hash' } : {});
    try {
      canaries = new CanaryMarker({ ...options, ledger });
    } catch (error) {
      ledger.close();
      throw error;
    }
  }
  const account = { accountId: values.account, ...(values.campaign === undefined ? {} : { campaignId: values.campaign }) };
  try {
    return await markAll();
  } finally {
    ledger?.close();
  }

  async function markAll(): Promise<number> {
    let problems = 0;
    /** Canaries are keyed on the prompt: without one, the text is marked but gets no canary. */
    const markOne = (source: string, text: string, prompt: unknown) => {
      if (!canaries) return marker.mark(text);
      if (typeof prompt !== 'string') {
        problems++;
        writeLine(
          io.stderr,
          `lineage: ${source}: no prompt, so no canary (canaries are keyed on the prompt: give --prompt, or a "${promptField}" field in JSONL)`,
        );
        return marker.mark(text);
      }
      return marker.mark(canaries.mark({ ...account, prompt, text }).text);
    };
    for await (const item of readTextInputs(inputs, {
      stdin: io.stdin,
      ...(values.jsonl ? { jsonl: true } : {}),
      field,
    })) {
      if (item.kind === 'problem') {
        problems++;
        writeLine(io.stderr, `lineage: ${item.source}: ${item.message}`);
      } else if (item.record) {
        writeLine(io.stdout, JSON.stringify({ ...item.record, [field]: markOne(item.source, item.text, item.record[promptField]) }));
      } else {
        io.stdout.write(markOne(item.source, item.text, values.prompt));
      }
    }
    return problems > 0 ? 2 : 0;
  }
}
