/**
 * Canary ledger (issue 6): inserts per second into a temporary SQLite ledger file, one
 * autocommitted `record` call at a time (the default 'process-crash' durability, and
 * 'power-loss', which fsyncs every commit) and in `recordMany` batches; the per-account cap
 * query and streaming `entries()` on the filled file. The goal is 10,000 single inserts/s; the
 * baseline is a bare better-sqlite3 INSERT into the same schema with the same pragmas, timed in
 * this run, so the ratio is the ledger's own cost over SQLite's commit. Never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CanaryRecord, openSqliteLedger, validateCanaryRecord } from '@lineage/embed/ledger';
import Database from 'better-sqlite3';
import { bestSeconds } from './measure.js';

const SINGLE_GOAL = 10_000;
const BATCH_SIZE = 1000;

interface Rate {
  readonly records: number;
  readonly seconds: number;
  readonly perSecond: number;
}

export interface LedgerBenchResult {
  readonly goalSingleInsertsPerSecond: number;
  readonly single: Rate & { readonly ofGoal: number; readonly bareSqlitePerSecond: number; readonly toBareSqlite: number };
  readonly singlePowerLoss: Rate & { readonly ofGoal: number };
  readonly batched: Rate & { readonly batchSize: number; readonly toSingle: number };
  readonly validationPerSecond: number;
  readonly capQueries: Rate & { readonly ledgerRecords: number; readonly accounts: number };
  readonly streamed: Rate;
}

export function runLedgerBench(short: boolean): LedgerBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-ledger-bench-'));
  try {
    const singleCount = short ? 3_000 : 50_000;
    const powerLossCount = short ? 100 : 2_000;
    const batchedCount = short ? 20_000 : 200_000;
    const accounts = 1000;
    // Timed runs insert the same records again: the ledger has no uniqueness constraint.
    const pool = makeRecords(Math.max(singleCount, batchedCount), accounts);
    const take = (n: number) => pool.slice(0, n);

    const ledger = openSqliteLedger(join(dir, 'single.sqlite'));
    const single = rate(singleCount, () => {
      for (const entry of take(singleCount)) ledger.record(entry);
    });
    ledger.close();

    // Baseline: the same schema (created by the ledger) and pragmas, bare prepared INSERTs.
    const barePath = join(dir, 'bare.sqlite');
    openSqliteLedger(barePath).close();
    const bare = new Database(barePath);
    bare.pragma('busy_timeout = 5000');
    bare.pragma('synchronous = NORMAL');
    bare.pragma('wal_autocheckpoint = 4000');
    const insert = bare.prepare(
      'INSERT INTO canary_records (account_id, campaign_id, prompt, prompt_hash, canary, time, key_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const bareSingle = rate(singleCount, () => {
      for (const e of take(singleCount))
        insert.run(e.accountId, e.campaignId ?? null, e.prompt ?? null, e.promptHash, e.canary, e.time, e.keyId);
    });
    bare.close();

    const durable = openSqliteLedger(join(dir, 'power-loss.sqlite'), { durability: 'power-loss' });
    const singlePowerLoss = rate(powerLossCount, () => {
      for (const entry of take(powerLossCount)) durable.record(entry);
    });
    durable.close();

    const batchLedger = openSqliteLedger(join(dir, 'batched.sqlite'));
    const batched = rate(batchedCount, () => {
      const entries = take(batchedCount);
      for (let i = 0; i < entries.length; i += BATCH_SIZE) batchLedger.recordMany(entries.slice(i, i + BATCH_SIZE));
    });

    const validation = rate(batchedCount, () => {
      for (const entry of take(batchedCount)) validateCanaryRecord(entry);
    });

    const ledgerRecords = batchLedger.size();
    const queries = short ? 2_000 : 20_000;
    const since = (pool[0] as CanaryRecord).time + 1000 * 60;
    let sink = 0;
    const capQueries = rate(queries, () => {
      for (let i = 0; i < queries; i++) sink += batchLedger.countForAccountSince(`acct-${i % accounts}`, since);
    });
    const streamed = rate(ledgerRecords, () => {
      for (const entry of batchLedger.entries()) sink += entry.time & 1;
    });
    batchLedger.close();
    if (sink === 0.5) console.log(sink); // keep the loops observable to the optimizer

    return {
      goalSingleInsertsPerSecond: SINGLE_GOAL,
      single: {
        ...single,
        ofGoal: single.perSecond / SINGLE_GOAL,
        bareSqlitePerSecond: bareSingle.perSecond,
        toBareSqlite: single.perSecond / bareSingle.perSecond,
      },
      singlePowerLoss: { ...singlePowerLoss, ofGoal: singlePowerLoss.perSecond / SINGLE_GOAL },
      batched: { ...batched, batchSize: BATCH_SIZE, toSingle: batched.perSecond / single.perSecond },
      validationPerSecond: validation.perSecond,
      capQueries: { ...capQueries, ledgerRecords, accounts },
      streamed,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function ledgerSummary(r: LedgerBenchResult): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `## Canary ledger (SQLite file, WAL)

| measure | value | baseline | ratio |
|---|---|---|---|
| single \`record\` inserts/s, autocommit, durability process-crash (${n(r.single.records)} records) | ${n(r.single.perSecond)} | goal ${n(r.goalSingleInsertsPerSecond)} | ${r.single.ofGoal.toFixed(2)}x |
| single \`record\` inserts/s, durability power-loss (fsync per commit, ${n(r.singlePowerLoss.records)} records) | ${n(r.singlePowerLoss.perSecond)} | goal ${n(r.goalSingleInsertsPerSecond)} | ${r.singlePowerLoss.ofGoal.toFixed(2)}x |
| the same through bare better-sqlite3 INSERTs (same schema and pragmas), inserts/s | ${n(r.single.bareSqlitePerSecond)} | ledger: ${n(r.single.perSecond)} | ledger at ${r.single.toBareSqlite.toFixed(2)}x of bare |
| \`recordMany\` inserts/s, batches of ${n(r.batched.batchSize)} (${n(r.batched.records)} records) | ${n(r.batched.perSecond)} | single record: ${n(r.single.perSecond)} | ${r.batched.toSingle.toFixed(2)}x |
| record validation alone, records/s | ${n(r.validationPerSecond)} | | |
| \`countForAccountSince\` queries/s (${n(r.capQueries.ledgerRecords)} records, ${n(r.capQueries.accounts)} accounts) | ${n(r.capQueries.perSecond)} | | |
| \`entries()\` streamed, records/s | ${n(r.streamed.perSecond)} | | |
`;
}

/** Best of two timed runs after a warm-up (each insert run grows the file). */
function rate(records: number, body: () => void): Rate {
  const seconds = bestSeconds(2, body);
  return { records, seconds, perSecond: records / seconds };
}

/** Realistic records: ~300-character prompts, 1000 accounts, a third of them in campaigns. */
function makeRecords(count: number, accounts: number): CanaryRecord[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const account = i % accounts;
    return {
      accountId: `acct-${account}`,
      ...(account % 3 === 0 ? { campaignId: `campaign-${account % 7}` } : {}),
      prompt:
        `Request ${i}: please summarise the attached quarterly report for the logistics team, keeping figures exact and naming the regional leads. `.repeat(
          2,
        ),
      promptHash: (i * 2654435761).toString(16).padStart(64, '0').slice(-64),
      canary: `Maren Talvik ${i} of Kelvora Logistics`,
      time: start + i * 37,
      keyId: 'lk-0123456789abcdef',
    };
  });
}
