/**
 * The embedded canary ledger: one SQLite file (better-sqlite3) in WAL mode with a busy timeout,
 * so several processes, and several connections in one process, can append to the same file.
 *
 * Durability (SQLite's `synchronous` pragma, https://sqlite.org/pragma.html#pragma_synchronous):
 * - 'process-crash' (default): `synchronous=NORMAL`. Each commit is written to the WAL before
 *   `record` returns, so a record survives the writing process being killed; it is fsynced only
 *   at checkpoints, so the last records may be lost if the machine loses power.
 * - 'power-loss': `synchronous=FULL`. The WAL is fsynced at every commit: a returned record
 *   survives power loss too, at the cost of one fsync per `record` (batch with `recordMany`).
 *
 * The prompt-storage mode is fixed when the file is created (the meta table); in hash-only mode
 * the prompt column also carries a `CHECK (prompt IS NULL)` constraint.
 *
 * While an `entries()` iteration is open its connection cannot write (better-sqlite3 refuses);
 * write through another connection, which WAL lets commit while the iteration reads its snapshot.
 */
import { closeSync, openSync } from 'node:fs';
import { LineageInputError } from '@lineage/core';
import Database from 'better-sqlite3';
import { type CanaryLedger, type CanaryRecord, type PromptStorage, validateCanaryRecord } from './canary-ledger.js';

export interface SqliteLedgerOptions {
  /**
   * Prompt storage for a new file (default 'text'). For an existing file it must match what
   * the file says, or be omitted to take the file's mode.
   */
  readonly promptStorage?: PromptStorage;
  /** 'process-crash' (default, synchronous=NORMAL) or 'power-loss' (synchronous=FULL). */
  readonly durability?: 'process-crash' | 'power-loss';
  /** Open an existing ledger for reading only (default false). */
  readonly readonly?: boolean;
}

export const LEDGER_FORMAT = 'lineage-canary-ledger';
export const LEDGER_VERSION = 1;
/** How long a writer waits for another connection's lock before failing. */
const BUSY_TIMEOUT_MS = 5000;
const META_TABLE = 'lineage_ledger_meta';
/**
 * WAL pages between automatic checkpoints (SQLite's default is 1000, ~4 MB). Successive single
 * records rewrite the same few pages and a checkpoint copies each page once, so checkpointing
 * every ~16 MB made single `record` calls about 1.5x faster in our measurements.
 */
const WAL_AUTOCHECKPOINT_PAGES = 4000;

type Row = {
  account_id: string;
  campaign_id: string | null;
  prompt: string | null;
  prompt_hash: string;
  canary: string;
  time: number;
  key_id: string;
};

/**
 * Opens (creating it when absent, unless `readonly`) the ledger file at `path`. Throws
 * `LineageInputError` for bad options, a file that is not a ledger, a ledger of a newer
 * format, or a prompt-storage mode that differs from the file's.
 */
export function openSqliteLedger(path: string, options: SqliteLedgerOptions = {}): CanaryLedger {
  if (typeof path !== 'string' || path.length === 0) throw new LineageInputError('ledger path must be a non-empty string');
  const { promptStorage, durability = 'process-crash', readonly = false } = options;
  if (promptStorage !== undefined && promptStorage !== 'text' && promptStorage !== 'hash') {
    throw new LineageInputError(`promptStorage must be 'text' or 'hash', got ${String(promptStorage)}`);
  }
  if (durability !== 'process-crash' && durability !== 'power-loss') {
    throw new LineageInputError(`durability must be 'process-crash' or 'power-loss', got ${String(durability)}`);
  }
  let db: Database.Database;
  try {
    // The ledger holds user prompts and every canary: only its owner may read it. SQLite gives
    // the -wal and -shm files the database file's mode.
    if (!readonly) closeSync(openSync(path, 'a', 0o600));
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (error) {
    const what = readonly ? 'does it exist?' : 'does its directory exist and is it writable?';
    throw new LineageInputError(`${path}: cannot open the canary ledger (${what})`, { cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const mode = _prepareFile(db, path, promptStorage ?? 'text', readonly);
    if (promptStorage !== undefined && promptStorage !== mode) {
      throw new LineageInputError(
        `${path}: this ledger stores prompts as '${mode}' (fixed when it was created), but promptStorage '${promptStorage}' was asked; ` +
          'omit promptStorage to use the file as it is, or choose another file',
      );
    }
    db.pragma(`synchronous = ${durability === 'power-loss' ? 'FULL' : 'NORMAL'}`);
    if (!readonly) db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    return new SqliteLedger(db, mode, readonly, path);
  } catch (error) {
    db.close();
    if (error instanceof LineageInputError) throw error;
    if (isSqliteError(error, 'SQLITE_NOTADB')) {
      throw new LineageInputError(`${path}: not a canary ledger (not an SQLite database)`, { cause: error });
    }
    if (isSqliteError(error, 'SQLITE_CORRUPT')) {
      throw new LineageInputError(`${path}: the canary ledger file is damaged; restore it from a backup`, { cause: error });
    }
    throw error;
  }
}

/** Validates an existing ledger, or creates the schema in an empty file; returns the file's mode. */
function _prepareFile(db: Database.Database, path: string, requested: PromptStorage, readonly: boolean): PromptStorage {
  const existing = _readMeta(db, path);
  if (existing !== undefined) return existing;
  if (readonly) throw new LineageInputError(`${path}: not a canary ledger (the file is empty)`);
  // Several processes may create the same file at once. Switching a new file to WAL can fail
  // with SQLITE_BUSY without waiting on the busy timeout, so that step retries by itself.
  _retryWhileBusy(() => db.pragma('journal_mode = WAL'));
  db.transaction(() => {
    // Another process may have created the ledger while this one waited for the lock.
    if (_readMeta(db, path) !== undefined) return;
    db.exec(`
      CREATE TABLE ${META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE canary_records (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        campaign_id TEXT,
        prompt TEXT${requested === 'hash' ? ' CHECK (prompt IS NULL)' : ''},
        prompt_hash TEXT NOT NULL,
        canary TEXT NOT NULL,
        time INTEGER NOT NULL,
        key_id TEXT NOT NULL
      ) STRICT;
      CREATE INDEX canary_records_account_time ON canary_records (account_id, time);
    `);
    const put = db.prepare(`INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?)`);
    put.run('format', LEDGER_FORMAT);
    put.run('version', String(LEDGER_VERSION));
    put.run('promptStorage', requested);
  }).immediate();
  return _readMeta(db, path) ?? requested;
}

function _retryWhileBusy(step: () => void): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      step();
      return;
    } catch (error) {
      if (!isSqliteError(error, 'SQLITE_BUSY') || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait); // a synchronous sleep
    }
  }
}

/** The file's prompt-storage mode; undefined for an empty database; throws for anything else. */
function _readMeta(db: Database.Database, path: string): PromptStorage | undefined {
  const objects = db.prepare('SELECT type, name FROM sqlite_schema').all() as { type: string; name: string }[];
  if (objects.length === 0) return undefined;
  const tables = objects.filter((o) => o.type === 'table').map((o) => o.name);
  const notLedger = (why: string) => new LineageInputError(`${path}: not a canary ledger (${why})`);
  if (!tables.includes(META_TABLE) || !tables.includes('canary_records')) throw notLedger('an SQLite database of another kind');
  const rows = db.prepare(`SELECT key, value FROM ${META_TABLE}`).all() as { key: string; value: string }[];
  const meta = new Map(rows.map((r) => [r.key, r.value]));
  if (meta.get('format') !== LEDGER_FORMAT) throw notLedger('its format row is missing or different');
  const version = Number(meta.get('version'));
  if (version !== LEDGER_VERSION) {
    throw new LineageInputError(
      `${path}: canary ledger format version ${meta.get('version')} is not supported (this Lineage reads version ${LEDGER_VERSION}); upgrade Lineage`,
    );
  }
  const mode = meta.get('promptStorage');
  if (mode !== 'text' && mode !== 'hash') throw notLedger('its promptStorage row is missing or invalid');
  return mode;
}

function isSqliteError(error: unknown, code: string): boolean {
  return error instanceof Error && (error as Error & { code?: unknown }).code === code;
}

class SqliteLedger implements CanaryLedger {
  readonly promptStorage: PromptStorage;
  readonly #db: Database.Database;
  readonly #path: string;
  /** Undefined on a read-only connection, which cannot prepare an INSERT. */
  readonly #insert: Database.Statement | undefined;
  readonly #count: Database.Statement;
  readonly #size: Database.Statement;
  readonly #all: Database.Statement;
  readonly #insertMany: Database.Transaction<(entries: Iterable<CanaryRecord>) => void>;

  constructor(db: Database.Database, promptStorage: PromptStorage, readonly: boolean, path: string) {
    this.promptStorage = promptStorage;
    this.#db = db;
    this.#path = path;
    this.#insert = readonly
      ? undefined
      : db.prepare(
          'INSERT INTO canary_records (account_id, campaign_id, prompt, prompt_hash, canary, time, key_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
    this.#count = db.prepare('SELECT count(*) FROM canary_records WHERE account_id = ? AND time >= ?').pluck();
    this.#size = db.prepare('SELECT count(*) FROM canary_records').pluck();
    this.#all = db.prepare('SELECT account_id, campaign_id, prompt, prompt_hash, canary, time, key_id FROM canary_records ORDER BY id');
    this.#insertMany = db.transaction((entries: Iterable<CanaryRecord>) => {
      let index = 0;
      const insert = this.#writable();
      for (const entry of entries) this.#store(insert, validateCanaryRecord(entry, `canary record ${index++}`));
    });
  }

  record(entry: CanaryRecord): void {
    this.#store(this.#writable(), validateCanaryRecord(entry));
  }

  recordMany(entries: Iterable<CanaryRecord>): void {
    this.#writable();
    if (entries == null || typeof (entries as Iterable<CanaryRecord>)[Symbol.iterator] !== 'function') {
      throw new LineageInputError('recordMany expects an iterable of canary records');
    }
    // BEGIN IMMEDIATE: take the write lock up front, waiting on the busy timeout.
    this.#insertMany.immediate(entries);
  }

  countForAccountSince(accountId: string, sinceMs: number): number {
    if (typeof accountId !== 'string') throw new LineageInputError('accountId must be a string');
    if (typeof sinceMs !== 'number' || Number.isNaN(sinceMs)) throw new LineageInputError('sinceMs must be a number of milliseconds');
    return this.#count.get(accountId, sinceMs) as number;
  }

  *entries(): IterableIterator<CanaryRecord> {
    for (const row of this.#all.iterate() as IterableIterator<Row>) {
      yield {
        accountId: row.account_id,
        ...(row.campaign_id === null ? {} : { campaignId: row.campaign_id }),
        ...(row.prompt === null ? {} : { prompt: row.prompt }),
        promptHash: row.prompt_hash,
        canary: row.canary,
        time: row.time,
        keyId: row.key_id,
      };
    }
  }

  size(): number {
    return this.#size.get() as number;
  }

  close(): void {
    this.#db.close();
  }

  #store(insert: Database.Statement, entry: CanaryRecord): void {
    // Hash-only mode: the prompt is dropped here, before it reaches the database.
    const prompt = this.promptStorage === 'text' ? (entry.prompt ?? null) : null;
    insert.run(entry.accountId, entry.campaignId ?? null, prompt, entry.promptHash, entry.canary, entry.time, entry.keyId);
  }

  #writable(): Database.Statement {
    if (this.#insert === undefined) throw new LineageInputError(`${this.#path}: the canary ledger was opened read-only`);
    return this.#insert;
  }
}
