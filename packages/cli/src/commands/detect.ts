import { type LineageKey, loadKeyFile } from '@lineage/core';
import { readAccountIds } from '../account-ids.js';
import { type CliIo, writeColumns, writeJson, writeLine } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { gumbelDetection, tournamentDetection } from '../schemes/distortion-free.js';
import { greenListDetection } from '../schemes/green-list.js';
import { lexicalDetection } from '../schemes/lexical.js';
import { readTextInputs, type TextProblem, type TextRecord } from '../text-input.js';
import { UsageError } from '../usage-error.js';

/**
 * Detection schemes plug in here as their packages land (token-level: issue 4, lexical:
 * issue 5). Each takes the key and the texts and returns, per text (or once for the
 * aggregate), its result objects with the fields of DESIGN.md: one per channel tested. A
 * scheme corrects its p-values for `schemes`, the number of schemes tested together.
 */
export interface DetectionScheme {
  readonly name: string;
  detect(options: {
    readonly key: LineageKey;
    readonly texts: readonly TextRecord[];
    readonly aggregate: boolean;
    readonly alpha: number;
    readonly schemes: number;
    /** Registered account ids, to decode the identity channel. */
    readonly accounts?: readonly string[];
  }): Promise<readonly (readonly Record<string, unknown>[])[]>;
}

export const detectionSchemes = new Map<string, DetectionScheme>([
  ['kgw', greenListDetection],
  ['gumbel', gumbelDetection],
  ['tournament', tournamentDetection],
  ['lexical', lexicalDetection],
]);

export const detectHelp = `Usage: lineage detect --key FILE [--scheme NAME] [--accounts FILE] [--alpha A] [--aggregate]
                      [--jsonl] [--field NAME] [--json] FILE... | -

Tests texts for Lineage marks. Each input is a file (one text), - for stdin, or JSONL
(a file ending in .jsonl, or --jsonl) with one object per line. A bad line is reported
with its line number and the other inputs are still tested.

Options:
  --key FILE      key file to test with (required)
  --scheme NAME   kgw, gumbel, tournament, lexical, or auto (default): every scheme, each p-value
                  Bonferroni-corrected for the number of schemes tested. Every campaign in
                  the key file is tested too (corrected for the number of campaigns)
  --accounts FILE registered account ids, one per line: also decode the identity channel
                  and name the account (or say that no single account is found)
  --alpha A       significance level of the verdict (default 1e-6)
  --aggregate     test all inputs as one sample with one scoring tape
  --jsonl         read every input as JSONL
  --field NAME    JSONL field holding the text (default "text")
  --json          print {"results": [...]} on stdout
  -h, --help      show this help`;

export async function detect(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'detect',
    argv,
    {
      key: { type: 'string' },
      scheme: { type: 'string' },
      alpha: { type: 'string' },
      aggregate: { type: 'boolean' },
      jsonl: { type: 'boolean' },
      field: { type: 'string' },
      json: { type: 'boolean' },
      accounts: { type: 'string' },
    },
    { min: 1, max: Number.POSITIVE_INFINITY },
  );
  if (!values.key) throw new UsageError('detect needs --key FILE (see `lineage detect --help`)');
  const alpha = values.alpha === undefined ? 1e-6 : Number(values.alpha);
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be a number in (0, 1), got ${JSON.stringify(values.alpha)}`);
  if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const key = loadKeyFile(values.key); // refuse a bad key before reading any input
  const accounts = values.accounts === undefined ? undefined : readAccountIds(values.accounts);
  const all = values.scheme === undefined || values.scheme === 'auto';
  const schemes = all ? [...detectionSchemes.values()] : [detectionSchemes.get(values.scheme as string)];
  if (schemes.length === 0 || schemes[0] === undefined) {
    const available = [...detectionSchemes.keys()];
    throw new UsageError(
      available.length === 0
        ? 'no detection scheme is available in this build yet: token-level and lexical detection arrive with their packages'
        : `unknown scheme ${JSON.stringify(values.scheme)}; available: ${available.join(', ')}, auto`,
    );
  }

  const items: (TextRecord | TextProblem)[] = [];
  for await (const item of readTextInputs(positionals, {
    stdin: io.stdin,
    ...(values.jsonl ? { jsonl: true } : {}),
    ...(values.field ? { field: values.field } : {}),
  })) {
    items.push(item);
    if (item.kind === 'problem') writeLine(io.stderr, `lineage: ${item.source}: ${item.message}`);
  }
  const texts = items.filter((item): item is TextRecord => item.kind === 'text');
  const aggregate = values.aggregate ?? false;
  const perScheme: (readonly (readonly Record<string, unknown>[])[])[] = [];
  for (const scheme of schemes as DetectionScheme[]) {
    const results = await scheme.detect({ key, texts, aggregate, alpha, schemes: schemes.length, ...(accounts ? { accounts } : {}) });
    const expected = aggregate ? 1 : texts.length;
    if (results.length !== expected) throw new Error(`scheme ${scheme.name} returned ${results.length} results for ${expected} expected`);
    perScheme.push(results);
  }

  // One entry per input in input order (a bad input as { source, error }); with --aggregate,
  // one entry per scheme for the whole sample, then the bad inputs.
  const results: Record<string, unknown>[] = [];
  const problemEntry = (p: TextProblem) => ({ source: p.source, error: p.message });
  if (aggregate) {
    for (const schemeResults of perScheme) results.push(...(schemeResults[0] ?? []));
    for (const item of items) if (item.kind === 'problem') results.push(problemEntry(item));
  } else {
    let textIndex = 0;
    for (const item of items) {
      if (item.kind === 'problem') results.push(problemEntry(item));
      else {
        for (const schemeResults of perScheme) results.push(...(schemeResults[textIndex] ?? []));
        textIndex++;
      }
    }
  }
  if (values.json) writeJson(io.stdout, { results });
  else writeColumns(io.stdout, results);
  return items.some((item) => item.kind === 'problem') ? 2 : 0;
}
