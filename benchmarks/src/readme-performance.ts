/**
 * The generated block at the top of README.md's Performance section: headline numbers from
 * benchmarks/results/*.json and the machine that produced them, between the markers below.
 * Only the block changes; the hand-written prose after it stays as it is.
 *
 * Run: pnpm --filter @lineage/benchmarks run readme-performance (after `pnpm bench` or the
 * single benchmarks whose results it should show).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  at,
  describeMachine,
  fmt,
  fmtInt,
  fmtLog,
  fmtRate,
  list,
  type Machine,
  machineOf,
  num,
  pct,
  type Results,
  str,
} from './results-files.js';

export const BEGIN = '<!-- performance:begin -->';
export const END = '<!-- performance:end -->';
const README = new URL('../../README.md', import.meta.url);

type Row = readonly [measure: string, value: string, baseline: string, file: string];

/** Each headline: the rows it gives from one results file (none when the file is absent). */
const HEADLINES: readonly [file: string, rows: (x: unknown) => Row[]][] = [
  [
    'core',
    (x) => [
      [
        'keyed PRF, one value per (window, token)',
        fmtRate(num(x, 'prf.prfTokensPerSecond'), 'tokens'),
        `HMAC-SHA-256: ${fmtRate(num(x, 'prf.hmacTokensPerSecond'))} (${fmt(num(x, 'prf.speedup'))}x slower)`,
        'core',
      ],
    ],
  ],
  [
    'green-list',
    (x) => [
      [
        'kgw detection of prose, tokenizing included',
        fmtRate(num(x, 'detectText.detectTokensPerSecond'), 'tokens'),
        `plain tiktoken: ${fmtRate(num(x, 'detectText.tiktokenTokensPerSecond'))} (${fmt(num(x, 'detectText.relativeSpeed'))}x)`,
        'green-list',
      ],
    ],
  ],
  [
    'identity',
    (x) => {
      const decoding = list(x, 'decoding');
      const last = decoding.length - 1;
      return [
        [
          `identity decoding, ${fmtInt(num(x, 'tokens'))} tokens`,
          `${fmt(num(x, `decoding.${last}.decodeMs`))} ms among ${fmtInt(num(x, `decoding.${last}.accounts`))} accounts`,
          `${fmt(num(x, 'decoding.0.decodeMs'))} ms among ${fmtInt(num(x, 'decoding.0.accounts'))}`,
          'identity',
        ],
      ];
    },
  ],
  [
    'canary-scan',
    (x) => [
      [
        `canary scan, ${fmtInt(num(x, 'largeLedger.canaries'))} ledgered canaries`,
        `${fmt(num(x, 'largeLedger.megabytesPerSecond'))} MB/s`,
        `${fmtInt(num(x, 'smallLedger.canaries'))} canaries: ${fmt(num(x, 'smallLedger.megabytesPerSecond'))} MB/s`,
        'canary-scan',
      ],
    ],
  ],
  [
    'ledger',
    (x) => [
      [
        'ledger, one insert per canary',
        fmtRate(num(x, 'single.perSecond'), 'inserts'),
        `bare SQLite: ${fmtRate(num(x, 'single.bareSqlitePerSecond'))}`,
        'ledger',
      ],
    ],
  ],
  [
    'proxy-load',
    (x) => [
      [
        'marking proxy, per-chunk delay p99',
        `${fmt(num(x, 'latency.proxied.p99Ms'))} ms`,
        `direct: ${fmt(num(x, 'latency.direct.p99Ms'))} ms (+${fmt(num(x, 'latency.addedP99Ms'))} ms)`,
        'proxy-load',
      ],
    ],
  ],
  [
    'radioactivity-probe',
    (x) =>
      list(x, 'cells')
        .map((_, i) => at(x, `cells.${i}`))
        .filter((c) => at(c, 'student.reached') !== null)
        .map(
          (c): Row => [
            `student at rho ${num(c, 'rho')} (${str(c, 'scheme')}), probe to p ≤ 1e-6`,
            `${fmtInt(num(c, 'student.reached.answers'))} answers, ${fmtInt(num(c, 'student.reached.answerTokens'))} tokens`,
            `control after ${fmtInt(num(c, 'student.final.answers'))} answers: log10 p ${fmtLog(num(c, 'control.log10P'))}`,
            'radioactivity-probe',
          ],
        ),
  ],
  [
    'attribution',
    (x) => {
      const campaign = str(x, 'campaign');
      const leak = at(x, 'leakedText.sets');
      const sets = list(x, 'leakedText.sets');
      const students = list(x, 'rows').flatMap((_, i) => {
        const row = at(x, `rows.${i}`);
        const o = at(row, 'student') as Record<string, unknown>;
        return 'cluster' in o ? [[row, o.cluster] as const] : [];
      });
      return [
        ...students.map(([row, o]): Row => {
          const decoys = list(o, 'decoys').map((_, i) => num(o, `decoys.${i}.log10P`));
          return [
            `student, ${fmtInt(num(row, 'campaignAccounts'))} of ${fmtInt(num(x, 'accounts'))} accounts in ${campaign} (${pct(num(row, 'campaignShare'))} of the harvest), rho ${num(row, 'rho')}`,
            `${campaign}: log10 p ${fmtLog(num(o, 'campaign.log10P'))} (${fmtInt(num(o, 'answers'))} answers)`,
            `${decoys.length} decoy campaigns: best ${fmtLog(Math.min(...decoys))}`,
            'attribution',
          ];
        }),
        ...sets.map(
          (_, i): Row => [
            `leaked text, ${fmtInt(num(leak, `${i}.meanTokens`))} tokens, ${fmtInt(num(x, 'accounts'))} accounts registered`,
            `${pct(num(leak, `${i}.rightShare`))} named rightly (${num(leak, `${i}.rightAccounts`)} by account, ${num(leak, `${i}.rightCampaign`)} by campaign), ${num(leak, `${i}.wrong`)} wrongly`,
            `${num(leak, `${i}.msPerText`).toFixed(2)} ms per text`,
            'attribution',
          ],
        ),
      ];
    },
  ],
  [
    'calibration',
    (x) => {
      const rows = list(x, 'rows').map((_, i) => at(x, `rows.${i}`));
      const rates = rows.map((r) => num(r, 'at1e2.rate'));
      return [
        [
          'calibration: false positive rate at alpha 1e-2',
          `${pct(Math.min(...rates), 2)} to ${pct(Math.max(...rates), 2)} over ${rows.length} scheme × case rows`,
          `${fmtInt(num(x, 'totalTests'))} tests; at 1e-6: ${num(x, 'detectionsAt1e6')}`,
          'calibration',
        ],
      ];
    },
  ],
];

/** The block between the markers (markers included). */
export function performanceBlock(results: Results): string {
  const rows: Row[] = [];
  const used: [string, Machine | undefined][] = [];
  const failed: string[] = [];
  for (const [file, rowsOf] of HEADLINES) {
    const result = results.get(file);
    if (result === undefined) continue;
    try {
      rows.push(...rowsOf(result));
      used.push([file, machineOf(result)]);
    } catch (error) {
      failed.push(`${file} (${(error as Error).message})`);
    }
  }
  // One machine per cpu, cores and Node; a file that omits the memory takes it from the others.
  const byHost = new Map<string, Machine>();
  for (const [, m] of used) {
    if (m === undefined) continue;
    const id = `${m.cpu}|${m.cores}|${m.node}`;
    const known = byHost.get(id);
    if (known === undefined || (known.memoryGiB === undefined && m.memoryGiB !== undefined)) byHost.set(id, m);
  }
  const machines = [...byHost.values()].map(describeMachine);
  const dates = used.flatMap(([, m]) => (m ? [m.date.slice(0, 10)] : [])).sort();
  const modes = [...new Set(used.flatMap(([, m]) => (m?.mode ? [m.mode] : [])))];
  const table = [
    '| measure | value | baseline, same run | results file |',
    '| --- | --- | --- | --- |',
    ...rows.map(([measure, value, baseline, file]) => {
      const mode = machineOf(results.get(file))?.mode;
      return `| ${measure} | ${value} | ${baseline} | \`${file}.json\`${mode ? ` (${mode})` : ''} |`;
    }),
  ];
  return [
    BEGIN,
    '<!-- Generated by `pnpm --filter @lineage/benchmarks run readme-performance` from benchmarks/results/*.json; edits here are overwritten. -->',
    '',
    `Headline numbers on ${machines.join('; ') || 'an unrecorded machine'}, from runs dated ${dates[0] ?? '?'}${dates.length > 1 && dates.at(-1) !== dates[0] ? ` to ${dates.at(-1)}` : ''}${
      modes.length > 0 ? ` (${modes.join(' and ')} mode${modes.length > 1 ? 's' : ''})` : ''
    }. \`benchmarks/results/summary.md\` has every number with its charts; the sections below discuss them.`,
    '',
    ...table,
    ...(failed.length > 0 ? ['', `Not shown (results in an unexpected shape): ${failed.join('; ')}.`] : []),
    END,
  ].join('\n');
}

/** Rewrites the marked block of README.md; returns what it did. */
export function writeReadmePerformance(results: Results): string {
  const readme = readFileSync(README, 'utf8');
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin)
    throw new Error(`README.md has no ${BEGIN} … ${END} block; put the two markers at the top of its Performance section`);
  const updated = readme.slice(0, begin) + performanceBlock(results) + readme.slice(end + END.length);
  if (updated !== readme) writeFileSync(README, updated);
  return `${README.pathname}: performance block ${updated === readme ? 'unchanged' : 'rewritten'}.`;
}
