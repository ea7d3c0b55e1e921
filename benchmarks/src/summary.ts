/**
 * Writes benchmarks/results/summary.md from every results/*.json present, with SVG charts
 * (results/summary-*.svg, drawn by the evidence report's chart code) linked from it. It runs
 * last in `bench` and `bench:ci`, so it replaces the plainer summary.md that run.ts writes.
 * Every number printed comes from the JSON files; a file that is absent is skipped and one
 * whose shape changed is named with the field at fault, never printed as NaN.
 *
 * `--readme` also rewrites the generated block of README.md's Performance section
 * (readme-performance.ts). Run: pnpm --filter @lineage/benchmarks run summary
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { barChart, formatTick, type LineSeries, lineChart } from '@lineage/detect/report';
import { type CanaryScanBench, canaryScanSummary } from './canary-scan-bench.js';
import { type LedgerBenchResult, ledgerSummary } from './ledger-bench.js';
import { type LexicalBenchResult, lexicalSummary } from './lexical.js';
import { type ProxyLoadBench, proxyLoadSummary } from './proxy-load-bench.js';
import { writeReadmePerformance } from './readme-performance.js';
import {
  at,
  describeMachine,
  fmt,
  fmtInt,
  fmtLog,
  list,
  loadResults,
  machineOf,
  num,
  pct,
  RESULTS_DIR,
  type Results,
  str,
} from './results-files.js';
import { standaloneSvg } from './svg-file.js';

interface Chart {
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

interface Section {
  readonly markdown: string;
  readonly charts: readonly Chart[];
}

type SectionFn = (r: Results) => Section | null;

/** A log10 axis: whole powers read as plain values; ticks between them stay unlabelled. */
const powerTick = (v: number) => (Number.isInteger(v) ? formatTick(10 ** v) : '');
const ratioTick = (v: number) => (Number.isInteger(v) ? `${formatTick(10 ** v)}x` : '');
/** Fixed ends at whole powers around the data, so the ticks fall on them. */
const powerRange = (values: readonly number[]) => ({
  min: Math.floor(Math.min(...values.map(Math.log10))),
  max: Math.ceil(Math.max(...values.map(Math.log10))),
});

function chart(file: string, title: string, markup: Parameters<typeof standaloneSvg>[0]): Chart {
  return { file: `summary-${file}.svg`, title, svg: standaloneSvg(markup) };
}

// ---------------------------------------------------------------------------------------------
// Throughput: ratios against a baseline timed in the same run

const throughput: SectionFn = (r) => {
  const core = r.get('core');
  const green = r.get('green-list');
  const identity = r.get('identity');
  const scan = r.get('canary-scan');
  const ledger = r.get('ledger');
  if (!core && !green && !identity && !scan && !ledger) return null;
  const rows: string[] = [];
  const bars: { label: string; ratio: number }[] = [];
  const charts: Chart[] = [];
  if (core) {
    rows.push(
      `| keyed PRF (SipHash seed + mixer), tokens/s | ${fmt(num(core, 'prf.prfTokensPerSecond'))} | HMAC-SHA-256: ${fmt(num(core, 'prf.hmacTokensPerSecond'))} | ${fmt(num(core, 'prf.speedup'))}x |`,
      `| PRF over the whole vocabulary (${fmtInt(num(core, 'vocabularySweep.vocabulary'))} ids), ms per step | ${fmt(num(core, 'vocabularySweep.millisecondsPerStep'))} | | |`,
      `| tokenizer adapter, tokens/s (${fmtInt(num(core, 'tokenizer.characters'))} characters) | ${fmt(num(core, 'tokenizer.adapterTokensPerSecond'))} | plain tiktoken: ${fmt(num(core, 'tokenizer.tiktokenTokensPerSecond'))} | ${fmt(num(core, 'tokenizer.adapterRelativeSpeed'))}x |`,
      `| one ${fmtInt(num(core, 'longWord.letters'))}-letter word, s | ${num(core, 'longWord.adapterSeconds').toFixed(4)} | plain tiktoken: ${num(core, 'longWord.tiktokenSeconds').toFixed(3)} | ${fmt(num(core, 'longWord.speedup'))}x faster |`,
    );
    bars.push(
      { label: 'PRF vs HMAC', ratio: num(core, 'prf.speedup') },
      { label: 'tokenizer vs tiktoken', ratio: num(core, 'tokenizer.adapterRelativeSpeed') },
      { label: 'long word vs tiktoken', ratio: num(core, 'longWord.speedup') },
    );
  }
  if (green) {
    rows.push(
      `| kgw detection of Brown prose, tokens/s (tokenizing included) | ${fmt(num(green, 'detectText.detectTokensPerSecond'))} | plain tiktoken: ${fmt(num(green, 'detectText.tiktokenTokensPerSecond'))} | ${fmt(num(green, 'detectText.relativeSpeed'))}x |`,
      `| kgw processLogits over ${fmtInt(num(green, 'processLogits.vocabulary'))} logits, median ms | ${num(green, 'processLogits.medianMs').toFixed(3)} | reading the logits once: ${num(green, 'processLogits.readOnceMs').toFixed(3)} | ${fmt(num(green, 'processLogits.ratio'))}x the time |`,
    );
    bars.push(
      { label: 'kgw detect vs tiktoken', ratio: num(green, 'detectText.relativeSpeed') },
      { label: 'processLogits vs read', ratio: num(green, 'processLogits.readOnceMs') / num(green, 'processLogits.medianMs') },
    );
  }
  if (ledger) {
    rows.push(
      `| ledger record, one insert per canary, per s | ${fmt(num(ledger, 'single.perSecond'))} | bare better-sqlite3: ${fmt(num(ledger, 'single.bareSqlitePerSecond'))} | ${fmt(num(ledger, 'single.toBareSqlite'))}x |`,
    );
    bars.push({ label: 'ledger vs bare SQLite', ratio: num(ledger, 'single.toBareSqlite') });
  }
  if (scan) {
    const small = num(scan, 'smallLedger.canaries');
    const large = num(scan, 'largeLedger.canaries');
    rows.push(
      `| canary scan, MB/s, ${fmtInt(small)} / ${fmtInt(large)} ledgered canaries | ${fmt(num(scan, 'smallLedger.megabytesPerSecond'))} / ${fmt(num(scan, 'largeLedger.megabytesPerSecond'))} | ${fmtInt(small)} canaries | time ${fmt(num(scan, 'timeRatio'))}x |`,
    );
    bars.push({ label: `canaries ${formatTick(large)} vs ${formatTick(small)}`, ratio: 1 / num(scan, 'timeRatio') });
    charts.push(
      chart(
        'canary-scan',
        'Canary scan speed against the number of ledgered canaries',
        lineChart({
          kind: 'canary-scan',
          title: 'Canary scan speed against the number of ledgered canaries',
          x: { label: 'ledgered canaries (log scale)', ...powerRange([small, large]), format: powerTick },
          y: { label: 'MB/s', min: 0 },
          lines: [
            {
              name: `scan of ${fmt(num(scan, 'megabytes'))} MB`,
              points: [
                { x: Math.log10(small), y: num(scan, 'smallLedger.megabytesPerSecond') },
                { x: Math.log10(large), y: num(scan, 'largeLedger.megabytesPerSecond') },
              ],
            },
          ],
          references: [{ label: 'goal per core', value: num(scan, 'goalMegabytesPerSecond') }],
        }),
      ),
    );
  }
  if (identity) {
    const decoding = list(identity, 'decoding');
    const points = decoding.map((_, i) => ({
      x: Math.log10(num(identity, `decoding.${i}.accounts`)),
      y: num(identity, `decoding.${i}.decodeMs`),
    }));
    for (const [i] of decoding.entries())
      rows.push(
        `| decodeIdentity on ${fmtInt(num(identity, 'tokens'))} tokens, ${fmtInt(num(identity, `decoding.${i}.accounts`))} accounts, ms (directory build ${fmt(num(identity, `decoding.${i}.buildSeconds`))} s) | ${fmt(num(identity, `decoding.${i}.decodeMs`))} | 10 accounts | ${fmt(num(identity, `decoding.${i}.relativeToTen`))}x the time |`,
      );
    const last = decoding.length - 1;
    if (last > 0)
      bars.push({
        label: `identity: ${formatTick(num(identity, `decoding.${last}.accounts`))} vs ${formatTick(num(identity, 'decoding.0.accounts'))}`,
        ratio: 1 / num(identity, `decoding.${last}.relativeToTen`),
      });
    charts.push(
      chart(
        'identity-decoding',
        'Identity decoding time against registered accounts',
        lineChart({
          kind: 'identity-decoding',
          title: 'Identity decoding time against registered accounts',
          x: {
            label: 'registered accounts (log scale)',
            ...powerRange(decoding.map((_, i) => num(identity, `decoding.${i}.accounts`))),
            format: powerTick,
          },
          y: { label: 'decodeIdentity, ms', min: 0 },
          lines: [{ name: `${fmtInt(num(identity, 'tokens'))} marked tokens`, points }],
        }),
      ),
    );
  }
  charts.unshift(
    chart(
      'throughput-ratios',
      'Speed relative to a baseline timed in the same run',
      barChart({
        kind: 'throughput-ratios',
        title: 'Speed relative to a baseline timed in the same run',
        x: { label: 'speed ratio, log scale (right of 1x: faster than the baseline)', min: -1, format: ratioTick },
        bars: bars.map((b) => ({ label: b.label, value: Math.log10(b.ratio), valueLabel: `${fmt(b.ratio)}x`, highlight: b.ratio >= 1 })),
        references: [{ label: '1x', value: 0 }],
      }),
    ),
  );
  return {
    markdown: `## Throughput (ratios against a baseline timed in the same run)

| measure | value | baseline, same run | ratio |
|---|---|---|---|
${rows.join('\n')}
`,
    charts,
  };
};

// ---------------------------------------------------------------------------------------------

const testbed: SectionFn = (r) => {
  const t = r.get('testbed');
  if (!t) return null;
  const rows = [
    ...list(t, 'training').map(
      (_, i) =>
        `| train order ${num(t, `training.${i}.order`)} on ${fmtInt(num(t, `training.${i}.tokens`))} tokens (${fmtInt(num(t, `training.${i}.ngrams`))} n-grams), s | ${fmt(num(t, `training.${i}.seconds`))} | budget 30 s | ${num(t, `training.${i}.ofBudget`).toFixed(3)} of budget |`,
    ),
    ...list(t, 'perplexity').map(
      (_, i) =>
        `| held-out perplexity, order ${num(t, `perplexity.${i}.order`)} | ${fmt(num(t, `perplexity.${i}.perplexity`))} | unigram | ${num(t, `perplexity.${i}.unigramRatio`).toFixed(3)} |`,
    ),
    ...list(t, 'generation').map(
      (_, i) =>
        `| generation, ${str(t, `generation.${i}.mode`)}, tokens/s | ${fmt(num(t, `generation.${i}.tokensPerSecond`))} | goal 5,000 | ${fmt(num(t, `generation.${i}.ofGoal`))}x |`,
    ),
    `| order-${num(t, 'modelFile.order')} model file, bytes (per n-gram) / parse + validate s | ${fmtInt(num(t, 'modelFile.bytes'))} (${num(t, 'modelFile.bytesPerNgram').toFixed(1)}) / ${fmt(num(t, 'modelFile.loadSeconds'))} | | |`,
  ];
  return {
    markdown: `## Testbed models (Brown, o200k_base)

Tokenizing the Brown corpus once: ${fmt(num(t, 'tokenizeSeconds'))} s.

| measure | value | baseline | ratio |
|---|---|---|---|
${rows.join('\n')}
`,
    charts: [],
  };
};

const power: SectionFn = (r) => {
  const p = r.get('power');
  if (!p) return null;
  const rows = list(p, 'power').map(
    (_, i) =>
      `| ${str(p, `power.${i}.scheme`)} | ${num(p, `power.${i}.temperature`)} | ${fmtInt(num(p, `power.${i}.samples`))} | ${pct(num(p, `power.${i}.power`))} | ${fmtInt(num(p, `power.${i}.medianTokens`))} | ${fmtInt(num(p, `power.${i}.cleanDetected`))} |`,
  );
  return {
    markdown: `## Detection power (tokens for p <= 1e-6, one 200-token response)

| scheme | temperature | responses | detected at 1e-6 | median tokens needed | clean responses detected |
|---|---|---|---|---|---|
${rows.join('\n')}
`,
    charts: [],
  };
};

/** Sections whose bench module already renders Markdown from its result: reuse it on the JSON. */
const rendered =
  <T>(name: string, render: (result: T) => string): SectionFn =>
  (r) => {
    const result = r.get(name);
    return result === undefined ? null : { markdown: render(result as T), charts: [] };
  };

// ---------------------------------------------------------------------------------------------
// Radioactivity

const radioactivity: SectionFn = (r) => {
  const probe = r.get('radioactivity-probe');
  const lexicalInheritance = r.get('lexical-inheritance');
  const canaryInheritance = r.get('canary-inheritance');
  if (!probe && !lexicalInheritance && !canaryInheritance) return null;
  const parts: string[] = ['## Radioactivity'];
  const charts: Chart[] = [];
  if (probe) {
    const cells = list(probe, 'cells').map((_, i) => at(probe, `cells.${i}`));
    const schemes = [...new Set(cells.map((c) => str(c, 'scheme')))];
    const rhos = [...new Set(cells.map((c) => num(c, 'rho')))].sort((a, b) => a - b);
    const budget = num(probe, 'probe.prompts');
    const cell = (scheme: string, rho: number) => cells.find((c) => str(c, 'scheme') === scheme && num(c, 'rho') === rho);
    const text = (c: unknown) => {
      const reached = at(c, 'student.reached');
      const final = fmtLog(num(c, 'student.final.log10P'));
      const capped = at(c, 'reduced') === null ? '' : ' (capped)';
      return reached === null
        ? `not reached (${final})${capped}`
        : `**${fmtInt(num(reached, 'answers'))} answers, ${fmtInt(num(reached, 'answerTokens'))} tokens** (${final})${capped}`;
    };
    parts.push(
      `\`probeSuspect\` over HTTP against an order-${num(probe, 'student.order')} student of ${fmtInt(num(probe, 'student.tokens'))} tokens of which a share rho is harvested teacher exchanges (${num(probe, 'accounts')} accounts), ${fmtInt(budget)} held-out prompts of at most ${num(probe, 'probe.maxTokens')} tokens, one look. Each cell: answers and answer tokens until the provider p-value first reaches 1e-6, and in brackets log10 p on all ${fmtInt(budget)} answers. ${fmtInt(num(probe, 'seconds'))} s in all.`,
      '',
      `| scheme | ${rhos.map((x) => `rho ${x}`).join(' | ')} | controls, log10 p |`,
      `|---|${rhos.map(() => '---|').join('')}---|`,
      ...schemes.map((s) => {
        const controls = rhos.flatMap((x) => {
          const c = cell(s, x);
          return c === undefined ? [] : [num(c, 'control.log10P')];
        });
        return `| ${s} | ${rhos.map((x) => (cell(s, x) ? text(cell(s, x)) : '')).join(' | ')} | ${fmtLog(Math.max(...controls))} to ${fmtLog(Math.min(...controls))} |`;
      }),
      '',
      ...list(probe, 'notes')
        .filter((n, i, all) => all.indexOf(n) === i)
        .map((n) => `- ${String(n)}`),
      ...(list(probe, 'warnings').length > 0 ? list(probe, 'warnings').map((w) => `- **${String(w)}**`) : []),
      '',
    );
    const FLOOR = -30;
    const lines: LineSeries[] = schemes.map((s) => ({
      name: s,
      points: rhos.flatMap((x) => {
        const c = cell(s, x);
        return c === undefined ? [] : [{ x: Math.log10(x), y: num(c, 'student.final.log10P') }];
      }),
    }));
    lines.push({
      name: 'controls (most significant)',
      points: rhos.map((x) => ({
        x: Math.log10(x),
        y: Math.min(...cells.filter((c) => num(c, 'rho') === x).map((c) => num(c, 'control.log10P'))),
      })),
    });
    const offScale = cells.filter((c) => num(c, 'student.final.log10P') < FLOOR);
    charts.push(
      chart(
        'radioactivity',
        'Provider log10 p of the student against contamination, per scheme',
        lineChart({
          kind: 'radioactivity',
          title: 'Provider log10 p of the student against contamination, per scheme',
          note:
            offScale.length > 0
              ? `Clamped at ${FLOOR}: ${offScale.map((c) => `${str(c, 'scheme')} at rho ${num(c, 'rho')}: ${fmtLog(num(c, 'student.final.log10P'))}`).join('; ')}`
              : `log10 p on all ${fmtInt(budget)} answers`,
          x: { label: 'contamination rho (log scale)', ...powerRange(rhos), format: powerTick },
          y: { label: `log10 p, ${fmtInt(budget)} answers`, min: FLOOR, max: 0 },
          lines,
          references: [{ label: 'p = 1e-6', value: -6 }],
        }),
      ),
    );
    const reachedLines: LineSeries[] = schemes
      .map((s) => ({
        name: s,
        points: rhos.flatMap((x) => {
          const c = cell(s, x);
          const reached = c === undefined ? null : at(c, 'student.reached');
          return reached === null ? [] : [{ x: Math.log10(x), y: Math.log10(num(reached, 'answerTokens')) }];
        }),
      }))
      .filter((l) => l.points.length > 0);
    if (reachedLines.length > 0)
      charts.push(
        chart(
          'radioactivity-tokens',
          'Answer tokens until p <= 1e-6 against contamination',
          lineChart({
            kind: 'radioactivity-tokens',
            title: 'Answer tokens until p <= 1e-6 against contamination',
            note: 'Only cells that reached 1e-6 within the budget are drawn.',
            x: { label: 'contamination rho (log scale)', ...powerRange(rhos), format: powerTick },
            y: {
              label: 'answer tokens to p <= 1e-6 (log scale)',
              ...powerRange([...reachedLines.flatMap((l) => l.points.map((p) => 10 ** p.y)), num(probe, 'anchor.generatedTokens')]),
              format: powerTick,
            },
            lines: reachedLines,
            references: [
              {
                label: `paper, rho ${num(probe, 'anchor.rho')}: ${formatTick(num(probe, 'anchor.generatedTokens'))}`,
                value: Math.log10(num(probe, 'anchor.generatedTokens')),
              },
            ],
          }),
        ),
      );
  }
  if (lexicalInheritance) {
    parts.push(
      `Lexical inheritance (${fmtInt(num(lexicalInheritance, 'samples'))} student samples per row):`,
      '',
      '| contextWords | rho | model | matches / scored | log10 p |',
      '|---|---|---|---|---|',
      ...list(lexicalInheritance, 'rows').map(
        (_, i) =>
          `| ${num(lexicalInheritance, `rows.${i}.contextWords`)} | ${num(lexicalInheritance, `rows.${i}.rho`)} | ${str(lexicalInheritance, `rows.${i}.model`)} | ${fmtInt(num(lexicalInheritance, `rows.${i}.matches`))} / ${fmtInt(num(lexicalInheritance, `rows.${i}.scored`))} | ${fmtLog(num(lexicalInheritance, `rows.${i}.log10P`))} |`,
      ),
      '',
    );
  }
  if (canaryInheritance) {
    parts.push(
      `Canary inheritance (${num(canaryInheritance, 'accounts')} accounts, student of ${fmtInt(num(canaryInheritance, 'studentTokens'))} tokens, ${fmtInt(num(canaryInheritance, 'seconds'))} s):`,
      '',
      '| times served | rho | student order | ledgered canaries found | log10 p | false attributions | control found |',
      '|---|---|---|---|---|---|---|',
      ...list(canaryInheritance, 'rows').map(
        (_, i) =>
          `| ${num(canaryInheritance, `rows.${i}.targetRepetitions`)} | ${num(canaryInheritance, `rows.${i}.rho`)} | ${num(canaryInheritance, `rows.${i}.order`)} | ${pct(num(canaryInheritance, `rows.${i}.student.foundShare`))} | ${fmtLog(num(canaryInheritance, `rows.${i}.student.log10P`))} | ${num(canaryInheritance, `rows.${i}.student.falseAttributions`)} | ${num(canaryInheritance, `rows.${i}.control.found`)} |`,
      ),
      '',
    );
  }
  return { markdown: parts.join('\n'), charts };
};

// ---------------------------------------------------------------------------------------------
// Attribution among a hydra cluster

const attribution: SectionFn = (r) => {
  const a = r.get('attribution');
  if (!a) return null;
  const campaign = str(a, 'campaign');
  const tested = num(a, 'campaignsTested');
  const rows = list(a, 'rows').map((_, i) => at(a, `rows.${i}`));
  const probeRows: string[] = [];
  const bars: { label: string; value: number; valueLabel: string; highlight: boolean }[] = [];
  for (const row of rows) {
    for (const who of ['student', 'control'] as const) {
      const outcomes = at(row, who);
      if (outcomes === null) continue;
      for (const set of Object.keys(outcomes as object)) {
        const o = at(outcomes, set);
        const decoys = list(o, 'decoys').map((_, i) => num(o, `decoys.${i}.log10P`));
        probeRows.push(
          `| ${num(row, 'rho')} | ${fmtInt(num(row, 'campaignAccounts'))} (${pct(num(row, 'campaignShare'))}) | ${who} | ${set} | ${fmtInt(num(o, 'answers'))} / ${fmtInt(num(o, 'answerTokens'))} | ${fmtLog(num(o, 'provider.log10P'))} | ${fmtLog(num(o, 'campaign.log10P'))} (${fmtLog(num(o, 'campaign.uncorrectedLog10P'))}) | ${fmtLog(Math.min(...decoys))} | ${str(o, 'identity.status')} |`,
        );
        if (who === 'student' && set === 'cluster')
          bars.push({
            label: `rho ${num(row, 'rho')}, ${formatTick(num(row, 'campaignAccounts'))} flagged`,
            value: -num(o, 'campaign.log10P'),
            valueLabel: fmtLog(num(o, 'campaign.log10P')),
            highlight: num(o, 'campaign.log10P') <= Math.log10(num(a, 'alpha')),
          });
      }
    }
  }
  const first = rows[0];
  const sets = at(a, 'leakedText.sets');
  const leaked = list(a, 'leakedText.sets').map(
    (_, i) =>
      `| ${str(sets, `${i}.source`)} | ${fmtInt(num(sets, `${i}.texts`))} | ${fmtInt(num(sets, `${i}.meanTokens`))} | ${fmtInt(num(sets, `${i}.right`))} (${pct(num(sets, `${i}.rightShare`))}): ${fmtInt(num(sets, `${i}.rightAccounts`))} accounts, ${fmtInt(num(sets, `${i}.rightCampaign`))} to ${campaign} of ${fmtInt(num(sets, `${i}.campaignTexts`))} campaign texts | **${num(sets, `${i}.wrong`)}** | ${fmtInt(num(sets, `${i}.marked`))} | ${num(sets, `${i}.msPerText`).toFixed(2)} |`,
  );
  const markdown = `## Attribution among ${fmtInt(num(a, 'accounts'))} accounts

A ${str(a, 'teacher.scheme')}-marked order-${num(a, 'teacher.order')} Brown teacher (${fmtInt(num(a, 'teacher.tokens'))} tokens) answers a cluster of ${fmtInt(num(a, 'accounts'))} accounts in turn; the first accounts are flagged into \`${campaign}\`; the key registers ${list(a, 'decoys').length} more campaigns that harvested nothing. Order-${num(a, 'student.order')} students of ${fmtInt(num(a, 'student.tokens'))} tokens are served over HTTP and probed by \`probeSuspect\` (${list(a, 'probe.schemes').join(', ')}, ${num(a, 'probe.looks')} look, ${fmtInt(num(a, 'probe.registeredAccounts'))} accounts registered). Prompt sets: cluster = ${str(a, 'probe.promptSets.cluster')}; campaign = ${str(a, 'probe.promptSets.campaign')}. Campaign p-values are Bonferroni-corrected for the ${tested} campaigns (uncorrected in brackets). ${first ? `${fmtInt(num(first, 'exchanges'))} exchanges at rho ${num(first, 'rho')}, so ${fmtInt(num(first, 'harvestingAccounts'))} accounts harvested at all.` : ''} ${fmtInt(num(a, 'seconds'))} s in all.

| rho | flagged accounts (share of exchanges) | model | prompts | answers / tokens | provider log10 p | ${campaign} log10 p | best decoy log10 p | identity |
|---|---|---|---|---|---|---|---|---|
${probeRows.join('\n')}

Leaked text: \`TextAttributor\` (${list(a, 'leakedText.attributor.schemes').join(', ')}) with ${fmtInt(num(a, 'leakedText.attributor.registeredAccounts'))} accounts registered (built in ${fmt(num(a, 'leakedText.attributor.buildSeconds'))} s), each text on its own at alpha ${num(a, 'alpha').toExponential(0)}. A text of a campaign member is rightly named by its campaign (its identity positions carry the campaign's mark, not its code).

| texts | count | mean tokens | named rightly | named wrongly | marked | ms per text |
|---|---|---|---|---|---|---|
${leaked.join('\n')}
`;
  return {
    markdown,
    charts: [
      chart(
        'attribution',
        `${campaign}: campaign channel of the student, corrected for ${tested} campaigns`,
        barChart({
          kind: 'attribution',
          title: `${campaign}: campaign channel of the student, corrected for ${tested} campaigns`,
          x: { label: `-log10 p of ${campaign} (cluster prompts)` },
          bars,
          references: [{ label: `alpha ${num(a, 'alpha').toExponential(0)}`, value: -Math.log10(num(a, 'alpha')) }],
        }),
      ),
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// Calibration and robustness (their benches are another module's; read here from the JSON only)

const calibration: SectionFn = (r) => {
  const c = r.get('calibration');
  if (!c) return null;
  const rows = list(c, 'rows').map((_, i) => at(c, `rows.${i}`));
  // Chart labels are short: the cases are numbered, and the Markdown says what each is.
  const cases = [...new Set(rows.map((row) => str(row, 'case')))];
  const caseNo = (row: unknown) => cases.indexOf(str(row, 'case')) + 1;
  const interval = (row: unknown, level: string) =>
    `${fmtInt(num(row, `${level}.falsePositives`))} = ${pct(num(row, `${level}.rate`), 2)} [${pct(num(row, `${level}.lower`), 2)}, ${pct(num(row, `${level}.upper`), 2)}]`;
  const ks = (row: unknown, field: string) => {
    const v = at(row, field);
    return v === null ? 'continuous' : `${num(v, 'statistic').toFixed(4)} / ${num(v, 'pValue').toPrecision(2)}`;
  };
  const charts = (['at1e2', 'at1e3'] as const).map((level) => {
    const alpha = num(rows[0], `${level}.alpha`);
    return chart(
      `calibration-${level}`,
      `False positive rate at alpha ${alpha} with exact 95% intervals`,
      barChart({
        kind: `calibration-${level}`,
        title: `False positive rate at alpha ${alpha} with exact 95% intervals`,
        note: 'Rate [exact 95% interval]; orange: the interval lies above alpha.',
        x: { label: `false positive rate (nominal ${alpha})`, min: 0, format: (v) => `${formatTick(100 * v)}%` },
        bars: rows.map((row) => ({
          label: `${str(row, 'scheme')}, case ${caseNo(row)}`,
          value: num(row, `${level}.rate`),
          valueLabel: `${pct(num(row, `${level}.rate`), 2)} [${pct(num(row, `${level}.lower`), 2)}, ${pct(num(row, `${level}.upper`), 2)}]`,
          highlight: num(row, `${level}.lower`) > alpha,
        })),
        references: [{ label: `alpha ${alpha}`, value: alpha }],
      }),
    );
  });
  return {
    markdown: `## Calibration (provider channel, one text per test)

${fmtInt(num(c, 'totalTests'))} tests in ${fmtInt(num(c, 'seconds'))} s; detections at alpha = 1e-6: **${num(c, 'detectionsAt1e6')}** (must be 0). False positives with exact Clopper–Pearson 95% intervals. Cases (numbered in the charts): ${cases.map((x, i) => `${i + 1}. ${x}`).join('; ')}.

| scheme | case | tests | at 1e-2 | at 1e-3 | KS D / p | KS randomized D / p | at 1e-6 |
|---|---|---|---|---|---|---|---|
${rows.map((row) => `| ${str(row, 'scheme')} | ${caseNo(row)}. ${str(row, 'case')} | ${fmtInt(num(row, 'n'))} | ${interval(row, 'at1e2')} | ${interval(row, 'at1e3')} | ${ks(row, 'ks')} | ${ks(row, 'ksRandomized')} | ${num(row, 'at1e6')} |`).join('\n')}
`,
    charts,
  };
};

const robustness: SectionFn = (r) => {
  const b = r.get('robustness');
  if (!b) return null;
  const rows = list(b, 'rows').map((_, i) => at(b, `rows.${i}`));
  const edits = [...new Set(rows.map((row) => str(row, 'edit')))];
  const schemes = [...new Set(rows.map((row) => str(row, 'scheme')))];
  const charts = edits
    .filter((e) => rows.filter((row) => str(row, 'edit') === e && str(row, 'scheme') === schemes[0]).length > 1)
    .map((edit) =>
      chart(
        `robustness-${edit.replace(/[^a-z]+/g, '-')}`,
        `Texts still at p <= 1e-6 after ${edit}`,
        lineChart({
          kind: 'robustness',
          title: `Texts still at p <= 1e-6 after ${edit}`,
          x: { label: `${edit}: share of the words`, min: 0, format: (v) => `${formatTick(100 * v)}%` },
          y: { label: 'share of texts at p <= 1e-6', min: 0, max: 1, format: (v) => `${formatTick(100 * v)}%` },
          lines: schemes.map((s) => ({
            name: s,
            points: rows
              .filter((row) => str(row, 'scheme') === s && (str(row, 'edit') === edit || str(row, 'edit') === 'none'))
              .map((row) => ({ x: num(row, 'strength'), y: num(row, 'reached1e6') })),
          })),
        }),
      ),
    );
  return {
    markdown: `## Robustness of the token-level schemes

${str(b, 'note')}

| scheme | edit | strength | texts | median scored | median log10 p | at 1e-6 | at 1e-3 |
|---|---|---|---|---|---|---|---|
${rows.map((row) => `| ${str(row, 'scheme')} | ${str(row, 'edit')} | ${pct(num(row, 'strength'), 0)} | ${fmtInt(num(row, 'texts'))} | ${fmtInt(num(row, 'medianScored'))} | ${fmtLog(num(row, 'medianLog10P'))} | ${pct(num(row, 'reached1e6'))} | ${pct(num(row, 'reached1e3'))} |`).join('\n')}
`,
    charts,
  };
};

// ---------------------------------------------------------------------------------------------

const SECTIONS: readonly [file: string, SectionFn][] = [
  ['core, green-list, identity, canary-scan, ledger', throughput],
  ['testbed', testbed],
  ['power', power],
  ['lexical', rendered<LexicalBenchResult>('lexical', lexicalSummary)],
  ['ledger', rendered<LedgerBenchResult>('ledger', ledgerSummary)],
  ['canary-scan', rendered<CanaryScanBench>('canary-scan', canaryScanSummary)],
  ['proxy-load', rendered<ProxyLoadBench>('proxy-load', proxyLoadSummary)],
  ['radioactivity-probe, lexical-inheritance, canary-inheritance', radioactivity],
  ['attribution', attribution],
  ['calibration', calibration],
  ['robustness', robustness],
];
const SUMMARIZED = new Set(SECTIONS.flatMap(([files]) => files.split(', ')));

/** The machines behind the results, one row per file. */
function machines(r: Results): string {
  const rows = [...r].map(([name, result]) => {
    const m = machineOf(result);
    return m
      ? `| ${name} | ${m.mode ?? ''} | ${m.date} | ${m.cpu} | ${m.cores} | ${m.memoryGiB === undefined ? '' : `${m.memoryGiB} GiB`} | ${m.node} |`
      : `| ${name} | | (no machine recorded) | | | | |`;
  });
  const distinct = [
    ...new Set(
      [...r.values()].flatMap((x) => (machineOf(x) ? [describeMachine(machineOf(x) as NonNullable<ReturnType<typeof machineOf>>)] : [])),
    ),
  ];
  return `Machine${distinct.length === 1 ? '' : 's'}: ${distinct.join('; ') || 'not recorded'}.

| results file | mode | date | cpu | cores | memory | node |
|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
}

export function buildSummary(r: Results): { markdown: string; charts: Chart[] } {
  const parts = [
    `# Benchmark summary

Generated by \`benchmarks/src/summary.ts\` from the ${r.size} JSON files in \`benchmarks/results/\`. Ratios are against a baseline timed in the same run; no number gates CI.
`,
    machines(r),
  ];
  const charts: Chart[] = [];
  for (const [files, section] of SECTIONS) {
    try {
      const s = section(r);
      if (s === null) continue;
      parts.push(s.markdown, ...s.charts.map((c) => `![${c.title}](${c.file})\n`));
      charts.push(...s.charts);
    } catch (error) {
      parts.push(`> ${files}: could not be summarized (${(error as Error).message}); the JSON is there to read.\n`);
    }
  }
  const others = [...r.keys()].filter((n) => !SUMMARIZED.has(n));
  if (others.length > 0) parts.push(`Also present, not summarized here: ${others.map((n) => `\`${n}.json\``).join(', ')}.\n`);
  return { markdown: parts.join('\n'), charts };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = loadResults();
  const { markdown, charts } = buildSummary(results);
  // Charts of results no longer present must not linger beside the new summary.
  for (const old of readdirSync(RESULTS_DIR).filter((n) => /^summary-.*\.svg$/.test(n))) rmSync(new URL(old, RESULTS_DIR));
  for (const c of charts) writeFileSync(new URL(c.file, RESULTS_DIR), c.svg);
  writeFileSync(new URL('summary.md', RESULTS_DIR), markdown);
  console.log(`${new URL('summary.md', RESULTS_DIR).pathname}: ${results.size} results files, ${charts.length} charts.`);
  if (process.argv.includes('--readme')) console.log(writeReadmePerformance(results));
}
