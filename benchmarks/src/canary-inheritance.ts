/**
 * How often a distilled student reproduces canaries (issue 6), against how many times each
 * (account, prompt) pair was asked, the student's order and the contamination rho. A 4-gram
 * teacher (300k Brown training tokens) answers 20 accounts; a CanaryMarker at rate 1 puts a
 * canary into every answer and records it in a real SQLite ledger. The distiller trains a
 * student of order 3 or 4 on 400k tokens of which a share rho is harvested (answers of at most
 * 96 tokens); the control trains on clean text only. Each distinct ledgered (account, prompt)
 * is replayed once to both models (selectReplayPrompts covering the whole ledger, 160-token
 * answers), plus 200 unprompted samples of 160 tokens, and everything is scanned as one sample
 * with CanaryScanner (exact binomial p over the ledger draws).
 *
 * Repetitions: a canary is keyed on (account, prompt), so a pair asked k times puts the same
 * canary into k answers. Accounts take turns (exchange i: account i mod 20, prompt i mod pool),
 * so with a pool that is a multiple of 20 every prompt belongs to one account and there are
 * exactly `pool` pairs. The 1-repetition cell uses the largest pool (100,000 > exchanges); the
 * others use pool = exchanges of that cell ÷ target, rounded to a multiple of 20. The reported
 * mean repetitions are measured: ledger records ÷ distinct (account, promptHash).
 *
 * Writes results/canary-inheritance.json and prints a Markdown table.
 * Run: pnpm --filter @lineage/benchmarks run canary-inheritance (about 90 seconds on 2 cores;
 * `--short` is a smoke run with smaller sizes whose results are not written).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromSecret, SeededRandom } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { CanaryScanner, selectReplayPrompts } from '@lineage/detect/canary';
import { CanaryMarker } from '@lineage/embed/canary';
import { openSqliteLedger } from '@lineage/embed/ledger';
import { distill, generateTokens, loadModelFile, type MarkingScheme, type NgramModel, trainOnBrown } from '@lineage/testbed';

const short = process.argv.includes('--short');
const ACCOUNTS = 20;
const TEACHER_ORDER = 4;
const TEACHER_TOKENS = 300_000;
const STUDENT_TOKENS = short ? 60_000 : 400_000;
const ANSWER_TOKENS = 96;
const REPLY_TOKENS = 160;
const UNPROMPTED = short ? 20 : 200;
const MAX_POOL = 100_000;
const REPETITIONS = [1, 3, 10] as const;
const ORDERS = [3, 4] as const;
const RHOS = [1, 0.5] as const;

interface ModelScan {
  answers: number;
  /** Distinct ledger draws found anywhere in the sample. */
  found: number;
  foundShare: number;
  /** Replayed answers / unprompted samples that hold at least one ledgered canary. */
  replayAnswersWithCanary: number;
  unpromptedWithCanary: number;
  /** Replayed answers that hold the canary ledgered for the asked (account, prompt). */
  ownCanary: number;
  /** Distinct draws found only in unprompted samples. */
  foundUnprompted: number;
  shapedWindows: number;
  log10P: number;
  /** Hits naming an account the ledger does not record for that canary. */
  falseAttributions: number;
}

const started = performance.now();
const key = keyFromSecret(new Uint8Array(32).fill(24));
const teacher = trainOnBrown({ order: TEACHER_ORDER, tokens: TEACHER_TOKENS, seed: 'teacher' });
using tokenizer = createTokenizer({ encoding: teacher.encoding });
const rows: Record<string, unknown>[] = [];

function scanModel(
  model: NgramModel,
  name: string,
  scanner: CanaryScanner,
  prompts: ReturnType<typeof selectReplayPrompts>['prompts'],
  ledgerAccounts: ReadonlyMap<string, ReadonlySet<string>>,
): ModelScan {
  const session = scanner.session();
  const found = new Set<string>();
  const foundInReplay = new Set<string>();
  let replayAnswersWithCanary = 0;
  let unpromptedWithCanary = 0;
  let ownCanary = 0;
  let falseAttributions = 0;
  const answer = (prompt: number[], seed: string): string =>
    tokenizer.decode(
      Uint32Array.from(
        generateTokens(model, {
          prompt,
          maxTokens: REPLY_TOKENS,
          random: new SeededRandom(seed),
          ...(prompt.length === 0 ? { allowBoundary: false } : {}),
        }),
      ),
    );
  const check = (text: string): { hits: readonly { canary: string; account: string }[] } => {
    const { hits } = scanner.scan(text);
    for (const hit of hits) {
      found.add(`${hit.account}\u0000${hit.canary}`);
      if (!ledgerAccounts.get(hit.canary)?.has(hit.account)) falseAttributions++;
    }
    session.push(text);
    session.separate();
    return { hits };
  };
  prompts.forEach((asked, i) => {
    const text = answer([model.boundaryId, ...tokenizer.encode(asked.prompt)], `${name}-replay-${i}`);
    const { hits } = check(text);
    for (const hit of hits) foundInReplay.add(`${hit.account}\u0000${hit.canary}`);
    if (hits.length > 0) replayAnswersWithCanary++;
    if (hits.some((h) => h.canary === asked.canary && h.account === asked.accountId)) ownCanary++;
  });
  for (let i = 0; i < UNPROMPTED; i++) {
    const { hits } = check(answer([], `${name}-unprompted-${i}`));
    if (hits.length > 0) unpromptedWithCanary++;
  }
  const scan = session.end();
  if (scan.hits.length !== found.size) throw new Error(`session found ${scan.hits.length} draws, per-answer scans ${found.size}`);
  return {
    answers: prompts.length + UNPROMPTED,
    found: scan.hits.length,
    foundShare: scan.draws === 0 ? 0 : scan.hits.length / scan.draws,
    replayAnswersWithCanary,
    unpromptedWithCanary,
    ownCanary,
    foundUnprompted: [...found].filter((f) => !foundInReplay.has(f)).length,
    shapedWindows: scan.shapedWindows,
    log10P: scan.log10P,
    falseAttributions,
  };
}

for (const rho of RHOS) {
  let exchangesAtOne = 0;
  for (const target of REPETITIONS) {
    const promptPool = target === 1 ? MAX_POOL : Math.max(ACCOUNTS, Math.round(exchangesAtOne / target / ACCOUNTS) * ACCOUNTS);
    for (const order of ORDERS) {
      const cellStart = performance.now();
      const out = mkdtempSync(join(tmpdir(), 'lineage-canary-inheritance-'));
      const ledger = openSqliteLedger(join(out, 'ledger.db'));
      const canaries = new CanaryMarker({ key, ledger, rate: 1, capPerDay: 1_000_000 });
      const marking: MarkingScheme = {
        name: 'canary',
        textMarkerFor: (account) => ({ markText: (text, prompt) => canaries.mark({ ...account, prompt: prompt ?? '', text }).text }),
      };
      const manifest = distill({
        teacher,
        marking,
        accounts: ACCOUNTS,
        promptPool,
        rho,
        order,
        tokens: STUDENT_TOKENS,
        answerTokens: ANSWER_TOKENS,
        seed: `canary-inheritance/${rho}/${promptPool}`,
        outDir: out,
      });
      if (target === 1) exchangesAtOne = manifest.exchanges;
      const distilledAt = performance.now();
      const entries = [...ledger.entries()];
      ledger.close();
      const pairs = new Set(entries.map((e) => `${e.accountId}\u0000${e.promptHash}`));
      const ledgerAccounts = new Map<string, Set<string>>();
      for (const e of entries) ledgerAccounts.set(e.canary, (ledgerAccounts.get(e.canary) ?? new Set()).add(e.accountId));
      const scanner = new CanaryScanner(entries);
      const { prompts } = selectReplayPrompts(entries, { perGroup: MAX_POOL });
      if (prompts.length !== pairs.size) throw new Error(`replay covers ${prompts.length} of ${pairs.size} ledgered pairs`);
      const student = scanModel(loadModelFile(join(out, 'student.model')), 'student', scanner, prompts, ledgerAccounts);
      const control = scanModel(loadModelFile(join(out, 'control.model')), 'control', scanner, prompts, ledgerAccounts);
      rmSync(out, { recursive: true, force: true });
      const row = {
        targetRepetitions: target,
        promptPool,
        rho,
        order,
        exchanges: manifest.exchanges,
        harvestedTokens: manifest.harvestedTokens,
        ledgerRecords: entries.length,
        ledgerDraws: scanner.draws,
        meanRepetitions: entries.length / pairs.size,
        replayed: prompts.length,
        student,
        control,
        seconds: { distill: (distilledAt - cellStart) / 1000, scan: (performance.now() - distilledAt) / 1000 },
      };
      rows.push(row);
      console.log(
        `rho ${rho} pool ${promptPool} order ${order}: ${entries.length} records, ${scanner.draws} draws; student found ${student.found} (${student.ownCanary} own), log10 p ${student.log10P.toFixed(1)}; control found ${control.found}, ${control.shapedWindows} windows; ${row.seconds.distill.toFixed(0)} s + ${row.seconds.scan.toFixed(0)} s`,
      );
    }
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const lines = [
  '| reps (target) | pool | rho | order | ledger records / draws | mean reps | student answers (replay + unprompted) | draws found | share found | answers with a canary (replay / unprompted) | own canary back | shaped windows | log10 p | false attributions | control: found / windows / log10 p / false |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const r of rows as {
  targetRepetitions: number;
  promptPool: number;
  rho: number;
  order: number;
  ledgerRecords: number;
  ledgerDraws: number;
  meanRepetitions: number;
  replayed: number;
  student: ModelScan;
  control: ModelScan;
}[]) {
  const s = r.student;
  const c = r.control;
  lines.push(
    `| ${r.targetRepetitions} | ${r.promptPool} | ${r.rho} | ${r.order} | ${r.ledgerRecords} / ${r.ledgerDraws} | ${r.meanRepetitions.toFixed(2)} | ${r.replayed} + ${UNPROMPTED} | ${s.found}${s.foundUnprompted > 0 ? ` (${s.foundUnprompted} only unprompted)` : ''} | ${pct(s.foundShare)} | ${s.replayAnswersWithCanary} / ${s.unpromptedWithCanary} | ${s.ownCanary} | ${s.shapedWindows} | ${s.log10P.toFixed(1)} | ${s.falseAttributions} | ${c.found} / ${c.shapedWindows} / ${c.log10P.toFixed(1)} / ${c.falseAttributions} |`,
  );
}
console.log(lines.join('\n'));
const seconds = (performance.now() - started) / 1000;
console.log(`\n${rows.length} cells in ${seconds.toFixed(0)} s`);
if (!short) {
  writeFileSync(
    new URL('../results/canary-inheritance.json', import.meta.url),
    `${JSON.stringify(
      {
        accounts: ACCOUNTS,
        teacher: { order: TEACHER_ORDER, tokens: TEACHER_TOKENS },
        studentTokens: STUDENT_TOKENS,
        answerTokens: ANSWER_TOKENS,
        replyTokens: REPLY_TOKENS,
        unprompted: UNPROMPTED,
        canaryRate: 1,
        seconds,
        rows,
      },
      null,
      2,
    )}\n`,
  );
}
