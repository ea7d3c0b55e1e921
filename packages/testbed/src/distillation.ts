/**
 * The distillation simulation: a marked teacher answers prompts for many accounts (a
 * "hydra" cluster, some accounts optionally in flagged campaigns); the harvested exchanges
 * are mixed with clean text at contamination fraction rho and a student n-gram model is
 * trained on the mix, beside a control student trained on clean text alone. The control
 * gets the same clean paragraphs plus more clean text in place of the harvest, so the two
 * students differ only in what was harvested.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LineageInputError, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { brownTokenDocuments, selectDocuments } from './brown-training.js';
import { generateTokens } from './generation.js';
import type { MarkedAccount, MarkingScheme, TextMarkerHook, TokenSamplerHook } from './marking-hooks.js';
import { saveModelFile } from './model-file.js';
import type { NgramModel } from './ngram-model.js';
import { trainNgramModel } from './ngram-training.js';
import { buildPrompts } from './prompts.js';

export interface CampaignAssignment {
  readonly id: string;
  /** How many accounts of the cluster belong to the campaign. */
  readonly count: number;
}

export interface DistillOptions {
  readonly teacher: NgramModel;
  /** The teacher's marking; without it the teacher is unmarked (a clean baseline run). */
  readonly marking?: MarkingScheme;
  /** Accounts in the harvesting cluster, 1 .. 1,000,000. */
  readonly accounts: number;
  /** Campaigns take consecutive accounts from the first one on; their counts sum to at most `accounts`. */
  readonly campaigns?: readonly CampaignAssignment[];
  /** Share of the student's training tokens that are harvested exchanges, in (0, 1]. */
  readonly rho: number;
  /** The student's training tokens, 1,000 .. 50,000,000. */
  readonly tokens: number;
  /** Student order (default: the teacher's). */
  readonly order?: number;
  /** Longest answer in tokens (default 128). */
  readonly answerTokens?: number;
  /**
   * Distinct prompts the cluster asks, in turn (default: one per 32 harvested tokens, 100 to
   * 100,000). A small pool makes accounts re-ask the same prompts, as distillers do to collect
   * several answers per prompt.
   */
  readonly promptPool?: number;
  readonly seed?: string | number;
  /** The key the marking uses, recorded in the manifest (public values only). */
  readonly key?: { readonly keyId: string; readonly commitment: string };
  /** Where student.model, control.model, harvest.jsonl and manifest.json go. */
  readonly outDir: string;
}

export interface DistillManifest {
  readonly format: 'lineage-distillation';
  readonly version: 1;
  readonly createdAt: string;
  readonly seed: string | number;
  readonly teacher: { readonly order: number; readonly encoding: string; readonly source: string };
  readonly scheme: string | null;
  readonly key: { readonly keyId: string; readonly commitment: string } | null;
  readonly accounts: number;
  readonly campaigns: readonly { readonly id: string; readonly accounts: readonly string[] }[];
  readonly rho: number;
  readonly tokens: number;
  readonly exchanges: number;
  readonly harvestedTokens: number;
  readonly cleanTokens: number;
  readonly student: { readonly file: 'student.model'; readonly order: number; readonly trainingTokens: number };
  readonly control: { readonly file: 'control.model'; readonly order: number; readonly trainingTokens: number };
  readonly harvest: 'harvest.jsonl';
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Account ids of the simulated cluster: acct-000001, acct-000002, … */
export function accountId(index: number): string {
  return `acct-${String(index + 1).padStart(6, '0')}`;
}

export function distill(options: DistillOptions): DistillManifest {
  const { teacher, marking, accounts, rho, tokens, outDir } = options;
  const campaigns = options.campaigns ?? [];
  const seed = options.seed ?? 1;
  const answerTokens = options.answerTokens ?? 128;
  const order = options.order ?? teacher.order;
  validate({ accounts, rho, tokens, answerTokens, campaigns });
  // The control trains on `tokens` clean tokens: never quietly fewer than asked.
  const clean = brownTokenDocuments('train', teacher.encoding);
  const available = clean.reduce((sum, d) => sum + d.length, 0);
  if (tokens > available) {
    throw new LineageInputError(
      `tokens (${tokens}) exceeds the ${available} clean tokens of the Brown training split; the control student needs that many`,
    );
  }

  const campaignOf = new Map<string, string>();
  const campaignAccounts: { id: string; accounts: string[] }[] = [];
  let next = 0;
  for (const campaign of campaigns) {
    const members = Array.from({ length: campaign.count }, (_, i) => accountId(next + i));
    for (const member of members) campaignOf.set(member, campaign.id);
    campaignAccounts.push({ id: campaign.id, accounts: members });
    next += campaign.count;
  }

  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new LineageInputError(
      `cannot create the output folder ${outDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const harvestTarget = Math.max(1, Math.round(rho * tokens));
  const harvested: Uint32Array[] = [];
  let harvestedTokens = 0;
  let exchanges = 0;
  const samplers = new Map<string, TokenSamplerHook | undefined>();
  const textMarkers = new Map<string, TextMarkerHook | undefined>();
  const random = new SeededRandom(`distill/teacher/${seed}`);
  const promptPool = options.promptPool ?? Math.min(100_000, Math.max(100, Math.ceil(harvestTarget / 32)));
  if (!Number.isSafeInteger(promptPool) || promptPool < 1 || promptPool > 100_000) {
    throw new LineageInputError(`promptPool must be an integer from 1 to 100,000, got ${promptPool}`);
  }
  const prompts = buildPrompts({ count: promptPool, seed: `distill/${seed}` });
  const harvestFile = openSync(join(outDir, 'harvest.jsonl'), 'w', 0o644);
  try {
    using tokenizer = createTokenizer({ encoding: teacher.encoding });
    while (harvestedTokens < harvestTarget) {
      const account = accountId(exchanges % accounts);
      const campaignId = campaignOf.get(account);
      const marked: MarkedAccount = campaignId === undefined ? { accountId: account } : { accountId: account, campaignId };
      if (!samplers.has(account)) {
        samplers.set(account, marking?.samplerFor?.(marked));
        textMarkers.set(account, marking?.textMarkerFor?.(marked));
      }
      const prompt = (prompts[exchanges % prompts.length] as { text: string }).text;
      const sampler = samplers.get(account);
      const answerIds = [
        ...generateTokens(teacher, {
          prompt: [teacher.boundaryId, ...tokenizer.encode(prompt)], // a prompt opens a paragraph
          maxTokens: answerTokens,
          random,
          ...(sampler ? { sampler } : {}),
        }),
      ];
      const raw = tokenizer.decode(answerIds);
      const answer = textMarkers.get(account)?.markText(raw, prompt) ?? raw;
      // The distiller sees text, not ids: it re-tokenizes what it harvested.
      const document = tokenizer.encode(prompt + answer);
      const take = Math.min(document.length, harvestTarget - harvestedTokens);
      harvested.push(take === document.length ? document : document.subarray(0, take));
      harvestedTokens += take;
      exchanges++;
      const line = campaignId === undefined ? { account, prompt, text: answer } : { account, campaign: campaignId, prompt, text: answer };
      writeSync(harvestFile, `${JSON.stringify(line)}\n`);
    }
  } finally {
    closeSync(harvestFile);
  }

  const cleanPart = tokens > harvestedTokens ? selectDocuments(clean, tokens - harvestedTokens, `distill/${seed}`) : [];
  const cleanTokens = cleanPart.reduce((sum, d) => sum + d.length, 0);
  let student: NgramModel | undefined = trainNgramModel([...cleanPart, ...harvested], {
    order,
    encoding: teacher.encoding,
    source: `distillation student: ${harvestedTokens} harvested + ${cleanTokens} clean tokens, seed ${seed}`,
  });
  saveModelFile(join(outDir, 'student.model'), student);
  const studentTokens = student.info.trainingTokens;
  student = undefined; // let it be collected before the control is trained
  const control = trainNgramModel(selectDocuments(clean, tokens, `distill/${seed}`), {
    order,
    encoding: teacher.encoding,
    source: `distillation control: ${tokens} clean tokens, seed ${seed}`,
  });
  saveModelFile(join(outDir, 'control.model'), control);

  const manifest: DistillManifest = {
    format: 'lineage-distillation',
    version: 1,
    createdAt: new Date().toISOString(),
    seed,
    teacher: { order: teacher.order, encoding: teacher.encoding, source: teacher.info.source },
    scheme: marking?.name ?? null,
    key: marking && options.key ? { keyId: options.key.keyId, commitment: options.key.commitment } : null,
    accounts,
    campaigns: campaignAccounts,
    rho,
    tokens,
    exchanges,
    harvestedTokens,
    cleanTokens,
    student: { file: 'student.model', order, trainingTokens: studentTokens },
    control: { file: 'control.model', order, trainingTokens: control.info.trainingTokens },
    harvest: 'harvest.jsonl',
  };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function validate(o: {
  accounts: number;
  rho: number;
  tokens: number;
  answerTokens: number;
  campaigns: readonly CampaignAssignment[];
}): void {
  if (!Number.isSafeInteger(o.accounts) || o.accounts < 1 || o.accounts > 1_000_000) {
    throw new LineageInputError(`accounts must be an integer from 1 to 1,000,000, got ${o.accounts}`);
  }
  if (!(o.rho > 0 && o.rho <= 1)) throw new LineageInputError(`rho must be in (0, 1], got ${o.rho}`);
  if (!Number.isSafeInteger(o.tokens) || o.tokens < 1_000 || o.tokens > 50_000_000) {
    throw new LineageInputError(`tokens must be an integer from 1,000 to 50,000,000, got ${o.tokens}`);
  }
  if (!Number.isSafeInteger(o.answerTokens) || o.answerTokens < 1 || o.answerTokens > 4096) {
    throw new LineageInputError(`answerTokens must be an integer from 1 to 4096, got ${o.answerTokens}`);
  }
  let members = 0;
  const seen = new Set<string>();
  for (const c of o.campaigns) {
    if (!ID.test(c.id)) throw new LineageInputError(`campaign id ${JSON.stringify(c.id)} must be 1-64 characters of A-Z a-z 0-9 . _ -`);
    if (seen.has(c.id)) throw new LineageInputError(`campaign ${c.id} is listed twice`);
    seen.add(c.id);
    if (!Number.isSafeInteger(c.count) || c.count < 1) throw new LineageInputError(`campaign ${c.id} needs a positive account count`);
    members += c.count;
  }
  if (members > o.accounts) throw new LineageInputError(`campaigns hold ${members} accounts but the cluster has only ${o.accounts}`);
}
