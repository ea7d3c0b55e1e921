import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineageInputError } from '@lineage/core';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type CanaryRecord, exportLedgerJsonl, openSqliteLedger } from '../ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = () => join(dir, `ledger-${fileCount++}.sqlite`);

function record(i: number, over: Partial<CanaryRecord> = {}): CanaryRecord {
  return {
    accountId: `acct-${i % 5}`,
    ...(i % 2 === 0 ? { campaignId: `camp-${i % 3}` } : {}),
    prompt: `prompt ${i}: Ünïcödé ✓ 東京 🦜`,
    promptHash: i.toString(16).padStart(64, '0'),
    canary: `Maren Talvik ${i} of Kelvora Logistics`,
    time: 1_750_000_000_000 + i * 1000,
    keyId: 'lk-0123456789abcdef',
    ...over,
  };
}

/** Every byte of the database, its WAL and its shared-memory index. */
function fileBytes(path: string): Buffer {
  const base = path.split('/').pop() as string;
  const parts = readdirSync(dir)
    .filter((name) => name.startsWith(base))
    .map((name) => readFileSync(join(dir, name)));
  return Buffer.concat(parts);
}

describe('openSqliteLedger', () => {
  it('round-trips records, unicode prompts included, in insertion order', () => {
    const path = freshPath();
    const ledger = openSqliteLedger(path);
    expect(ledger.promptStorage).toBe('text');
    const records = Array.from({ length: 20 }, (_, i) => record(i));
    for (const r of records.slice(0, 10)) ledger.record(r);
    ledger.recordMany(records.slice(10));
    expect(ledger.size()).toBe(20);
    expect([...ledger.entries()]).toEqual(records);
    ledger.close();
    const reopened = openSqliteLedger(path, { readonly: true });
    expect([...reopened.entries()]).toEqual(records);
    reopened.close();
  });

  it('round-trips arbitrary well-formed prompts and canaries', () => {
    const ledger = openSqliteLedger(freshPath());
    const text = fc.string({ unit: 'grapheme', maxLength: 300 });
    fc.assert(
      fc.property(text, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), (prompt, canary) => {
        const before = ledger.size();
        const entry = record(before, { prompt, canary });
        ledger.record(entry);
        let last: CanaryRecord | undefined;
        for (const e of ledger.entries()) last = e;
        expect(last).toEqual(entry);
      }),
      { numRuns: 100 },
    );
    ledger.close();
  });

  it('stores an absent campaign as NULL and an absent prompt as NULL', () => {
    const path = freshPath();
    const ledger = openSqliteLedger(path);
    const { campaignId: _c, prompt: _p, ...bare } = record(1);
    ledger.record(bare);
    expect([...ledger.entries()]).toEqual([bare]);
    ledger.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT campaign_id, prompt FROM canary_records').get()).toEqual({ campaign_id: null, prompt: null });
    raw.close();
  });

  it('rejects invalid records with LineageInputError and stores nothing of a bad batch', () => {
    const ledger = openSqliteLedger(freshPath());
    expect(() => ledger.record({ ...record(0), accountId: 'no spaces' })).toThrow(LineageInputError);
    expect(() => ledger.recordMany([record(0), record(1), { ...record(2), time: -1 }])).toThrow(/^canary record 2: time/);
    expect(() => ledger.recordMany(7 as unknown as CanaryRecord[])).toThrow(LineageInputError);
    expect(ledger.size()).toBe(0);
    ledger.recordMany(
      (function* () {
        for (let i = 0; i < 5; i++) yield record(i);
      })(),
    );
    expect(ledger.size()).toBe(5);
    ledger.close();
  });

  it('counts an account’s records since a time', () => {
    const ledger = openSqliteLedger(freshPath());
    ledger.recordMany(Array.from({ length: 50 }, (_, i) => record(i)));
    const t0 = 1_750_000_000_000;
    expect(ledger.countForAccountSince('acct-0', 0)).toBe(10);
    expect(ledger.countForAccountSince('acct-0', t0 + 25_000)).toBe(5); // i = 25, 30, …, 45
    expect(ledger.countForAccountSince('acct-0', t0 + 25_001)).toBe(4);
    expect(ledger.countForAccountSince('acct-0', Number.POSITIVE_INFINITY)).toBe(0);
    expect(ledger.countForAccountSince('nobody', 0)).toBe(0);
    expect(() => ledger.countForAccountSince('acct-0', Number.NaN)).toThrow(LineageInputError);
    ledger.close();
  });

  it('uses the (account, time) index for the daily cap', () => {
    const path = freshPath();
    openSqliteLedger(path).close();
    const raw = new Database(path, { readonly: true });
    const plan = raw.prepare('EXPLAIN QUERY PLAN SELECT count(*) FROM canary_records WHERE account_id = ? AND time >= ?').all('a', 0) as {
      detail: string;
    }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/COVERING INDEX canary_records_account_time/);
    raw.close();
  });

  it('in hash-only mode never stores the prompt text', () => {
    const path = freshPath();
    const ledger = openSqliteLedger(path, { promptStorage: 'hash' });
    const distinctive = 'ZQX-distinctive-prompt-7d1f3a';
    ledger.record(record(1, { prompt: `${distinctive} one` }));
    ledger.recordMany([record(2, { prompt: `${distinctive} two` })]);
    const entries = [...ledger.entries()];
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.prompt === undefined)).toBe(true);
    const lines: string[] = [];
    exportLedgerJsonl(ledger, (line) => lines.push(line));
    expect(lines.join('')).not.toContain(distinctive);
    expect(fileBytes(path).includes(distinctive)).toBe(false);
    ledger.close(); // checkpoints the WAL into the main file
    expect(fileBytes(path).includes(distinctive)).toBe(false);
    // The schema refuses prompt text too, whatever writes to the file.
    const raw = new Database(path);
    expect(() => raw.prepare("UPDATE canary_records SET prompt = 'x'").run()).toThrow(/CHECK constraint/);
    raw.close();
    // Control: the same check finds the text in a text-mode ledger.
    const textPath = freshPath();
    const textLedger = openSqliteLedger(textPath);
    textLedger.record(record(1, { prompt: distinctive }));
    textLedger.close();
    expect(fileBytes(textPath).includes(distinctive)).toBe(true);
  });

  it('fixes the prompt-storage mode when the file is created', () => {
    const path = freshPath();
    openSqliteLedger(path, { promptStorage: 'hash' }).close();
    const reopened = openSqliteLedger(path);
    expect(reopened.promptStorage).toBe('hash');
    reopened.close();
    expect(() => openSqliteLedger(path, { promptStorage: 'text' })).toThrow(
      /stores prompts as 'hash' \(fixed when it was created\), but promptStorage 'text' was asked/,
    );
    const textPath = freshPath();
    openSqliteLedger(textPath).close();
    expect(() => openSqliteLedger(textPath, { promptStorage: 'hash' })).toThrow(LineageInputError);
  });

  it('refuses files that are not ledgers, without changing them', () => {
    const garbage = freshPath();
    writeFileSync(garbage, 'this is not a database at all, just some text that is long enough'.repeat(20));
    expect(() => openSqliteLedger(garbage)).toThrow(/not a canary ledger \(not an SQLite database\)/);

    const other = freshPath();
    const raw = new Database(other);
    raw.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
    raw.close();
    const before = readFileSync(other);
    expect(() => openSqliteLedger(other)).toThrow(/not a canary ledger \(an SQLite database of another kind\)/);
    expect(readFileSync(other).equals(before)).toBe(true);

    const newer = freshPath();
    openSqliteLedger(newer).close();
    const edit = new Database(newer);
    edit.prepare("UPDATE lineage_ledger_meta SET value = '99' WHERE key = 'version'").run();
    edit.close();
    expect(() => openSqliteLedger(newer)).toThrow(/format version 99 is not supported/);

    expect(() => openSqliteLedger(join(dir, 'missing.sqlite'), { readonly: true })).toThrow(/cannot open the canary ledger/);
    const empty = freshPath();
    writeFileSync(empty, '');
    expect(() => openSqliteLedger(empty, { readonly: true })).toThrow(/not a canary ledger \(the file is empty\)/);
    const created = openSqliteLedger(empty); // an empty file is a new ledger when opened for writing
    expect(created.size()).toBe(0);
    created.close();
    expect(() => openSqliteLedger(join(dir, 'no-such-dir', 'x.sqlite'))).toThrow(LineageInputError);
    expect(() => openSqliteLedger('')).toThrow(LineageInputError);
    expect(() => openSqliteLedger(freshPath(), { durability: 'fast' as 'power-loss' })).toThrow(/durability/);
    expect(() => openSqliteLedger(freshPath(), { promptStorage: 'none' as 'hash' })).toThrow(/promptStorage/);
  });

  it('puts the file in WAL mode and accepts both durabilities', () => {
    const path = freshPath();
    for (const durability of ['process-crash', 'power-loss'] as const) {
      const ledger = openSqliteLedger(path, { durability });
      ledger.record(record(0));
      ledger.close();
    }
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT count(*) FROM canary_records').pluck().get()).toBe(2);
    raw.close();
  });

  it('creates the ledger and its WAL readable by its owner only', () => {
    const path = freshPath();
    const ledger = openSqliteLedger(path);
    ledger.record(record(0));
    for (const file of [path, `${path}-wal`]) expect(statSync(file).mode & 0o777, file).toBe(0o600);
    ledger.close();
  });

  it('refuses writes on a read-only connection', () => {
    const path = freshPath();
    openSqliteLedger(path).close();
    const ledger = openSqliteLedger(path, { readonly: true });
    expect(() => ledger.record(record(0))).toThrow(/opened read-only/);
    expect(() => ledger.recordMany([record(0)])).toThrow(/opened read-only/);
    ledger.close();
  });

  it('lets two connections in one process interleave writes, and read a snapshot while the other writes', () => {
    const path = freshPath();
    const a = openSqliteLedger(path);
    const b = openSqliteLedger(path);
    const expected: CanaryRecord[] = [];
    for (let i = 0; i < 200; i++) {
      const entry = record(i, { accountId: i % 2 === 0 ? 'writer-a' : 'writer-b' });
      (i % 2 === 0 ? a : b).record(entry);
      expected.push(entry);
    }
    b.recordMany([record(200), record(201)]);
    expected.push(record(200), record(201));
    // A reads through an open iterator (one read transaction) while B keeps writing.
    const iterator = a.entries();
    const first = iterator.next();
    b.record(record(202));
    const seen = [first.value, ...iterator];
    expect(seen).toEqual(expected);
    expected.push(record(202));
    expect([...a.entries()]).toEqual(expected);
    expect(a.countForAccountSince('writer-b', 0)).toBe(100);
    a.close();
    b.close();
  });

  it('streams entries lazily and releases the statement when the consumer stops early', () => {
    const ledger = openSqliteLedger(freshPath());
    ledger.recordMany(Array.from({ length: 100 }, (_, i) => record(i)));
    let taken = 0;
    for (const _ of ledger.entries()) if (++taken === 3) break;
    ledger.record(record(100)); // would throw "connection is busy" if the iterator were still open
    expect(ledger.size()).toBe(101);
    ledger.close();
  });

  it('exports JSONL that reads back to the same records', () => {
    const ledger = openSqliteLedger(freshPath());
    const records = Array.from({ length: 7 }, (_, i) => record(i));
    ledger.recordMany(records);
    let text = '';
    expect(exportLedgerJsonl(ledger, (line) => (text += line))).toBe(7);
    const parsed = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(parsed).toEqual(records);
    expect(text.split('\n')[1]).not.toContain('campaignId');
    ledger.close();
  });
});
