/**
 * The suspect probe against distilled testbed students, over HTTP, as a researcher runs it:
 *
 * - a student whose training text was 10% green-list-marked teacher answers (harvested by 200
 *   accounts) is flagged at p <= 1e-6 with every scheme tested (auto, Bonferroni over four);
 * - its control (the same clean text, no harvest) is not, and the control's provider p-values
 *   under 40 keys it never saw are uniform (KS): the answers are read once from the probe's
 *   cache and retested, so this also checks that a resumed probe asks nothing;
 * - a student distilled from a campaign's accounts is attributed to that campaign and not to
 *   the two others registered in the key.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addCampaignToKeyFile, keyFromSecret, ksUniform, type LineageKey, saveKeyFile } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { ChatClient } from '@lineage/detect/probe';
import { AnswerCache, probeSuspect } from '@lineage/detect/suspect';
import { buildPrompts, distill, greenListMarking, loadModelFile, startChatServer, trainOnBrown } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'lineage-probe-students-'));
const keyPath = join(dir, 'key.json');
saveKeyFile(keyFromSecret(new Uint8Array(32).fill(91)), keyPath);
for (const id of ['camp-a', 'camp-b']) addCampaignToKeyFile(keyPath, id);
const key = addCampaignToKeyFile(keyPath, 'camp-c');
const heldOutPrompts = buildPrompts({ count: 2_000, seed: 'probe-students' }).map((p) => p.text);

/** The distinct prompts the harvesting accounts asked: what the provider's logs hold. */
function servedPrompts(distillDir: string): string[] {
  const lines = readFileSync(join(distillDir, 'harvest.jsonl'), 'utf8').split('\n').filter(Boolean);
  return [...new Set(lines.map((line) => (JSON.parse(line) as { prompt: string }).prompt))];
}

/** Serves a model file and probes it; answers are cached in `cacheDir`. */
async function probeModel(file: string, options: { cacheDir: string; queries: number; prompts?: string[]; schemes?: 'auto' | ['kgw'] }) {
  const tokenizer = createTokenizer({ encoding: key.tokenizer });
  const server = await startChatServer({ model: loadModelFile(file), modelName: 'suspect', tokenizer });
  try {
    const client = new ChatClient({ baseUrl: server.url, model: 'suspect', maxTokens: 128, temperature: 1 });
    using cache = new AnswerCache(options.cacheDir, { baseUrl: 'suspect', model: 'suspect', maxTokens: 128, temperature: 1 });
    return await probeSuspect({
      client,
      key,
      prompts: options.prompts ?? heldOutPrompts,
      maxQueries: options.queries,
      schemes: options.schemes ?? ['kgw'],
      cache,
      concurrency: 4,
    });
  } finally {
    await server.close();
    tokenizer.dispose();
  }
}

/** Tests cached answers again under another key: no server, so any request would fail. */
async function retest(cacheDir: string, queries: number, probeKey: LineageKey) {
  const client = new ChatClient({ baseUrl: 'http://127.0.0.1:9/v1', model: 'suspect', maxTokens: 128, temperature: 1 });
  using cache = new AnswerCache(cacheDir, { baseUrl: 'suspect', model: 'suspect', maxTokens: 128, temperature: 1 });
  // retest: the same answers under 40 keys on purpose (calibration, not evidence).
  return await probeSuspect({ client, key: probeKey, prompts: heldOutPrompts, maxQueries: queries, schemes: ['kgw'], cache, retest: true });
}

describe('probe against distilled students', () => {
  const teacher = trainOnBrown({ order: 4, tokens: 300_000, seed: 'probe-students-teacher' });
  const marking = greenListMarking(key);

  it('flags a 10%-contaminated student at p <= 1e-6; its control is not flagged and is calibrated over keys', async () => {
    const out = join(dir, 'rho-0.1');
    distill({ teacher, marking, accounts: 200, rho: 0.1, tokens: 1_100_000, seed: 'probe-students', outDir: out });
    const prompts = servedPrompts(out);
    const student = await probeModel(join(out, 'student.model'), {
      cacheDir: join(out, 'student-cache'),
      prompts,
      queries: 3 * prompts.length,
      schemes: 'auto',
    });
    expect(student.status).toBe('complete');
    expect(student.provider.correction).toBe('bonferroni over 4 schemes');
    expect(student.provider.log10P, JSON.stringify(student.schemes)).toBeLessThanOrEqual(-6);
    expect(student.provider.verdict).toBe('marked');

    const controlCache = join(out, 'control-cache');
    const control = await probeModel(join(out, 'control.model'), { cacheDir: controlCache, queries: 1_000 });
    expect(control.provider.pValue).toBeGreaterThan(1e-3);
    // The same answers under keys the control never met: a fresh probe finds them all cached.
    const pValues: number[] = [];
    for (let seed = 0; seed < 40; seed++) {
      const rerun = await retest(controlCache, 1_000, keyFromSecret(new Uint8Array(32).fill(seed + 100)));
      expect(rerun.queries).toMatchObject({ asked: 0, cached: 1_000 });
      pValues.push(rerun.provider.pValue);
    }
    expect(ksUniform(pValues).pValue, pValues.join(' ')).toBeGreaterThan(0.01);
    expect(Math.min(...pValues)).toBeGreaterThan(1e-4);
  }, 600_000);

  it("attributes a campaign's student to that campaign and to no other", async () => {
    const out = join(dir, 'campaign');
    distill({
      teacher,
      marking,
      accounts: 50,
      campaigns: [{ id: 'camp-b', count: 50 }],
      rho: 1,
      tokens: 300_000,
      seed: 'campaign',
      outDir: out,
    });
    const report = await probeModel(join(out, 'student.model'), { cacheDir: join(out, 'cache'), queries: 1_000 });
    const byCampaign = Object.fromEntries(report.campaigns.map((c) => [c.campaign, c]));
    expect(byCampaign['camp-b']?.verdict, JSON.stringify(report.campaigns)).toBe('marked');
    expect(byCampaign['camp-b']?.log10P).toBeLessThanOrEqual(-6);
    expect(byCampaign['camp-b']?.correction).toBe('bonferroni over 3 campaigns');
    for (const other of ['camp-a', 'camp-c']) expect(byCampaign[other]?.pValue).toBeGreaterThan(1e-3);
  }, 600_000);
});
