/**
 * `lineage demo`: the whole story in one command (run-demo.ts), with a verdict table for the
 * student and the clean control and the path of the HTML evidence report.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EvidenceReport } from '@lineage/detect/suspect';
import { type CliIo, writeColumns, writeJson, writeLine } from '../cli-io.js';
import { DEMO_CAMPAIGN, type DemoModelResult, runDemo } from '../demo/run-demo.js';
import { markingSchemes } from '../marking-schemes.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';
import { fractionOption, integerOption } from './testbed-options.js';

export const demoHelp = `Usage: lineage demo [--accounts N] [--rho R] [--scheme S] [--seed S] [--out DIR] [--json]

Plays the whole story on this machine in about a minute: a provider serves a marked Brown
teacher model (the scheme below, plus keyed canaries recorded in an SQLite ledger); a hydra
campaign of N accounts harvests its answers, half of them flagged into campaign ${DEMO_CAMPAIGN};
a student is distilled from the harvest mixed with clean text, beside a clean control; then both
are served over HTTP and probed like a researcher would, with the prompts the provider logged.
Prints a verdict table and writes JSON and HTML evidence reports.

Options:
  --accounts N      accounts in the harvesting cluster (default 200, 5 to 5000)
  --rho R           share of the student's training text that was harvested (default 0.5)
  --scheme S        kgw (default), gumbel, tournament or lexical
  --seed S          seed of the simulation (default "demo"); the key is always fresh
  --tokens N        the student's training tokens (default 600000, 50000 to 1100000; 100000
                    for gumbel and tournament, whose marking is slow, with --rho 0.1)
  --order N         the teacher's n-gram order (default 4; 3 is quicker, learns less)
  --canary-rate R   canary rate for unflagged accounts (default 0.05; flagged get 10x)
  --out DIR         where the key, ledger, models and reports go (default: a new temp folder)
  --json            print {"student", "control", "report"} on stdout
  -h, --help        show this help`;

export async function demo(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    'demo',
    argv,
    {
      accounts: { type: 'string' },
      rho: { type: 'string' },
      scheme: { type: 'string' },
      seed: { type: 'string' },
      tokens: { type: 'string' },
      order: { type: 'string' },
      'canary-rate': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
    { min: 0, max: 0 },
  );
  const scheme = values.scheme ?? 'kgw';
  if (!markingSchemes.has(scheme))
    throw new UsageError(`unknown scheme ${JSON.stringify(scheme)}; use ${[...markingSchemes.keys()].join(', ')}`);
  // Gumbel and tournament marking read the whole 200k-token distribution at every step
  // (about 10 ms per token here), so their default harvest is kept to about 10k tokens.
  const dense = scheme === 'gumbel' || scheme === 'tournament';
  if (dense && (values.tokens === undefined || values.rho === undefined))
    writeLine(
      io.stderr,
      `lineage: ${scheme} marking reads the whole vocabulary's distribution per token (about 10 ms here), so this demo harvests about 10k tokens (--tokens 100000 --rho 0.1 unless set); expect a weak student`,
    );
  const options = {
    accounts: integerOption('accounts', values.accounts, 200, 5, 5_000),
    rho: fractionOption('rho', values.rho, dense ? 0.1 : 0.5, (x) => x > 0 && x <= 1, '(0, 1]'),
    scheme,
    seed: values.seed ?? 'demo',
    tokens: integerOption('tokens', values.tokens, dense ? 100_000 : 600_000, 50_000, 1_100_000),
    order: integerOption('order', values.order, 4, 2, 5),
    canaryRate: fractionOption('canary-rate', values['canary-rate'], 0.05, (x) => x >= 0 && x <= 1, '[0, 1]'),
    rounds: 5,
    dir: resolve(values.out ?? mkdtempSync(join(tmpdir(), 'lineage-demo-'))),
    log: (line: string) => writeLine(io.stderr, line),
  };
  const result = await runDemo(options);
  const entry = (m: DemoModelResult) => ({
    ...m.report.provider,
    campaigns: m.report.campaigns.map((c) => ({ campaign: c.campaign, pValue: c.pValue, log10P: c.log10P, verdict: c.verdict })),
    identity: m.report.identity.map((i) => ({ status: i.status, account: i.account, pValue: i.pValue, log10P: i.log10P })),
    canaries: m.report.canaries,
    queries: m.report.queries,
    report: m.htmlPath,
    reportJson: m.reportPath,
  });
  if (values.json) {
    writeJson(io.stdout, { student: entry(result.student), control: entry(result.control), report: result.student.htmlPath });
    return 0;
  }
  writeLine(io.stdout);
  writeColumns(io.stdout, [row('student', result.student.report), row('control', result.control.report)]);
  writeLine(io.stdout);
  writeLine(io.stdout, `key ${result.key.keyId}, commitment ${result.key.commitment}`);
  writeLine(io.stdout, `evidence report (student): ${result.student.htmlPath}`);
  writeLine(io.stdout, `evidence report (control): ${result.control.htmlPath}`);
  writeLine(io.stdout, `everything else (key, ledger, models, answer caches): ${result.dir}`);
  writeLine(io.stdout, `finished in ${result.seconds.toFixed(0)} s`);
  return 0;
}

function row(model: string, report: EvidenceReport) {
  const p = report.provider;
  const campaigns = report.campaigns.filter((c) => c.verdict === 'marked').map((c) => c.campaign);
  const identity = report.identity.find((i) => i.status === 'account');
  const hits = report.canaries?.hits ?? [];
  return {
    model,
    verdict: p.verdict,
    scheme: p.scheme,
    pValue: p.pValue.toPrecision(3),
    log10P: p.log10P.toFixed(1),
    campaigns: campaigns.join(',') || '-',
    account: identity?.account ?? '-',
    canaryHits: `${hits.length} (log10 p ${(report.canaries?.log10P ?? 0).toFixed(1)})`,
    canariesName: namedBy(hits),
    answers: report.queries.answered,
  };
}

/** Who the canary hits name: each campaign or unflagged account with its number of hits, most first. */
function namedBy(hits: readonly { readonly account: string; readonly campaign?: string }[]): string {
  const counts = new Map<string, number>();
  for (const h of hits) counts.set(h.campaign ?? h.account, (counts.get(h.campaign ?? h.account) ?? 0) + 1);
  const named = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = named.slice(0, 3).map(([who, n]) => `${who} x${n}`);
  return named.length > 3 ? `${shown.join(', ')}, +${named.length - 3} more` : shown.join(', ') || '-';
}
