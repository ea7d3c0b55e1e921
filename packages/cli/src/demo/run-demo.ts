/**
 * The end-to-end story in one run, on embedded defaults: a provider marks every answer of a Brown
 * teacher model (a token-level or the lexical scheme, plus keyed canaries recorded in an SQLite
 * ledger); a hydra campaign of many accounts harvests answers, some accounts flagged into a
 * campaign; a student is distilled from the harvest mixed with clean text, beside a control
 * trained on clean text only; then both are served over HTTP and probed like a researcher would,
 * with the prompts the provider's logs hold, and each gets an evidence report.
 *
 * The harvest runs in-process (`distill`) through the same marking hooks the testbed server
 * uses; only the probing goes over HTTP, since that is where a researcher meets a suspect.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addCampaignToKeyFile, createKeyFile, type LineageKey } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { CanaryScanner } from '@lineage/detect/canary';
import { ChatClient } from '@lineage/detect/probe';
import { renderReportHtml } from '@lineage/detect/report';
import { AnswerCache, type EvidenceReport, probeSuspect } from '@lineage/detect/suspect';
import { CanaryMarker } from '@lineage/embed/canary';
import { openSqliteLedger } from '@lineage/embed/ledger';
import { accountId, distill, loadModelFile, type MarkingScheme, startChatServer, trainOnBrown } from '@lineage/testbed';
import { markingSchemes } from '../marking-schemes.js';
import { toolVersion } from '../tool-version.js';

export const DEMO_CAMPAIGN = 'hydra-1';

export interface DemoOptions {
  /** Where the key, ledger, models, caches and reports go. */
  readonly dir: string;
  /** Accounts in the harvesting cluster (half of them flagged into the campaign). */
  readonly accounts: number;
  /** Share of the student's training tokens that are harvested answers. */
  readonly rho: number;
  readonly scheme: string;
  readonly seed: string;
  /** The student's training tokens. */
  readonly tokens: number;
  /** Teacher order (4 learns the most; 3 is quicker). */
  readonly order: number;
  /** Canary rate for unflagged accounts; flagged accounts get ten times it (at most 1). */
  readonly canaryRate: number;
  /** Each distinct logged prompt is asked this many times. */
  readonly rounds: number;
  readonly log: (line: string) => void;
}

export interface DemoModelResult {
  readonly report: EvidenceReport;
  readonly reportPath: string;
  readonly htmlPath: string;
}

export interface DemoResult {
  readonly dir: string;
  readonly key: { readonly keyId: string; readonly commitment: string };
  readonly scheme: string;
  readonly accounts: number;
  readonly flagged: number;
  readonly rho: number;
  readonly exchanges: number;
  readonly canariesServed: number;
  readonly student: DemoModelResult;
  readonly control: DemoModelResult;
  readonly seconds: number;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const { dir, log } = options;
  const step = stepper(log, started);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, 'key.json');
  createKeyFile({ path: keyPath, force: true });
  const key = addCampaignToKeyFile(keyPath, DEMO_CAMPAIGN);
  step(`key ${key.keyId} in ${keyPath}; commitment ${key.commitment.slice(0, 16)}…`);

  const teacher = trainOnBrown({ order: options.order, tokens: 300_000, seed: `demo/${options.seed}/teacher` });
  step(`trained the provider's teacher: an order-${options.order} n-gram model on 300,000 Brown tokens`);

  const ledgerPath = join(dir, 'ledger.db');
  const ledger = openSqliteLedger(ledgerPath);
  const flagged = Math.max(1, Math.floor(options.accounts / 2));
  const canaries = new CanaryMarker({
    key,
    ledger,
    rate: options.canaryRate,
    flaggedRate: Math.min(1, options.canaryRate * 10),
    flaggedCampaigns: [DEMO_CAMPAIGN],
    capPerDay: 1_000_000,
  });
  const marking = withCanaries(schemeMarking(options.scheme, key), canaries);
  const distillDir = join(dir, 'distill');
  let manifest: ReturnType<typeof distill>;
  try {
    manifest = distill({
      teacher,
      marking,
      accounts: options.accounts,
      campaigns: [{ id: DEMO_CAMPAIGN, count: flagged }],
      rho: options.rho,
      tokens: options.tokens,
      // Each prompt belongs to one account, asked again and again as distillers do.
      promptPool: options.accounts,
      seed: `demo/${options.seed}`,
      key: { keyId: key.keyId, commitment: key.commitment },
      outDir: distillDir,
    });
  } finally {
    ledger.close();
  }
  const served = readLedgerCount(ledgerPath);
  step(
    `${options.accounts} accounts (${flagged} flagged into ${DEMO_CAMPAIGN}) harvested ${manifest.exchanges} marked answers; ${served} carried a canary`,
  );
  step(`distilled a student from ${options.tokens} tokens, ${Math.round(options.rho * 100)}% harvested, and a clean control`);

  const prompts = loggedPrompts(join(distillDir, 'harvest.jsonl'));
  const registered = Array.from({ length: options.accounts }, (_, i) => accountId(i));
  const reader = openSqliteLedger(ledgerPath, { readonly: true });
  let scanner: CanaryScanner;
  try {
    scanner = new CanaryScanner(reader.entries());
  } finally {
    reader.close();
  }
  const probeOne = async (name: 'student' | 'control'): Promise<DemoModelResult> => {
    const report = await probeModel({
      file: join(distillDir, `${name}.model`),
      name,
      key,
      prompts,
      queries: prompts.length * options.rounds,
      scheme: options.scheme,
      accounts: registered,
      scanner,
      cacheDir: join(dir, 'cache'),
    });
    const reportPath = join(dir, `${name}-report.json`);
    const htmlPath = join(dir, `${name}-report.html`);
    writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(htmlPath, renderReportHtml(report));
    step(
      `probed the ${name} over HTTP: ${report.queries.answered} answers, ${report.queries.answerTokens} tokens; provider ${report.provider.verdict} (log10 p ${report.provider.log10P.toFixed(1)})`,
    );
    return { report, reportPath, htmlPath };
  };
  const student = await probeOne('student');
  const control = await probeOne('control');
  return {
    dir,
    key: { keyId: key.keyId, commitment: key.commitment },
    scheme: options.scheme,
    accounts: options.accounts,
    flagged,
    rho: options.rho,
    exchanges: manifest.exchanges,
    canariesServed: served,
    student,
    control,
    seconds: (performance.now() - started) / 1000,
  };
}

function stepper(log: (line: string) => void, started: number) {
  let n = 0;
  return (line: string) => log(`[${++n}] ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${line}`);
}

function schemeMarking(name: string, key: LineageKey): MarkingScheme {
  const factory = markingSchemes.get(name);
  if (!factory) throw new Error(`no marking scheme ${name}`);
  return factory(key);
}

/** The scheme's sampler; then, as the proxy does, a canary into the finished answer (recorded in the ledger) before the text marker. */
function withCanaries(scheme: MarkingScheme, canaries: CanaryMarker): MarkingScheme {
  return {
    name: scheme.name,
    ...(scheme.samplerFor ? { samplerFor: scheme.samplerFor } : {}),
    textMarkerFor: (account) => {
      const text = scheme.textMarkerFor?.(account);
      return {
        markText: (answer, prompt) => {
          const withCanary = canaries.mark({ ...account, prompt: prompt ?? '', text: answer }).text;
          return text ? text.markText(withCanary, prompt) : withCanary;
        },
      };
    },
  };
}

function readLedgerCount(path: string): number {
  const ledger = openSqliteLedger(path, { readonly: true });
  try {
    let count = 0;
    for (const _ of ledger.entries()) count++;
    return count;
  } finally {
    ledger.close();
  }
}

/** The distinct prompts of the harvest: what the provider's request logs hold. */
function loggedPrompts(harvestPath: string): string[] {
  const prompts = new Set<string>();
  for (const line of readFileSync(harvestPath, 'utf8').split('\n')) {
    if (line !== '') prompts.add((JSON.parse(line) as { prompt: string }).prompt);
  }
  return [...prompts];
}

async function probeModel(options: {
  readonly file: string;
  readonly name: string;
  readonly key: LineageKey;
  readonly prompts: readonly string[];
  readonly queries: number;
  readonly scheme: string;
  readonly accounts: readonly string[];
  readonly scanner: CanaryScanner;
  readonly cacheDir: string;
}): Promise<EvidenceReport> {
  using tokenizer = createTokenizer({ encoding: options.key.tokenizer });
  const server = await startChatServer({ model: loadModelFile(options.file), modelName: `${options.name}-model`, tokenizer });
  try {
    const client = new ChatClient({ baseUrl: server.url, model: `${options.name}-model`, maxTokens: 128, temperature: 1 });
    using cache = new AnswerCache(join(options.cacheDir, options.name), {
      baseUrl: client.endpointId,
      model: client.model,
      maxTokens: 128,
      temperature: 1,
    });
    return await probeSuspect({
      client,
      key: options.key,
      prompts: options.prompts,
      maxQueries: options.queries,
      schemes: [options.scheme as 'kgw'],
      accounts: options.accounts,
      canaries: options.scanner,
      cache,
      concurrency: 4,
      toolVersion: toolVersion(),
    });
  } finally {
    await server.close();
  }
}
