/**
 * `lineage canary`: find ledgered canaries in texts (`scan`), replay ledgered prompts to a
 * suspect model and scan its answers (`probe`), and write the ledger out as JSONL (`export`).
 */

import { CanaryScanner, type CanaryScanResult, replayProbe, selectReplayPrompts } from '@lineage/detect/canary';
import { ChatClient } from '@lineage/detect/probe';
import { type CanaryLedger, exportLedgerJsonl, openSqliteLedger } from '@lineage/embed/ledger';
import { type CliIo, writeColumns, writeJson, writeLine, writeTable } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { readTextInputs } from '../text-input.js';
import { UsageError } from '../usage-error.js';
import { fractionOption, integerOption } from './testbed-options.js';

export const canaryScanHelp = `Usage: lineage canary scan --ledger DB [--json] [--jsonl] [--field NAME] [FILE... | -]

Finds every canary recorded in the ledger in each text, after normalizing case, whitespace,
punctuation, Unicode (NFKC) and hyphenation, and names the account and campaign it was served
to. Each text gets a p-value for "this many ledgered canaries by chance": exact binomial over the
ledger's draws, with the text's canary-shaped word windows out of the 2^44 possible canaries.

Options:
  --ledger DB     the canary ledger (SQLite file written by \`lineage embed --ledger\`)
  --json          print { "results": [ { "source", "hits", "pValue", … } ] }
  --jsonl         read every input as JSONL
  --field NAME    JSONL field holding the text (default "text")
  --alpha A       significance level of the verdict (default 1e-6)
  -h, --help      show this help`;

export const canaryProbeHelp = `Usage: lineage canary probe --ledger DB --base-url URL --model M [--api-key-env VAR]
                            [--per-group N] [--max-queries N] [--concurrency C] [--json]

Replays ledgered prompts to a suspect model (an OpenAI-compatible chat API) and scans its
answers for the canaries served with them: up to N prompts per account, or per campaign for
flagged accounts, earliest first. The answers are tested as one sample (exact binomial p-value);
canaries whose invented words occur in a replayed prompt are left out, since a clean model could
copy them from the prompt. Needs a ledger that kept prompt text (not a hash-only ledger). A
prompt that still fails after retries is counted and skipped; a rejected key or a wrong URL
stops the probe.

Options:
  --ledger DB          the canary ledger
  --base-url URL       the suspect's API base, e.g. http://127.0.0.1:8080/v1
  --model M            the model name to ask for
  --api-key-env VAR    environment variable holding the suspect API key (never a flag: keys stay out of shell history)
  --per-group N        prompts per account or campaign (default 3)
  --max-queries N      ask at most N prompts in all (default: all selected)
  --concurrency C      requests in flight (default 4)
  --timeout-ms MS      per-request timeout (default 60000)
  --alpha A            significance level of the verdict (default 1e-6)
  --json               print the report as JSON
  -h, --help           show this help`;

export const canaryExportHelp = `Usage: lineage canary export --ledger DB

Writes every ledger record to stdout as JSONL, in insertion order: accountId, campaignId (when
set), prompt (unless the ledger is hash-only), promptHash, canary, time, keyId.

Options:
  --ledger DB     the canary ledger
  -h, --help      show this help`;

export const canaryHelp = `Usage: lineage canary <command> [options]

Canaries are unique invented names (such as "Fred Kostell of Karmora Coffee") that
\`lineage embed --canary-rate R --ledger DB\` inserts into some responses and records.

Commands:
  scan      find ledgered canaries in texts, with an exact p-value per text
  probe     replay ledgered prompts to a suspect model and scan its answers
  export    write the ledger as JSONL

Run \`lineage canary <command> --help\` for its options.`;

export function openLedger(path: string | undefined, command: string): CanaryLedger {
  if (!path) throw new UsageError(`canary ${command} needs --ledger DB (see \`lineage canary ${command} --help\`)`);
  return openSqliteLedger(path, { readonly: true });
}

function scanFields(result: CanaryScanResult, alpha: number) {
  return {
    hits: result.hits.map((h) => ({
      canary: h.canary,
      account: h.account,
      ...(h.campaign === undefined ? {} : { campaign: h.campaign }),
      occurrences: h.occurrences,
    })),
    pValue: result.pValue,
    log10P: result.log10P,
    verdict: result.pValue <= alpha ? 'canaries-found' : 'not-found',
    alpha,
    score: result.hits.length,
    expected: result.expected,
    shapedWindows: result.shapedWindows,
    draws: result.draws,
    ...(result.excludedDraws > 0 ? { excludedDraws: result.excludedDraws } : {}),
    words: result.words,
  };
}

async function scan(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'canary scan',
    argv,
    {
      ledger: { type: 'string' },
      json: { type: 'boolean' },
      jsonl: { type: 'boolean' },
      field: { type: 'string' },
      alpha: { type: 'string' },
    },
    { min: 0, max: Number.POSITIVE_INFINITY },
  );
  const alpha = fractionOption('alpha', values.alpha, 1e-6, (x) => x > 0 && x < 1, '(0, 1)');
  const ledger = openLedger(values.ledger, 'scan');
  let scanner: CanaryScanner;
  try {
    scanner = new CanaryScanner(ledger.entries());
  } finally {
    ledger.close();
  }
  const inputs = positionals.length === 0 ? ['-'] : positionals;
  if (inputs.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const results: ({ source: string } & ReturnType<typeof scanFields>)[] = [];
  let problems = 0;
  for await (const item of readTextInputs(inputs, {
    stdin: io.stdin,
    ...(values.jsonl ? { jsonl: true } : {}),
    field: values.field ?? 'text',
  })) {
    if (item.kind === 'problem') {
      problems++;
      writeLine(io.stderr, `lineage: ${item.source}: ${item.message}`);
      continue;
    }
    results.push({ source: item.source, ...scanFields(scanner.scan(item.text), alpha) });
  }
  if (values.json) {
    writeJson(io.stdout, { draws: scanner.draws, ...(scanner.unknown > 0 ? { unknownCanaries: scanner.unknown } : {}), results });
  } else {
    writeColumns(
      io.stdout,
      results.map((r) => ({
        source: r.source,
        hits: r.hits.length,
        accounts: [...new Set(r.hits.map((h) => h.campaign ?? h.account))].join(',') || '-',
        pValue: r.pValue.toPrecision(3),
        log10P: r.log10P.toFixed(2),
      })),
    );
  }
  return problems > 0 ? 2 : 0;
}

async function probe(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    'canary probe',
    argv,
    {
      ledger: { type: 'string' },
      'base-url': { type: 'string' },
      model: { type: 'string' },
      'api-key-env': { type: 'string' },
      'per-group': { type: 'string' },
      'max-queries': { type: 'string' },
      concurrency: { type: 'string' },
      'timeout-ms': { type: 'string' },
      alpha: { type: 'string' },
      json: { type: 'boolean' },
    },
    { min: 0, max: 0 },
  );
  if (!values['base-url']) throw new UsageError('canary probe needs --base-url URL (see `lineage canary probe --help`)');
  if (!values.model) throw new UsageError('canary probe needs --model M (see `lineage canary probe --help`)');
  let apiKey: string | undefined;
  if (values['api-key-env'] !== undefined) {
    apiKey = process.env[values['api-key-env']];
    if (!apiKey) throw new UsageError(`the environment variable ${values['api-key-env']} named by --api-key-env is not set`);
  }
  const alpha = fractionOption('alpha', values.alpha, 1e-6, (x) => x > 0 && x < 1, '(0, 1)');
  const perGroup = integerOption('per-group', values['per-group'], 3, 1, 1_000_000);
  const concurrency = integerOption('concurrency', values.concurrency, 4, 1, 1_000);
  const timeoutMs = integerOption('timeout-ms', values['timeout-ms'], 60_000, 1, 3_600_000);
  const client = new ChatClient({
    baseUrl: values['base-url'],
    model: values.model,
    timeoutMs,
    ...(apiKey === undefined ? {} : { apiKey }),
  });
  const ledger = openLedger(values.ledger, 'probe');
  let scanner: CanaryScanner;
  let selection: ReturnType<typeof selectReplayPrompts>;
  try {
    scanner = new CanaryScanner(ledger.entries());
    selection = selectReplayPrompts(ledger.entries(), { perGroup });
  } finally {
    ledger.close();
  }
  if (selection.prompts.length === 0) {
    throw new UsageError(
      selection.withoutPrompt > 0
        ? 'the ledger is hash-only (no prompt text), so there is nothing to replay'
        : 'the ledger holds no canary',
    );
  }
  const maxQueries = integerOption('max-queries', values['max-queries'], selection.prompts.length, 1, Number.MAX_SAFE_INTEGER);
  const prompts = selection.prompts.slice(0, maxQueries);
  const abort = new AbortController();
  const onSigint = () => abort.abort(new UsageError('interrupted'));
  process.once('SIGINT', onSigint);
  let report: Awaited<ReturnType<typeof replayProbe>>;
  try {
    report = await replayProbe({
      client,
      scanner,
      prompts,
      concurrency,
      signal: abort.signal,
      onAnswer: (_, done) => {
        if (!values.json && done % 50 === 0) writeLine(io.stderr, `lineage: ${done}/${prompts.length} answers`);
      },
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (report.answered === 0) {
    throw new UsageError(`the suspect answered none of ${report.asked} prompts: ${report.answers[0]?.error ?? 'no answer'}`);
  }
  const summary = {
    model: values.model,
    asked: report.asked,
    answered: report.answered,
    failed: report.failed,
    ...scanFields(report.scan, alpha),
    groups: report.groups,
  };
  if (values.json) {
    writeJson(io.stdout, summary);
  } else {
    writeTable(io.stdout, [
      ['asked', `${report.asked} (${report.failed} failed)`],
      ['canaries found', `${report.scan.hits.length} of ${report.scan.draws} ledger draws`],
      ['p-value', `${report.scan.pValue.toPrecision(3)} (log10 ${report.scan.log10P.toFixed(2)})`],
    ]);
    writeLine(io.stdout);
    writeColumns(
      io.stdout,
      report.groups.map((g) => ({
        group: g.campaign === undefined ? `account ${g.account}` : `campaign ${g.campaign}`,
        asked: g.asked,
        reproduced: g.reproduced,
      })),
    );
  }
  return 0;
}

function exportLedger(argv: readonly string[], io: CliIo): number {
  const { values } = parseCommandArgs('canary export', argv, { ledger: { type: 'string' } }, { min: 0, max: 0 });
  const ledger = openLedger(values.ledger, 'export');
  try {
    exportLedgerJsonl(ledger, (line) => io.stdout.write(line));
  } finally {
    ledger.close();
  }
  return 0;
}

const subcommands: Record<string, { help: string; run: (argv: readonly string[], io: CliIo) => number | Promise<number> }> = {
  scan: { help: canaryScanHelp, run: scan },
  probe: { help: canaryProbeHelp, run: probe },
  export: { help: canaryExportHelp, run: exportLedger },
};

export async function canary(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    writeLine(io.stdout, canaryHelp);
    return 0;
  }
  const sub = name === undefined ? undefined : subcommands[name];
  if (!sub)
    throw new UsageError(
      `lineage canary needs one of scan, probe, export, got ${JSON.stringify(name ?? '')} (see \`lineage canary --help\`)`,
    );
  if (rest.includes('--help') || rest.includes('-h')) {
    writeLine(io.stdout, sub.help);
    return 0;
  }
  return await sub.run(rest, io);
}
