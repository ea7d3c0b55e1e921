/**
 * `lineage probe`: ask a suspect model the prompts over its OpenAI-compatible chat API, test its
 * answers for every channel of the key, and write the evidence report (JSON and HTML). Answers
 * are cached as they arrive, so a rerun with the same --cache resumes without asking again.
 * The first Ctrl-C stops asking, lets the answers in flight land and writes the partial report
 * (exit 130); a second one quits at once.
 */
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type LineageKey, loadKeyFile } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { type ReadingModeResult, readingModeTest, type TokenSchemeName, type TopTokenPredictor } from '@lineage/detect';
import { CanaryScanner } from '@lineage/detect/canary';
import { ChatClient } from '@lineage/detect/probe';
import { renderReportHtml } from '@lineage/detect/report';
import {
  AnswerCache,
  type EvidenceReport,
  PROBE_SCHEMES,
  type ProbeProgress,
  type ProbeSchemeName,
  probeSuspect,
  textSetHash,
} from '@lineage/detect/suspect';
import { type LanguageModel, loadModelFile } from '@lineage/testbed';
import { readAccountIds } from '../account-ids.js';
import { type CliIo, writeColumns, writeJson, writeLine, writeTable } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { readPromptFile } from '../prompt-file.js';
import { readReadingFile } from '../reading-file.js';
import { toolVersion } from '../tool-version.js';
import { UsageError } from '../usage-error.js';
import { openLedger } from './canary.js';
import { fractionOption, integerOption } from './testbed-options.js';

export const probeHelp = `Usage: lineage probe --key FILE --base-url URL --model M --prompts FILE [options]

Asks a suspect model the prompts over its OpenAI-compatible chat API (chat completions only,
no logprobs needed) and tests its answers for the key's marks: the provider channel of every
scheme (radioactivity), every campaign in the key file, the identity channel (with --accounts
or --ledger) and ledgered canaries (with --ledger). All answers are tested as one sample:
each scoring tuple counts once, and tuples that occur in the prompts are excluded.

Options:
  --key FILE          key file (required)
  --base-url URL      the suspect's API root, e.g. https://host/v1 (required)
  --model M           the model name to ask for (required)
  --prompts FILE      JSONL with a "prompt" field per line, or plain text, one prompt per line
  --scheme S          kgw, gumbel, tournament, lexical, or auto (default): every scheme, each
                      p-value Bonferroni-corrected for the number tested
  --api-key-env VAR   read the suspect's API key from this environment variable
  --max-queries N     queries to plan (default: one per prompt; more asks prompts again)
  --concurrency C     requests in flight (default 4)
  --looks L           planned looks for early stopping (default 4; 1 turns it off). Every
                      provider, campaign and identity p-value is multiplied by L (Bonferroni
                      alpha spending); after Ctrl-C the report tests the last look reached
  --alpha A           significance level of the verdicts (default 1e-6)
  --max-tokens N      max_tokens per answer (default 256)
  --temperature T     sampling temperature (default 1)
  --timeout-ms MS     per request, reading the answer included (default 60000)
  --accounts FILE     registered account ids, one per line: decode the identity channel
  --ledger DB         canary ledger: scan the answers for ledgered canaries
  --cache DIR         answer cache (default $XDG_CACHE_HOME/lineage/probe or ~/.cache/lineage/probe);
                      answers are replayed in arrival order, so a resumed run's looks see the same sets
  --retest            test cached answers that were already tested under another plan (other
                      schemes, queries, looks, alpha, key or prompts); refused by default, since
                      the report cannot correct for the earlier tests (it says so)
  --out FILE          write the report as JSON
  --html FILE         write the report as a self-contained HTML page
  --json              print the report on stdout
  -h, --help          show this help

Open-weight suspects (reading mode, Sander et al. 2024), run beside the black-box tests:
  --suspect-model F   the suspect as a testbed model file (lineage testbed train/distill);
                      its top-1 next token is the argmax of its next-token distribution
  --reading FILE      marked texts to read through it (JSONL with a "text" field, or plain
                      text, one per line), e.g. a random sample of served outputs, chosen
                      without looking at their scores. At each position the suspect's top-1
                      prediction after the true preceding tokens is scored under the key (the
                      true token never is), each window once at its first occurrence: exact
                      tails, reported as "reading", a separate test at --alpha, Bonferroni over
                      the token-level schemes read (kgw, gumbel, tournament; not lexical)
  An endpoint that only returns top-k logprobs over the chat API cannot be teacher-forced on a
  given text, so reading mode needs the model itself; such an endpoint gets the black-box tests.

Exit codes: 0 when the probe ran (whatever the verdict), 130 after Ctrl-C (partial report
written), 2 on bad usage or when the suspect cannot be asked, 1 on an internal failure.`;

export async function probe(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    'probe',
    argv,
    {
      key: { type: 'string' },
      'base-url': { type: 'string' },
      model: { type: 'string' },
      prompts: { type: 'string' },
      scheme: { type: 'string' },
      'api-key-env': { type: 'string' },
      'max-queries': { type: 'string' },
      concurrency: { type: 'string' },
      looks: { type: 'string' },
      alpha: { type: 'string' },
      'max-tokens': { type: 'string' },
      temperature: { type: 'string' },
      'timeout-ms': { type: 'string' },
      accounts: { type: 'string' },
      ledger: { type: 'string' },
      cache: { type: 'string' },
      retest: { type: 'boolean' },
      out: { type: 'string' },
      html: { type: 'string' },
      json: { type: 'boolean' },
      'suspect-model': { type: 'string' },
      reading: { type: 'string' },
    },
    { min: 0, max: 0 },
  );
  for (const name of ['key', 'base-url', 'model', 'prompts'] as const)
    if (!values[name]) throw new UsageError(`probe needs --${name} (see \`lineage probe --help\`)`);
  const scheme = values.scheme ?? 'auto';
  if (scheme !== 'auto' && !(PROBE_SCHEMES as readonly string[]).includes(scheme))
    throw new UsageError(`unknown scheme ${JSON.stringify(scheme)}; use ${PROBE_SCHEMES.join(', ')} or auto`);
  let apiKey: string | undefined;
  if (values['api-key-env'] !== undefined) {
    apiKey = process.env[values['api-key-env']];
    if (!apiKey) throw new UsageError(`the environment variable ${values['api-key-env']} named by --api-key-env is not set`);
  }
  const alpha = fractionOption('alpha', values.alpha, 1e-6, (x) => x > 0 && x < 1, '(0, 1)');
  const temperature = fractionOption('temperature', values.temperature, 1, (x) => x >= 0 && x <= 2, '[0, 2]');
  const maxTokens = integerOption('max-tokens', values['max-tokens'], 256, 1, 1_000_000);
  const concurrency = integerOption('concurrency', values.concurrency, 4, 1, 1_000);
  const timeoutMs = integerOption('timeout-ms', values['timeout-ms'], 60_000, 1, 3_600_000);
  const key = loadKeyFile(values.key as string);
  const reader = openReading(values['suspect-model'], values.reading, scheme, key);
  const prompts = readPromptFile(values.prompts as string);
  const maxQueries = integerOption('max-queries', values['max-queries'], prompts.length, 1, Number.MAX_SAFE_INTEGER);
  const looks = integerOption('looks', values.looks, Math.min(4, maxQueries), 1, maxQueries);
  const accounts = values.accounts === undefined ? [] : readAccountIds(values.accounts);
  let canaries: CanaryScanner | undefined;
  if (values.ledger !== undefined) {
    const ledger = openLedger(values.ledger, 'probe');
    try {
      canaries = new CanaryScanner(ledger.entries());
      // Accounts that were served canaries are registered accounts too.
      for (const entry of ledger.entries()) accounts.push(entry.accountId);
    } finally {
      ledger.close();
    }
  }
  const client = new ChatClient({
    baseUrl: values['base-url'] as string,
    model: values.model as string,
    timeoutMs,
    maxTokens,
    temperature,
    ...(apiKey === undefined ? {} : { apiKey }),
  });
  const cacheDir = values.cache ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lineage', 'probe');
  using cache = new AnswerCache(cacheDir, { baseUrl: client.endpointId, model: client.model, maxTokens, temperature });
  const quiet = values.json === true;
  if (!quiet) writeLine(io.stderr, `lineage: probing ${client.model} at ${client.baseUrl}; ${cache.size} cached answers in ${cache.path}`);

  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort(new UsageError('interrupted'));
    writeLine(
      io.stderr,
      '\nlineage: interrupted: finishing the requests in flight, then writing the partial report (Ctrl-C again to quit now)',
    );
  };
  process.on('SIGINT', onSigint);
  const progress = progressWriter(io, quiet);
  let report: EvidenceReport;
  try {
    report = await probeSuspect({
      client,
      key,
      prompts,
      schemes: scheme === 'auto' ? 'auto' : [scheme as ProbeSchemeName],
      maxQueries,
      concurrency,
      alpha,
      looks,
      cache,
      retest: values.retest === true,
      ...(accounts.length > 0 ? { accounts } : {}),
      ...(canaries ? { canaries } : {}),
      signal: interrupt.signal,
      onProgress: progress.update,
      toolVersion: toolVersion(),
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.end();
  }
  if (reader) {
    let reading: ReturnType<typeof reader.run>;
    try {
      reading = reader.run(alpha);
    } catch (error) {
      // The probe's answers are worth keeping: write the black-box report before failing.
      if (values.out) writeReportFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
      if (values.html) writeReportFile(values.html, renderReportHtml(report));
      throw error;
    }
    report = { ...report, corrections: [...report.corrections, reader.correction(reading)], reading };
  }
  if (values.out) writeReportFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  if (values.html) writeReportFile(values.html, renderReportHtml(report));
  if (values.json) writeJson(io.stdout, report);
  else writeSummary(io, report, values.out, values.html);
  return report.status === 'interrupted' ? 130 : 0;
}

/** Reading mode's inputs, checked before any query is sent: the suspect model and the marked texts. */
function openReading(
  modelPath: string | undefined,
  readingPath: string | undefined,
  scheme: string,
  key: LineageKey,
): { run(alpha: number): ReadingModeResult; correction(r: ReadingModeResult): string } | undefined {
  if (modelPath === undefined && readingPath === undefined) return undefined;
  if (modelPath === undefined || readingPath === undefined)
    throw new UsageError('--suspect-model and --reading go together: reading mode feeds the --reading texts through the --suspect-model');
  if (scheme === 'lexical')
    throw new UsageError('reading mode tests token-level schemes: use --scheme kgw, gumbel, tournament or auto with --suspect-model');
  const model = loadModelFile(modelPath);
  if (model.encoding !== key.tokenizer)
    throw new UsageError(`--suspect-model ${modelPath} predicts ${model.encoding} tokens, but the key's tokenizer is ${key.tokenizer}`);
  const raw = readReadingFile(readingPath);
  using tokenizer = createTokenizer({ encoding: key.tokenizer });
  const texts = raw.map((text) => tokenizer.encode(text));
  return {
    run: (alpha) =>
      readingModeTest({ key, scheme: scheme === 'auto' ? 'auto' : (scheme as TokenSchemeName), texts, predict: topTokenOf(model), alpha }),
    correction: (r) =>
      `reading mode: a separate test at alpha on ${raw.length} marked texts (SHA-256 ${textSetHash(raw)}) read through the suspect model with teacher forcing; only its top-1 prediction is scored (never the true token), each window once at its first occurrence across the texts, so the tail is exact${
        r.schemes.length > 1
          ? `; Bonferroni over the ${r.schemes.length} schemes read (each p-value x ${r.schemes.length}), the most significant reported`
          : ''
      }`,
  };
}

/** The testbed model's most probable next token; a short context is read as a paragraph start, as the model was trained. */
function topTokenOf(model: LanguageModel): TopTokenPredictor {
  const tail = model.order - 1;
  return (context) => {
    const read = context.length >= tail ? context.subarray(context.length - tail) : [model.boundaryId, ...context];
    return (model.topLogProbs(read, 1)[0] as { readonly token: number }).token;
  };
}

function writeReportFile(path: string, content: string): void {
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A progress bar with rate and ETA on a terminal; a line per tenth (and per look) otherwise. */
function progressWriter(io: CliIo, quiet: boolean): { update: (p: ProbeProgress) => void; end: () => void } {
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true && !process.env.CI;
  let lastTenth = -1;
  let lastDraw = 0;
  let drawn = false;
  const describe = (p: ProbeProgress) => {
    const done = p.answered + p.failed;
    const rate = (done - p.cached) / Math.max(p.elapsedMs / 1000, 1e-3);
    const eta = rate > 0 ? Math.ceil((p.planned - done) / rate) : Number.NaN;
    const etaText = Number.isFinite(eta) ? `${Math.floor(eta / 60)}m${String(eta % 60).padStart(2, '0')}s` : '?';
    return { done, text: `${done}/${p.planned} (${p.cached} cached, ${p.failed} failed) ${rate.toFixed(1)}/s ETA ${etaText}` };
  };
  return {
    update(p) {
      if (quiet) return;
      const { done, text } = describe(p);
      if (p.look) {
        if (drawn) io.stderr.write('\n');
        drawn = false;
        writeLine(
          io.stderr,
          `lineage: look ${p.look.index} at ${p.look.answers} answers: provider log10 p ${p.look.log10P.toFixed(2)}${p.look.decisive ? ' (decisive: stopping)' : ''}`,
        );
      }
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 100 && done < p.planned) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round((width * done) / p.planned);
        io.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\u001b[K`);
        drawn = true;
        return;
      }
      const tenth = Math.floor((10 * done) / p.planned);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        writeLine(io.stderr, `lineage: ${text}`);
      }
    },
    end() {
      if (drawn) io.stderr.write('\n');
    },
  };
}

function writeSummary(io: CliIo, report: EvidenceReport, out?: string, html?: string): void {
  const p = report.provider;
  writeTable(io.stdout, [
    ['suspect', `${report.suspect.model} at ${report.suspect.baseUrl}`],
    ['verdict', `${p.verdict} (${p.scheme}, p ${p.pValue.toPrecision(3)}, log10 p ${p.log10P.toFixed(2)}, alpha ${p.alpha})`],
    ['run', `${report.status}; ${report.queries.answered} answers tested, ${report.queries.answerTokens} tokens`],
    [
      'queries',
      `${report.queries.asked} asked, ${report.queries.cached} cached, ${report.queries.failed} failed, ${report.queries.skipped} not asked`,
    ],
    ...(report.canaries
      ? ([
          [
            'canaries',
            `${report.canaries.hits.length} of ${report.canaries.draws} draws found, log10 p ${report.canaries.log10P.toFixed(2)}`,
          ],
        ] as const)
      : []),
    ...(report.reading
      ? ([
          [
            'reading',
            `${report.reading.verdict} (${report.reading.scheme}, ${report.reading.scored} windows read, p ${report.reading.pValue.toPrecision(3)}, log10 p ${report.reading.log10P.toFixed(2)})`,
          ],
        ] as const)
      : []),
    ...(out ? ([['report', out]] as const) : []),
    ...(html ? ([['html', html]] as const) : []),
  ]);
  writeLine(io.stdout);
  const row = (r: EvidenceReport['schemes'][number], what: string) => ({
    test: what,
    scheme: r.scheme,
    scored: r.scored,
    score: Number(r.score.toFixed(2)),
    expected: Number(r.expected.toFixed(2)),
    pValue: r.pValue.toPrecision(3),
    log10P: r.log10P.toFixed(2),
    verdict: r.verdict,
  });
  writeColumns(io.stdout, [
    ...report.schemes.map((r) => row(r, 'provider')),
    ...report.campaigns.map((r) => row(r, `campaign ${r.campaign}`)),
    ...report.identity.map((r) => ({ ...row(r, 'identity'), verdict: r.account ?? r.status })),
  ]);
}
