/**
 * `lineage attribute`: which account or campaign each leaked or published text was served to,
 * and a summary per account and campaign corrected for the number of texts. Texts stream
 * through one at a time: output is written as each text is done, and only the per-account and
 * per-campaign tallies are kept, so memory does not grow with the number of rows.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { LineageError, loadKeyFile } from '@lineage/core';
import {
  ATTRIBUTION_SCHEMES,
  AttributionSummary,
  type AttributionSummaryEntry,
  type TextAttribution,
  TextAttributor,
} from '@lineage/detect/attribution';
import { CanaryScanner } from '@lineage/detect/canary';
import { openSqliteLedger } from '@lineage/embed/ledger';
import { readAccountIds } from '../account-ids.js';
import { type CliIo, writeColumns, writeLine, writeTable } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { readTextInputs } from '../text-input.js';
import { UsageError } from '../usage-error.js';
import { fractionOption } from './testbed-options.js';

export const attributeHelp = `Usage: lineage attribute --key FILE [--accounts FILE] [--ledger DB] [--scheme NAME] [--alpha A]
                         [--jsonl] [--field NAME] [--json] FILE... | -

Names the account or campaign each text (a leaked or published dataset, one text per JSONL
row) was served to, then summarizes per account and campaign. Each text is tested on its own:
the account its identity channel names, else the campaign whose channel is marked, else none;
with --ledger, the ledgered canaries it holds too. A per-text p-value is corrected for the
schemes (and campaigns) tested; the summary's p-value for an account or campaign is its
smallest per-text p-value times the number of texts (Bonferroni over texts), since among N
clean texts about N x alpha are attributed by chance. Rows stream through in bounded memory.
A bad JSONL line is reported with its line number and the rest goes on (exit code 2).

Options:
  --key FILE      key file to test with (required)
  --accounts FILE registered account ids, one per line: the accounts the identity channel can name
  --ledger DB     canary ledger (\`lineage embed --ledger\`): find its canaries in each text; its
                  accounts are registered for the identity channel too
  --scheme NAME   kgw, gumbel, tournament, lexical, or auto (default): every scheme, each p-value
                  Bonferroni-corrected for the number of schemes tested
  --alpha A       significance level, per text and for the summary (default 1e-6)
  --jsonl         read every input as JSONL
  --field NAME    JSONL field holding the text (default "text")
  --json          print {"results": [...], "summary": {...}} on stdout, one result per input in order
  -h, --help      show this help`;

export async function attribute(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'attribute',
    argv,
    {
      key: { type: 'string' },
      accounts: { type: 'string' },
      ledger: { type: 'string' },
      scheme: { type: 'string' },
      alpha: { type: 'string' },
      jsonl: { type: 'boolean' },
      field: { type: 'string' },
      json: { type: 'boolean' },
    },
    { min: 1, max: Number.POSITIVE_INFINITY },
  );
  if (!values.key) throw new UsageError('attribute needs --key FILE (see `lineage attribute --help`)');
  const alpha = fractionOption('alpha', values.alpha, 1e-6, (x) => x > 0 && x < 1, '(0, 1)');
  const scheme = values.scheme ?? 'auto';
  if (scheme !== 'auto' && !(ATTRIBUTION_SCHEMES as readonly string[]).includes(scheme))
    throw new UsageError(`unknown scheme ${JSON.stringify(scheme)}; available: ${ATTRIBUTION_SCHEMES.join(', ')}, auto`);
  if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const key = loadKeyFile(values.key); // refuse a bad key before reading any input
  const accounts = new Set(values.accounts === undefined ? [] : readAccountIds(values.accounts));
  const scanner = values.ledger === undefined ? undefined : openScanner(values.ledger, accounts);

  using attributor = new TextAttributor({
    key,
    alpha,
    schemes: scheme === 'auto' ? ATTRIBUTION_SCHEMES : [scheme as (typeof ATTRIBUTION_SCHEMES)[number]],
    ...(accounts.size > 0 ? { accounts } : {}),
    ...(scanner ? { canaries: scanner } : {}),
  });
  const summary = new AttributionSummary({ alpha });
  const out = new StreamWriter(io.stdout);
  const json = values.json ?? false;
  if (json) await out.write('{"results":[');
  let entries = 0;
  let problems = 0;
  const emit = async (entry: Record<string, unknown>, line: string) => {
    if (json) await out.write(`${entries === 0 ? '' : ','}\n${JSON.stringify(entry)}`);
    else await out.write(`${line}\n`);
    entries++;
  };
  for await (const item of readTextInputs(positionals, {
    stdin: io.stdin,
    ...(values.jsonl ? { jsonl: true } : {}),
    ...(values.field ? { field: values.field } : {}),
  })) {
    let message = item.kind === 'problem' ? item.message : undefined;
    let result: TextAttribution | undefined;
    if (item.kind === 'text') {
      try {
        result = attributor.attribute(item.text);
      } catch (error) {
        if (!(error instanceof LineageError)) throw error;
        message = error.message.split('\n')[0] as string;
      }
    }
    if (result === undefined) {
      problems++;
      writeLine(io.stderr, `lineage: ${item.source}: ${message}`);
      await emit({ source: item.source, error: message }, `${item.source}  error: ${message}`);
      continue;
    }
    summary.add(result);
    await emit(resultEntry(item.source, result), resultLine(item.source, result));
  }

  const totals = {
    keyId: key.keyId,
    commitment: key.commitment,
    schemes: attributor.schemes,
    registeredAccounts: attributor.registeredAccounts,
    ...(scanner ? { ledgerDraws: scanner.draws } : {}),
    badInputs: problems,
    ...summary.toJSON(),
  };
  if (json) {
    await out.write(`${entries === 0 ? '' : '\n'}],"summary":${JSON.stringify(totals, null, 2)}}\n`);
    return problems > 0 ? 2 : 0;
  }
  const n = totals.texts;
  writeLine(io.stdout);
  writeTable(io.stdout, [
    ['texts tested', `${n}${problems > 0 ? ` (${problems} bad input${problems === 1 ? '' : 's'} skipped)` : ''}`],
    ['marked', String(totals.marked)],
    ['attributed to an account', String(totals.attributedToAccount)],
    ['attributed to a campaign', String(totals.attributedToCampaign)],
    ...(scanner ? ([['with ledgered canaries', `${totals.withCanaries} (ledger: ${scanner.draws} draws)`]] as [string, string][]) : []),
    [
      'expected by chance',
      `<= ${formatCount(totals.expectedChanceAttributions)} of each kind (texts x alpha, alpha = ${alpha < 1e-3 ? alpha.toExponential() : alpha})`,
    ],
  ]);
  const rows = [
    ...totals.accounts.map((e) => summaryRow('account', e, scanner !== undefined)),
    ...totals.campaigns.map((e) => summaryRow('campaign', e, scanner !== undefined)),
  ];
  if (rows.length > 0) {
    writeLine(io.stdout);
    writeColumns(io.stdout, rows);
  }
  writeLine(io.stdout);
  writeLine(io.stdout, `Summary p-values are Bonferroni over ${n} texts: the smallest per-text p-value times ${n}.`);
  await out.drained();
  return problems > 0 ? 2 : 0;
}

/** The canary scanner over the ledger; every account in it joins `accounts`. */
function openScanner(path: string, accounts: Set<string>): CanaryScanner {
  const ledger = openSqliteLedger(path, { readonly: true });
  try {
    return new CanaryScanner(
      (function* () {
        for (const entry of ledger.entries()) {
          accounts.add(entry.accountId);
          yield entry;
        }
      })(),
    );
  } finally {
    ledger.close();
  }
}

function resultEntry(source: string, r: TextAttribution): Record<string, unknown> {
  return {
    source,
    attribution: r.attribution,
    presence: r.presence,
    ...(r.identity === undefined ? {} : { identity: r.identity }),
    ...(r.canaries === undefined
      ? {}
      : {
          canaries: {
            hits: r.canaries.hits,
            pValue: r.canaries.pValue,
            log10P: r.canaries.log10P,
            verdict: r.canaries.verdict,
            expected: r.canaries.expected,
          },
        }),
  };
}

function resultLine(source: string, r: TextAttribution): string {
  const a = r.attribution;
  const verdict = a
    ? `${a.kind} ${a.id} (${a.scheme})  p ${formatP(a.pValue, a.log10P)}`
    : r.presence.verdict === 'marked'
      ? `marked, no account or campaign named (${r.presence.scheme})  p ${formatP(r.presence.pValue, r.presence.log10P)}`
      : `not marked  p ${formatP(r.presence.pValue, r.presence.log10P)}`;
  const c = r.canaries;
  const canaries =
    c && c.hits.length > 0
      ? `  canaries ${[...new Set(c.hits.map((h) => h.account))].join(',')} p ${formatP(c.pValue, c.log10P)}${c.verdict === 'canaries-found' ? '' : ' (not significant)'}`
      : '';
  return `${source}  ${verdict}${canaries}`;
}

function summaryRow(kind: string, e: AttributionSummaryEntry, withCanaries: boolean): Record<string, unknown> {
  return {
    kind,
    id: e.id,
    texts: e.texts,
    pValue: formatP(e.pValue, e.log10P),
    verdict: e.verdict,
    ...(withCanaries
      ? { canaryTexts: e.canaryTexts, canaryPValue: formatP(e.canaryPValue, e.canaryLog10P), canaryVerdict: e.canaryVerdict }
      : {}),
  };
}

/** A p-value for people: 3 significant digits, or its power of ten once it underflows. */
function formatP(pValue: number, log10P: number): string {
  return pValue >= 1e-300 ? pValue.toPrecision(3) : `1e${log10P.toFixed(1)}`;
}

function formatCount(x: number): string {
  return x >= 0.01 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

/** Writes in order and waits when the stream's buffer is full, so a slow reader bounds memory. */
class StreamWriter {
  readonly #stream: Writable;
  constructor(stream: Writable) {
    this.#stream = stream;
  }

  async write(text: string): Promise<void> {
    if (!this.#stream.write(text)) await this.drained();
  }

  async drained(): Promise<void> {
    if (this.#stream.writableNeedDrain) await once(this.#stream, 'drain');
  }
}
