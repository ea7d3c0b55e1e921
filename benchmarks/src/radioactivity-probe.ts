/**
 * Radioactivity through the real probe: how many queries and generated tokens a researcher needs
 * before the provider test reaches p ≤ 1e-6 against a student distilled at contamination rho,
 * for each scheme. The anchor is Sander et al., "Watermarking Makes Language Models Radioactive"
 * (2024): p ≈ 1e-5 after about 90k generated tokens at 5% contamination.
 *
 * One Brown teacher (order 4, 300k tokens) is marked by each scheme with one fixed key; `distill`
 * trains an order-4 student on `tokens` tokens of which a share rho is harvested teacher
 * exchanges (prompt plus marked answer), beside a control on clean text only. The student is
 * served by `startChatServer` and probed over HTTP by `probeSuspect` (one scheme, one look, no
 * early stop) with up to BUDGET held-out prompts of at most 128 tokens. Concurrency 1 keeps the
 * answers in query order, so the report's traces are p-values on prefixes of one fixed answer
 * sequence; the first prefix at or below 1e-6 is then refined by a second probe, from the answer
 * cache, of exactly that many answers. Each prefix p-value is a one-look test of that many
 * answers; "answers to 1e-6" is where one fixed run first crosses, not a sequential test.
 *
 * Gumbel and tournament marking read the teacher's dense 200k-entry distribution per token
 * (milliseconds per token here), so their harvest is capped at DENSE_HARVEST_CAP tokens and their
 * student shrinks to cap / rho tokens; the output and the JSON say so for each cell.
 *
 * Writes results/radioactivity-probe.json and prints a Markdown table.
 * Run: pnpm --filter @lineage/benchmarks run radioactivity-probe (about 15 to 20 minutes on 2
 * cores); `--short` (part of bench:ci) is a smoke run of kgw at rho 1 whose results are not written;
 * `--scheme lexical` (or another scheme) runs that scheme's rows alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { ChatClient } from '@lineage/detect/probe';
import { AnswerCache, type EvidenceReport, type ProbeSchemeName, probeSuspect } from '@lineage/detect/suspect';
import {
  brownTokenDocuments,
  buildPrompts,
  distill,
  keyedMarkings,
  loadModelFile,
  type MarkingScheme,
  startChatServer,
  trainOnBrown,
} from '@lineage/testbed';

const short = process.argv.includes('--short');
const ALL_SCHEMES: readonly ProbeSchemeName[] = ['kgw', 'gumbel', 'tournament', 'lexical'];
/** `--scheme NAME` runs one scheme's rows only and writes them to radioactivity-probe-NAME.json. */
const schemeFlag = process.argv.indexOf('--scheme');
const only = schemeFlag < 0 ? undefined : (process.argv[schemeFlag + 1] ?? '');
if (only !== undefined && !ALL_SCHEMES.includes(only as ProbeSchemeName))
  throw new Error(`--scheme must be one of ${ALL_SCHEMES.join(', ')}, got ${JSON.stringify(only)}`);
const SCHEMES: readonly ProbeSchemeName[] = only ? [only as ProbeSchemeName] : short ? ['kgw'] : ALL_SCHEMES;
const RHOS: readonly number[] = short ? [1] : [0.01, 0.05, 0.1, 1];
const TEACHER = { order: 4, tokens: short ? 100_000 : 300_000 };
const STUDENT_ORDER = 4;
/** The clean Brown training tokens: the control needs as many as the student. */
const STUDENT_LIMIT = Math.min(
  1_140_707,
  brownTokenDocuments('train').reduce((sum, d) => sum + d.length, 0),
);
const FULL_STUDENT = short ? 100_000 : STUDENT_LIMIT;
/** Harvested tokens for the dense-distribution schemes: about 7 (gumbel) and 13 (tournament) ms per token on this machine. */
const DENSE_HARVEST_CAP = 6_000;
const DENSE = new Set<ProbeSchemeName>(['gumbel', 'tournament']);
const ACCOUNTS = 100;
const BUDGET = short ? 300 : 4_000;
const MAX_TOKENS = 128;
const TRACE_POINTS = 40;
const ALPHA_LOG10 = -6;
const ANCHOR = {
  paper: 'Sander et al. 2024, Watermarking Makes Language Models Radioactive',
  rho: 0.05,
  log10P: -5,
  generatedTokens: 90_000,
};

const started = performance.now();
const key = keyFromSecret(new Uint8Array(32).fill(97));
using tokenizer = createTokenizer({ encoding: key.tokenizer });
const teacher = trainOnBrown({ order: TEACHER.order, tokens: TEACHER.tokens, seed: 'radioactivity-probe/teacher' });
const prompts = buildPrompts({ count: BUDGET, seed: 'radioactivity-probe/prompts' }).map((p) => p.text);

function markingFor(scheme: ProbeSchemeName): MarkingScheme {
  const marking = keyedMarkings.get(scheme);
  if (!marking) throw new Error(`no marking scheme ${scheme}`);
  return marking(key);
}

const studentTokensFor = (scheme: ProbeSchemeName, rho: number): number =>
  DENSE.has(scheme) ? Math.min(FULL_STUDENT, Math.round(DENSE_HARVEST_CAP / rho)) : FULL_STUDENT;

interface TracePoint {
  answers: number;
  answerTokens: number;
  log10P: number;
}

interface ProbeMeasure {
  scheme: ProbeSchemeName;
  /** First prefix (refined) whose provider log10 p is at most ALPHA_LOG10; null: not within the budget. */
  reached: { answers: number; answerTokens: number; log10P: number } | null;
  final: { answers: number; answerTokens: number; scored: number; score: number; expected: number; log10P: number };
  bestLog10P: number;
  trace: TracePoint[];
  seconds: number;
}

/** Serves a model file and probes it once over HTTP, then tests every further scheme on the cached answers. */
async function probeModel(file: string, schemes: readonly ProbeSchemeName[], label: string): Promise<ProbeMeasure[]> {
  const model = loadModelFile(file);
  const server = await startChatServer({ model, modelName: label, tokenizer });
  const dir = mkdtempSync(join(tmpdir(), 'lineage-radioactivity-cache-'));
  try {
    const client = new ChatClient({ baseUrl: server.url, model: label, maxTokens: MAX_TOKENS, temperature: 1 });
    using cache = new AnswerCache(dir, { baseUrl: server.url, model: label, maxTokens: MAX_TOKENS, temperature: 1 });
    const probe = (scheme: ProbeSchemeName, maxQueries: number): Promise<EvidenceReport> =>
      // Concurrency 1: answers arrive in query order, the order cached answers are replayed in.
      // retest: each scheme (and the refined prefix) is measured on the same cached answers on purpose.
      probeSuspect({
        client,
        key,
        prompts,
        schemes: [scheme],
        looks: 1,
        maxQueries,
        concurrency: 1,
        cache,
        retest: true,
        tracePoints: TRACE_POINTS,
      });
    const out: ProbeMeasure[] = [];
    let prefixTokens: number[] | undefined;
    for (const [i, scheme] of schemes.entries()) {
      const t0 = performance.now();
      const report = await probe(scheme, BUDGET);
      if (report.queries.failed > 0 || report.queries.answered !== BUDGET)
        throw new Error(`${label}: ${report.queries.failed} failed queries, ${report.queries.answered} of ${BUDGET} answered`);
      if (i > 0 && report.queries.asked > 0) throw new Error(`${label}: the ${scheme} test asked ${report.queries.asked} queries again`);
      if (prefixTokens === undefined) {
        // Answer tokens of the first n answers, re-tokenized as the probe does.
        prefixTokens = [0];
        for (let q = 0; q < BUDGET; q++) {
          const text = cache.get(q, prompts[q] as string)?.text;
          if (text === undefined) throw new Error(`${label}: answer ${q} is not in the cache`);
          prefixTokens.push((prefixTokens[q] as number) + tokenizer.encode(text).length);
        }
        if (prefixTokens[BUDGET] !== report.queries.answerTokens)
          throw new Error(`${label}: ${prefixTokens[BUDGET]} answer tokens counted, the report says ${report.queries.answerTokens}`);
      }
      const tokensAt = (answers: number) => prefixTokens?.[answers] as number;
      const points = report.traces[0]?.points ?? [];
      const trace = points.map((p) => ({ answers: p.answers, answerTokens: tokensAt(p.answers), log10P: p.log10P }));
      let reached: ProbeMeasure['reached'] = null;
      const crossing = points.find((p) => p.log10P <= ALPHA_LOG10);
      if (crossing !== undefined) {
        // Finer prefixes below the first crossing, from the cache: the same answers in the same order.
        const refine = await probe(scheme, crossing.answers);
        const fine = refine.traces[0]?.points ?? [];
        const last = fine.at(-1);
        if (refine.queries.asked > 0 || last?.answers !== crossing.answers || Math.abs(last.log10P - crossing.log10P) > 1e-9)
          throw new Error(`${label}: the refining probe does not reproduce the trace at ${crossing.answers} answers`);
        const first = fine.find((p) => p.log10P <= ALPHA_LOG10) ?? crossing;
        reached = { answers: first.answers, answerTokens: tokensAt(first.answers), log10P: first.log10P };
        for (const p of fine) trace.push({ answers: p.answers, answerTokens: tokensAt(p.answers), log10P: p.log10P });
      }
      const byAnswers = [...new Map(trace.map((p) => [p.answers, p])).values()].sort((a, b) => a.answers - b.answers);
      out.push({
        scheme,
        reached,
        final: {
          answers: report.queries.answered,
          answerTokens: report.queries.answerTokens,
          scored: report.provider.scored,
          score: report.provider.score,
          expected: report.provider.expected,
          log10P: report.provider.log10P,
        },
        bestLog10P: Math.min(...byAnswers.map((p) => p.log10P)),
        trace: byAnswers,
        seconds: (performance.now() - t0) / 1000,
      });
    }
    return out;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Cell {
  scheme: ProbeSchemeName;
  rho: number;
  studentTokens: number;
  harvestedTokens: number;
  exchanges: number;
  /** Why this cell's student is smaller than the others, when it is. */
  reduced: string | null;
  student: ProbeMeasure;
  control: { studentTokens: number; log10P: number; bestLog10P: number; scored: number };
  seconds: { distill: number; probe: number };
}

const cells: Cell[] = [];
const controls = new Map<string, ProbeMeasure[]>();
const warnings: string[] = [];
const fmtP = (x: number) => x.toFixed(1);
const fmtN = (x: number) => x.toLocaleString('en-US');

for (const rho of RHOS) {
  for (const scheme of SCHEMES) {
    const studentTokens = studentTokensFor(scheme, rho);
    const reduced =
      studentTokens < FULL_STUDENT
        ? `${scheme} marking reads the dense distribution per token: harvest capped at ${fmtN(DENSE_HARVEST_CAP)} tokens, so the student has ${fmtN(studentTokens)} tokens instead of ${fmtN(FULL_STUDENT)}`
        : null;
    const out = mkdtempSync(join(tmpdir(), 'lineage-radioactivity-probe-'));
    try {
      const t0 = performance.now();
      const seed = `radioactivity-probe/${rho}`; // one clean part per rho: the control depends on seed and size only
      const manifest = distill({
        teacher,
        marking: markingFor(scheme),
        accounts: ACCOUNTS,
        rho,
        tokens: studentTokens,
        order: STUDENT_ORDER,
        answerTokens: MAX_TOKENS,
        seed,
        key,
        outDir: out,
      });
      const t1 = performance.now();
      const [student] = await probeModel(join(out, 'student.model'), [scheme], `student-${scheme}-${rho}`);
      if (student === undefined) throw new Error('no student measure');
      // Controls: one per distinct clean model (seed and size), tested with each scheme whose students it matches.
      const controlId = `${seed}/${studentTokens}`;
      if (!controls.has(controlId)) {
        const users = SCHEMES.filter((s) => studentTokensFor(s, rho) === studentTokens);
        controls.set(controlId, await probeModel(join(out, 'control.model'), users, `control-${rho}-${studentTokens}`));
      }
      const control = controls.get(controlId)?.find((m) => m.scheme === scheme);
      if (control === undefined) throw new Error(`no control measure for ${scheme} at rho ${rho}`);
      if (control.bestLog10P <= ALPHA_LOG10) {
        const warning = `CONTROL REACHED p <= 1e-6: ${scheme} at rho ${rho}, control of ${studentTokens} clean tokens, best log10 p ${fmtP(control.bestLog10P)}, final ${fmtP(control.final.log10P)}`;
        warnings.push(warning);
        console.error(`\n${'!'.repeat(100)}\n!!! ${warning}\n${'!'.repeat(100)}\n`);
      }
      const cell: Cell = {
        scheme,
        rho,
        studentTokens,
        harvestedTokens: manifest.harvestedTokens,
        exchanges: manifest.exchanges,
        reduced,
        student,
        control: {
          studentTokens,
          log10P: control.final.log10P,
          bestLog10P: control.bestLog10P,
          scored: control.final.scored,
        },
        seconds: { distill: (t1 - t0) / 1000, probe: (performance.now() - t1) / 1000 },
      };
      cells.push(cell);
      const r = student.reached;
      console.log(
        `${scheme} rho ${rho}: student ${fmtN(studentTokens)} tokens (${fmtN(manifest.harvestedTokens)} harvested)${reduced ? ' [reduced]' : ''}; ${
          r ? `log10 p ${fmtP(r.log10P)} at ${fmtN(r.answers)} answers / ${fmtN(r.answerTokens)} tokens` : 'p <= 1e-6 not reached'
        }; final ${fmtP(student.final.log10P)}; control ${fmtP(control.final.log10P)}; distil ${cell.seconds.distill.toFixed(0)} s, probes ${cell.seconds.probe.toFixed(0)} s`,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
}

const seconds = (performance.now() - started) / 1000;
const lines = [
  `| scheme | rho | student tokens (harvested) | answers to p ≤ 1e-6 | answer tokens to p ≤ 1e-6 | log10 p at ${fmtN(BUDGET)} answers | control log10 p |`,
  '|---|---|---|---|---|---|---|',
];
for (const c of cells) {
  const r = c.student.reached;
  const note = c.reduced ? ' (reduced)' : '';
  lines.push(
    `| ${c.scheme} | ${c.rho} | ${fmtN(c.studentTokens)}${note} (${fmtN(c.harvestedTokens)}) | ${r ? fmtN(r.answers) : `not within ${fmtN(c.student.final.answers)}`} | ${
      r ? fmtN(r.answerTokens) : `not within ${fmtN(c.student.final.answerTokens)} (best log10 p ${fmtP(c.student.bestLog10P)})`
    } | ${fmtP(c.student.final.log10P)} | ${fmtP(c.control.log10P)} |`,
  );
}
console.log(`\n${lines.join('\n')}`);
const notes = [...new Set(cells.flatMap((c) => (c.reduced ? [c.reduced] : [])))];
for (const note of notes) console.log(`\nNote: ${note}.`);
const anchorCells = cells.filter((c) => c.rho === ANCHOR.rho);
for (const c of anchorCells)
  console.log(
    `Anchor (p ≈ 1e-5 after ~${fmtN(ANCHOR.generatedTokens)} generated tokens at rho ${ANCHOR.rho}): ${c.scheme} ${
      c.student.reached
        ? `reached 1e-6 after ${fmtN(c.student.reached.answerTokens)} answer tokens (${(c.student.reached.answerTokens / ANCHOR.generatedTokens).toFixed(2)}x the anchor's tokens)`
        : `did not reach 1e-6 within ${fmtN(c.student.final.answerTokens)} answer tokens`
    }`,
  );
if (warnings.length > 0) console.error(`\n${warnings.length} control(s) reached p <= 1e-6:\n${warnings.join('\n')}`);
console.log(
  `\n${cells.length} cells in ${seconds.toFixed(0)} s (load average at the end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')})`,
);

if (!short) {
  writeFileSync(
    new URL(`../results/radioactivity-probe${only ? `-${only}` : ''}.json`, import.meta.url),
    `${JSON.stringify(
      {
        machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, date: new Date().toISOString() },
        anchor: ANCHOR,
        alpha: 10 ** ALPHA_LOG10,
        teacher: TEACHER,
        student: { order: STUDENT_ORDER, tokens: FULL_STUDENT, denseHarvestCap: DENSE_HARVEST_CAP },
        accounts: ACCOUNTS,
        probe: { prompts: BUDGET, maxTokens: MAX_TOKENS, temperature: 1, looks: 1, concurrency: 1, tracePoints: TRACE_POINTS },
        method:
          'one probe of the full budget per model; p-values on growing prefixes of the answers in query order (report.traces), the first crossing refined by a cached probe of exactly that many answers; each prefix p-value is a one-look test of that many answers',
        notes,
        warnings,
        seconds,
        cells,
      },
      null,
      2,
    )}\n`,
  );
}
