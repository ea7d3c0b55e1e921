/**
 * Attribution among a hydra cluster: which campaign a student was distilled from, and whose
 * account a leaked answer was served to, with 24,000 accounts registered.
 *
 * A green-list (kgw) marked order-4 Brown teacher answers a cluster of ACCOUNTS accounts in
 * turn; `distill` flags the first accounts into `campaign-7`, so their identity positions carry
 * that campaign's zero-bit mark instead of their own code. The key registers nine more campaigns
 * that harvested nothing (decoys): every campaign p-value is Bonferroni-corrected for all ten.
 * Each student is served by `startChatServer` and probed over HTTP by `probeSuspect` (kgw, one
 * look, every account registered) with logged prompts from harvest.jsonl: the cluster's, spread
 * over the log, and (scenario row) the campaign's own, asked five times each. The scenario's
 * clean control is probed the same way.
 *
 * Leaked text: everything served to single accounts, taken from harvest.jsonl, is attributed
 * text by text by `TextAttributor` (kgw) with all accounts registered. An account of a campaign
 * is rightly named by its campaign (its identity positions carry no code), any other by itself.
 * A cluster this size asks about one question per account, so those texts are ~80 tokens; the
 * second set is 1,500 tokens of teacher output served to each of a few single accounts, a
 * length at which the identity code is decodable.
 *
 * Writes results/attribution.json (full run only; `--short` is the bench:ci smoke run).
 * Run: pnpm --filter @lineage/benchmarks run attribution (about 5 minutes on 2 shared cores)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret, type LineageKey } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { AccountDirectory, type CampaignResult } from '@lineage/detect';
import { TextAttributor } from '@lineage/detect/attribution';
import { ChatClient } from '@lineage/detect/probe';
import { AnswerCache, type EvidenceReport, probeSuspect } from '@lineage/detect/suspect';
import {
  accountId,
  brownTokenDocuments,
  distill,
  generateSamples,
  greenListMarking,
  loadModelFile,
  startChatServer,
  trainOnBrown,
} from '@lineage/testbed';

const short = process.argv.includes('--short');
const ACCOUNTS = short ? 2_000 : 24_000;
const CAMPAIGN_ID = 'campaign-7';
const DECOYS = [
  'campaign-1',
  'campaign-2',
  'campaign-3',
  'campaign-4',
  'campaign-5',
  'campaign-6',
  'campaign-8',
  'campaign-9',
  'campaign-10',
];
/**
 * One student per row. The first row is the scenario (600 of 24,000 accounts flagged, rho 1) and
 * also feeds the leaked-text test; the rest show how the campaign test moves with contamination
 * and with the campaign's share of the harvest. Rows of one rho share one seed, hence one control.
 */
interface RowPlan {
  readonly rho: number;
  readonly campaignAccounts: number;
  readonly promptSets: readonly PromptSetName[];
  readonly control: boolean;
}
type PromptSetName = 'cluster' | 'campaign';
const PLAN: readonly RowPlan[] = short
  ? [{ rho: 1, campaignAccounts: 50, promptSets: ['cluster', 'campaign'], control: true }]
  : [
      { rho: 1, campaignAccounts: 600, promptSets: ['cluster', 'campaign'], control: true },
      { rho: 0.5, campaignAccounts: 600, promptSets: ['cluster'], control: true },
      { rho: 1, campaignAccounts: 2_400, promptSets: ['cluster'], control: false },
      { rho: 1, campaignAccounts: 6_000, promptSets: ['cluster'], control: false },
    ];
const SCENARIO = PLAN[0] as RowPlan;
const TEACHER = { order: 4, tokens: short ? 100_000 : 300_000 };
const STUDENT_ORDER = 4;
/** Every clean Brown training token: the control needs as many as the student. */
const STUDENT_TOKENS = short ? 100_000 : brownTokenDocuments('train').reduce((sum, d) => sum + d.length, 0);
const ANSWER_TOKENS = 128;
const CLUSTER_QUERIES = short ? 200 : 4_000;
const CAMPAIGN_ROUNDS = short ? 3 : 5;
const LEAKED_ANSWERS = short ? 200 : 2_000;
const LONG_TEXTS = short ? 5 : 40;
const LONG_TEXT_TOKENS = 1_500;
const ALPHA = 1e-6;

const started = performance.now();
const createdAt = '2026-01-01T00:00:00.000Z';
const key: LineageKey = keyFromSecret(new Uint8Array(32).fill(55), { now: new Date(createdAt) }).withInfo({
  campaigns: [CAMPAIGN_ID, ...DECOYS].map((id) => ({ id, createdAt })),
});
const accountIds = Array.from({ length: ACCOUNTS }, (_, i) => accountId(i));
/** `distill` flags the first accounts of the cluster. */
const campaignOf = (account: string, campaignAccounts: number): string | undefined =>
  Number(account.slice('acct-'.length)) <= campaignAccounts ? CAMPAIGN_ID : undefined;
using tokenizer = createTokenizer({ encoding: key.tokenizer });

const kgw = greenListMarking(key);

const teacher = trainOnBrown({ order: TEACHER.order, tokens: TEACHER.tokens, seed: 'attribution/teacher' });

interface HarvestLine {
  account: string;
  campaign?: string;
  prompt: string;
  text: string;
}

const readHarvest = (dir: string): HarvestLine[] =>
  readFileSync(join(dir, 'harvest.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as HarvestLine);

/** `count` items spread evenly over `items`, in order (all of them when there are fewer). */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T);
}

interface ProbeOutcome {
  answers: number;
  answerTokens: number;
  provider: { scored: number; score: number; expected: number; log10P: number; verdict: string };
  campaign: CampaignSummary;
  decoys: CampaignSummary[];
  identity: {
    status: string;
    account: string | null;
    code: string;
    undecodedDigits: number;
    decodingTuples: number;
    presencePValue: number;
  };
  correction: string | null;
  seconds: number;
}

interface CampaignSummary {
  campaign: string;
  scored: number;
  score: number;
  expected: number;
  log10P: number;
  uncorrectedLog10P: number;
  verdict: string;
}

const campaignSummary = (c: CampaignResult): CampaignSummary => ({
  campaign: c.campaign,
  scored: c.scored,
  score: c.score,
  expected: c.expected,
  log10P: c.log10P,
  // Below 1e-308 the uncorrected p-value underflows; the Bonferroni factor is then exact.
  uncorrectedLog10P:
    c.uncorrectedPValue !== undefined && c.uncorrectedPValue > 0
      ? Math.log10(c.uncorrectedPValue)
      : c.log10P - Math.log10(1 + DECOYS.length),
  verdict: c.verdict,
});

/** Which logged prompts a probe asks. */
interface PromptSet {
  readonly name: PromptSetName;
  readonly prompts: readonly string[];
}

/** Serves a model file and probes it over HTTP once per prompt set, every account registered. */
async function probeModel(
  file: string,
  label: string,
  sets: readonly PromptSet[],
  directory: AccountDirectory,
): Promise<Record<string, ProbeOutcome>> {
  const model = loadModelFile(file);
  const server = await startChatServer({ model, modelName: label, tokenizer });
  const out: Record<string, ProbeOutcome> = {};
  try {
    for (const set of sets) {
      const t0 = performance.now();
      const cacheDir = mkdtempSync(join(tmpdir(), 'lineage-attribution-cache-'));
      try {
        const scope = { baseUrl: server.url, model: label, maxTokens: ANSWER_TOKENS, temperature: 1 };
        using cache = new AnswerCache(cacheDir, scope);
        const report: EvidenceReport = await probeSuspect({
          client: new ChatClient(scope),
          key,
          prompts: set.prompts,
          schemes: ['kgw'],
          looks: 1,
          concurrency: 2,
          cache,
          accounts: directory,
        });
        if (report.queries.failed > 0 || report.queries.answered !== set.prompts.length)
          throw new Error(
            `${label}: ${report.queries.failed} failed queries, ${report.queries.answered} of ${set.prompts.length} answered`,
          );
        const campaigns = report.campaigns.map(campaignSummary);
        const campaign = campaigns.find((c) => c.campaign === CAMPAIGN_ID);
        const identity = report.identity[0];
        if (campaign === undefined || identity === undefined) throw new Error(`${label}: no campaign or identity result`);
        out[set.name] = {
          answers: report.queries.answered,
          answerTokens: report.queries.answerTokens,
          provider: {
            scored: report.provider.scored,
            score: report.provider.score,
            expected: report.provider.expected,
            log10P: report.provider.log10P,
            verdict: report.provider.verdict,
          },
          campaign,
          decoys: campaigns.filter((c) => c.campaign !== CAMPAIGN_ID),
          identity: {
            status: identity.status,
            account: identity.account,
            code: identity.code,
            undecodedDigits: identity.undecodedDigits,
            decodingTuples: identity.decodingTuples,
            presencePValue: identity.presencePValue,
          },
          correction: report.campaigns[0]?.correction ?? null,
          seconds: (performance.now() - t0) / 1000,
        };
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    }
    return out;
  } finally {
    await server.close();
  }
}

interface LeakedTexts {
  source: string;
  texts: number;
  meanTokens: number;
  campaignTexts: number;
  /** Texts naming the right account (or, for a campaign member, its campaign). */
  right: number;
  rightAccounts: number;
  rightCampaign: number;
  rightShare: number;
  /** Texts naming any other account or campaign: must be 0. */
  wrong: number;
  /** Texts marked at alpha on the provider channel, named or not. */
  marked: number;
  identityStatus: Record<string, number>;
  msPerText: number;
}

/** Attributes each text on its own and counts right and wrong names. */
function attributeTexts(
  attributor: TextAttributor,
  source: string,
  texts: readonly { account: string; text: string }[],
  campaignAccounts: number,
): LeakedTexts {
  let right = 0;
  let rightAccounts = 0;
  let rightCampaign = 0;
  let wrong = 0;
  let marked = 0;
  let tokens = 0;
  let campaignTexts = 0;
  const identityStatus: Record<string, number> = {};
  for (const t of texts) tokens += tokenizer.encode(t.text).length;
  const t0 = performance.now();
  for (const t of texts) {
    const result = attributor.attribute(t.text);
    const campaign = campaignOf(t.account, campaignAccounts);
    if (campaign !== undefined) campaignTexts++;
    if (result.presence.verdict === 'marked') marked++;
    if (result.identity !== undefined) identityStatus[result.identity] = (identityStatus[result.identity] ?? 0) + 1;
    const a = result.attribution;
    if (a === null) continue;
    const expected = campaign === undefined ? { kind: 'account', id: t.account } : { kind: 'campaign', id: campaign };
    if (a.kind === expected.kind && a.id === expected.id) {
      right++;
      if (a.kind === 'account') rightAccounts++;
      else rightCampaign++;
    } else {
      wrong++;
      console.error(`WRONG ATTRIBUTION: a text of ${t.account} named ${a.kind} ${a.id} (log10 p ${a.log10P.toFixed(1)})`);
    }
  }
  const ms = performance.now() - t0;
  return {
    source,
    texts: texts.length,
    meanTokens: tokens / Math.max(1, texts.length),
    campaignTexts,
    right,
    rightAccounts,
    rightCampaign,
    rightShare: right / Math.max(1, texts.length),
    wrong,
    marked,
    identityStatus,
    msPerText: ms / Math.max(1, texts.length),
  };
}

interface Row {
  rho: number;
  campaignAccounts: number;
  studentTokens: number;
  harvestedTokens: number;
  exchanges: number;
  /** Accounts that harvested at least once (the cluster asks in turn). */
  harvestingAccounts: number;
  campaignExchanges: number;
  campaignShare: number;
  /** Keyed by prompt set. */
  student: Partial<Record<PromptSetName, ProbeOutcome>>;
  /** Null where the row shares the control of an earlier row with its rho. */
  control: Partial<Record<PromptSetName, ProbeOutcome>> | null;
  seconds: { distill: number };
}

const t0Directory = performance.now();
const directory = new AccountDirectory(key, accountIds);
const directorySeconds = (performance.now() - t0Directory) / 1000;
const rows: Row[] = [];
let leaked: LeakedTexts[] = [];
let attributorSeconds = 0;
const fmtP = (x: number) => x.toFixed(1);
const fmtN = (x: number) => x.toLocaleString('en-US');
const PROMPT_SETS: Record<PromptSetName, string> = {
  cluster: `the cluster's logged prompts (harvest.jsonl): ${fmtN(CLUSTER_QUERIES)} spread evenly over the log, so the campaign's share of them is its share of the harvest; asked once each`,
  campaign: `the prompts logged for ${CAMPAIGN_ID}'s accounts (harvest.jsonl), each asked ${CAMPAIGN_ROUNDS} times`,
};

for (const plan of PLAN) {
  const { rho, campaignAccounts } = plan;
  const out = mkdtempSync(join(tmpdir(), 'lineage-attribution-'));
  try {
    const t0 = performance.now();
    const manifest = distill({
      teacher,
      marking: kgw,
      accounts: ACCOUNTS,
      campaigns: [{ id: CAMPAIGN_ID, count: campaignAccounts }],
      rho,
      tokens: STUDENT_TOKENS,
      order: STUDENT_ORDER,
      answerTokens: ANSWER_TOKENS,
      seed: `attribution/${rho}`,
      key,
      outDir: out,
    });
    const distillSeconds = (performance.now() - t0) / 1000;
    const harvest = readHarvest(out);
    const campaignPrompts = harvest.filter((h) => h.campaign === CAMPAIGN_ID).map((h) => h.prompt);
    // Under H0 the choice of prompts cannot matter (prompt windows are excluded), so the logs are fair game.
    const allSets: Record<PromptSetName, readonly string[]> = {
      cluster: spread(
        harvest.map((h) => h.prompt),
        CLUSTER_QUERIES,
      ),
      campaign: Array.from({ length: CAMPAIGN_ROUNDS }, () => campaignPrompts).flat(),
    };
    const sets = plan.promptSets.map((name) => ({ name, prompts: allSets[name] }));
    const label = `${rho}-${campaignAccounts}`;
    const student = await probeModel(join(out, 'student.model'), `student-${label}`, sets, directory);
    const control = plan.control ? await probeModel(join(out, 'control.model'), `control-${label}`, sets, directory) : null;
    const row: Row = {
      rho,
      campaignAccounts,
      studentTokens: STUDENT_TOKENS,
      harvestedTokens: manifest.harvestedTokens,
      exchanges: manifest.exchanges,
      harvestingAccounts: new Set(harvest.map((h) => h.account)).size,
      campaignExchanges: campaignPrompts.length,
      campaignShare: campaignPrompts.length / manifest.exchanges,
      student,
      control,
      seconds: { distill: distillSeconds },
    };
    rows.push(row);
    console.log(
      `rho ${rho}, ${fmtN(campaignAccounts)} accounts in ${CAMPAIGN_ID}: ${fmtN(manifest.exchanges)} exchanges from ${fmtN(row.harvestingAccounts)} accounts, ${fmtN(row.campaignExchanges)} (${(100 * row.campaignShare).toFixed(1)}%) by ${CAMPAIGN_ID}; distil ${distillSeconds.toFixed(0)} s`,
    );
    for (const set of sets)
      for (const [who, outcome] of [
        ['student', student[set.name]],
        ['control', control?.[set.name]],
      ] as const) {
        if (outcome === undefined) continue;
        console.log(
          `  ${who}, ${set.name} prompts (${fmtN(outcome.answers)} answers, ${fmtN(outcome.answerTokens)} tokens): provider log10 p ${fmtP(outcome.provider.log10P)}, ${CAMPAIGN_ID} ${fmtP(outcome.campaign.log10P)} (uncorrected ${fmtP(outcome.campaign.uncorrectedLog10P)}), best decoy ${fmtP(Math.min(...outcome.decoys.map((d) => d.log10P)))}, identity ${outcome.identity.status}; ${outcome.seconds.toFixed(0)} s`,
        );
      }

    if (plan === SCENARIO) {
      // Leaked text from the scenario's harvest: everything one account was served.
      const t1 = performance.now();
      using attributor = new TextAttributor({ key, accounts: directory, schemes: ['kgw'], alpha: ALPHA });
      attributorSeconds = (performance.now() - t1) / 1000;
      const byAccount = new Map<string, string[]>();
      for (const h of harvest) {
        const texts = byAccount.get(h.account);
        if (texts === undefined) byAccount.set(h.account, [h.text]);
        else texts.push(h.text);
      }
      const single = spread([...byAccount], LEAKED_ANSWERS).map(([account, texts]) => ({ account, text: texts.join('\n\n') }));
      const fromHarvest = attributeTexts(
        attributor,
        `harvest.jsonl: all answers served to one account (${fmtN(single.length)} accounts spread over the log)`,
        single,
        campaignAccounts,
      );
      // Longer leaks: teacher output served to single accounts outside the campaign.
      const long = spread(accountIds.slice(campaignAccounts), LONG_TEXTS).map((account, i) => {
        const [sample] = generateSamples({
          model: teacher,
          marking: kgw,
          account: { accountId: account },
          tokens: LONG_TEXT_TOKENS,
          samples: 1,
          seed: `attribution/long/${i}`,
        });
        return { account, text: sample?.text ?? '' };
      });
      const fromLong = attributeTexts(
        attributor,
        `${fmtN(LONG_TEXT_TOKENS)} tokens of teacher output served to one account`,
        long,
        campaignAccounts,
      );
      leaked = [fromHarvest, fromLong];
      for (const l of leaked)
        console.log(
          `  leaked, ${l.source}: ${fmtN(l.texts)} texts of ${fmtN(Math.round(l.meanTokens))} tokens on average (${fmtN(l.campaignTexts)} of ${CAMPAIGN_ID}); right ${fmtN(l.right)} (${(100 * l.rightShare).toFixed(1)}%: ${l.rightAccounts} accounts, ${l.rightCampaign} campaign), wrong ${l.wrong}, marked ${fmtN(l.marked)}; ${l.msPerText.toFixed(2)} ms per text`,
        );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${rows.length} students in ${seconds.toFixed(0)} s (load average at the end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')})`,
);
const wrong = leaked.reduce((sum, l) => sum + l.wrong, 0);
if (wrong > 0) console.error(`\n${wrong} WRONG ATTRIBUTIONS`);

if (!short) {
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    mode: 'full',
    date: new Date().toISOString(),
  };
  writeFileSync(
    new URL('../results/attribution.json', import.meta.url),
    `${JSON.stringify(
      {
        machine,
        alpha: ALPHA,
        accounts: ACCOUNTS,
        campaign: CAMPAIGN_ID,
        decoys: DECOYS,
        campaignsTested: 1 + DECOYS.length,
        teacher: { ...TEACHER, scheme: 'kgw' },
        student: { order: STUDENT_ORDER, tokens: STUDENT_TOKENS },
        probe: {
          promptSets: PROMPT_SETS,
          maxTokens: ANSWER_TOKENS,
          temperature: 1,
          looks: 1,
          schemes: ['kgw'],
          registeredAccounts: ACCOUNTS,
        },
        directory: { accounts: ACCOUNTS, buildSeconds: directorySeconds },
        rows,
        leakedText: { attributor: { schemes: ['kgw'], registeredAccounts: ACCOUNTS, buildSeconds: attributorSeconds }, sets: leaked },
        seconds,
      },
      null,
      2,
    )}\n`,
  );
}
