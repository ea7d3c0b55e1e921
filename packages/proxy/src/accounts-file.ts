/**
 * The proxy's accounts file: which client API key belongs to which account, and which accounts
 * are flagged into a campaign. Versioned JSON that stores only SHA-256 hashes of the keys; each
 * key is shown once, when it is issued. Written atomically (temp file, fsync, rename) with mode
 * 0600. A running proxy re-reads the file when it changes, so flagging an account needs no
 * restart. Read-modify-write without a lock: do not run two `lineage accounts` writers on one
 * file at the same time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, openSync, type Stats, statSync } from 'node:fs';
import { ID_PATTERN, isRecord, LineageInputError, readOpenFile, writePrivateFileAtomically } from '@lineage/core';
import type { AccountResolver, ResolvedAccount } from './account-resolver.js';

export const ACCOUNTS_FILE_FORMAT = 'lineage-accounts';
export const ACCOUNTS_FILE_VERSION = 1;
/** Client API keys start with this prefix, so a leaked one is easy to recognise and scan for. */
export const API_KEY_PREFIX = 'lsk_';
const MAX_ACCOUNTS_FILE_BYTES = 64 * 1024 * 1024;
// Real keys are 47 characters; anything far longer is not worth hashing.
const MAX_API_KEY_LENGTH = 1024;
const KEY_HASH = /^[0-9a-f]{64}$/;

/** One entry of the file, as stored. */
export interface AccountRecord {
  readonly accountId: string;
  readonly campaignId?: string;
  /** SHA-256 (hex) of the account's current client API key. */
  readonly keyHash: string;
  /** When the current key was issued (ISO-8601 UTC). */
  readonly createdAt: string;
}

/** What may be shown about an account: never its key or key hash. */
export interface AccountSummary {
  readonly accountId: string;
  readonly campaignId?: string;
  readonly createdAt: string;
}

export interface AddAccountOptions {
  readonly accountId: string;
  /** Campaign to put the account in; when omitted, a re-added account keeps its campaign. */
  readonly campaignId?: string;
  /** Issue time (default now). */
  readonly now?: Date;
}

export interface IssuedKey {
  readonly accountId: string;
  /** The account's campaign after the change, if any. */
  readonly campaignId?: string;
  /** The new client API key: shown once, stored nowhere. */
  readonly apiKey: string;
  /** True when the account existed: its previous key is revoked. */
  readonly replacedKey: boolean;
}

export interface OpenAccountsFileOptions {
  /** How often, at most, to check the file for changes (default 1000 ms; 0 checks on every resolve). */
  readonly reloadIntervalMs?: number;
  /**
   * Called once per failed reload (the previous accounts stay in force). Default: a process
   * warning. The error never holds key material.
   */
  readonly onError?: (error: LineageInputError) => void;
}

export interface AccountsFile extends AccountResolver {
  /** Stops checking the file for changes; keys keep resolving against the last good load. */
  close(): void;
  /** Number of accounts currently loaded. */
  readonly size: number;
}

/**
 * Issues a new client API key for an account, creating the file when missing. Re-adding an
 * existing account rotates its key: the old key stops resolving as soon as a running proxy
 * reloads the file.
 */
export function addAccount(path: string, options: AddAccountOptions): IssuedKey {
  _checkId(options.accountId, 'an account id');
  if (options.campaignId !== undefined) _checkId(options.campaignId, 'a campaign id');
  const records = _exists(path) ? readAccountsFile(path) : [];
  const apiKey = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const index = records.findIndex((r) => r.accountId === options.accountId);
  const campaignId = options.campaignId ?? (index >= 0 ? records[index]?.campaignId : undefined);
  const record: AccountRecord = {
    accountId: options.accountId,
    ...(campaignId === undefined ? {} : { campaignId }),
    keyHash: hashApiKey(apiKey),
    createdAt: (options.now ?? new Date()).toISOString(),
  };
  const updated = index >= 0 ? records.map((r, i) => (i === index ? record : r)) : [...records, record];
  _writeAtomically(path, serializeAccountsFile(updated));
  return { accountId: options.accountId, ...(campaignId === undefined ? {} : { campaignId }), apiKey, replacedKey: index >= 0 };
}

/**
 * Moves a known account into a campaign, or out of any campaign when `campaignId` is null.
 * Returns the account as it now is and the campaign it was in before.
 */
export function flagAccount(
  path: string,
  accountId: string,
  campaignId: string | null,
): AccountSummary & { readonly previousCampaignId?: string } {
  _checkId(accountId, 'an account id');
  if (campaignId !== null) _checkId(campaignId, 'a campaign id');
  const records = readAccountsFile(path);
  const index = records.findIndex((r) => r.accountId === accountId);
  const current = records[index];
  if (current === undefined) {
    throw new LineageInputError(`${path}: has no account ${accountId}; add it first with \`lineage accounts add\``);
  }
  const { campaignId: previous, ...rest } = current;
  const record: AccountRecord = campaignId === null ? rest : { ...rest, campaignId };
  if (previous !== (campaignId ?? undefined)) {
    _writeAtomically(path, serializeAccountsFile(records.map((r, i) => (i === index ? record : r))));
  }
  return { ..._summary(record), ...(previous === undefined ? {} : { previousCampaignId: previous }) };
}

/** The accounts in file order, without keys or key hashes. */
export function listAccounts(path: string): AccountSummary[] {
  return readAccountsFile(path).map(_summary);
}

/** SHA-256 hex of a client API key, as the file stores it. */
export function hashApiKey(apiKey: string): string {
  // A plain hash is enough: keys are 256-bit random, so neither brute force nor a
  // precomputed table can invert the hash; password hashing (salt, work factor) is for
  // low-entropy secrets. It also keeps `resolve` fast on every request.
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/**
 * Loads an accounts file as a resolver. The file is re-read when its size, times or inode
 * change, checked at most every `reloadIntervalMs` on `resolve`; a reload that fails keeps the
 * previous accounts and calls `onError` once per failing version of the file.
 */
export function openAccountsFile(path: string, options: OpenAccountsFileOptions = {}): AccountsFile {
  const interval = options.reloadIntervalMs ?? 1000;
  if (typeof interval !== 'number' || Number.isNaN(interval) || interval < 0) {
    throw new LineageInputError(`reloadIntervalMs must be a number >= 0, got ${String(interval)}`);
  }
  const onError = options.onError ?? ((error: LineageInputError) => process.emitWarning(error.message, 'LineageAccountsWarning'));
  let signature = _signature(statSync(path, { bigint: true, throwIfNoEntry: false }));
  let byHash = _index(readAccountsFile(path));
  let lastCheck = Date.now();
  let failedSignature: string | undefined;
  let closed = false;

  const refresh = (): void => {
    const now = Date.now();
    if (closed || now - lastCheck < interval) return;
    lastCheck = now;
    let next: string;
    try {
      next = _signature(statSync(path, { bigint: true }));
    } catch (error) {
      next = `error:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
    }
    if (next === signature || next === failedSignature) return;
    try {
      byHash = _index(readAccountsFile(path));
      signature = next;
      failedSignature = undefined;
    } catch (error) {
      failedSignature = next;
      onError(
        error instanceof LineageInputError
          ? error
          : new LineageInputError(`${path}: cannot be reloaded (${String((error as Error).message ?? error)})`),
      );
    }
  };

  return {
    resolve(apiKey: string): ResolvedAccount | undefined {
      if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > MAX_API_KEY_LENGTH) return undefined;
      refresh();
      const presented = createHash('sha256').update(apiKey, 'utf8').digest();
      // The Map lookup's timing depends on the key's hash only, which tells an attacker nothing
      // usable about any stored key (that would need a SHA-256 preimage); the final comparison
      // of the hash bytes is constant-time anyway, as the resolver contract asks.
      const found = byHash.get(presented.toString('hex'));
      if (found === undefined || !timingSafeEqual(found.hash, presented)) return undefined;
      return found.account;
    },
    close(): void {
      closed = true;
    },
    get size(): number {
      return byHash.size;
    },
  };
}

/** Reads and fully validates an accounts file. */
export function readAccountsFile(path: string): AccountRecord[] {
  return parseAccountsFile(_readFile(path), path);
}

/** Validates accounts-file text. `path` only labels errors. */
export function parseAccountsFile(text: string, path: string): AccountRecord[] {
  const fail = (why: string): never => {
    throw new LineageInputError(`${path}: ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // No `cause` or excerpt: keep file content out of error messages.
    return fail('is not valid JSON (truncated or corrupted). Restore it from a backup, or re-add the accounts.');
  }
  if (!isRecord(raw)) return fail('is not a Lineage accounts file (expected a JSON object)');
  if (raw.format !== ACCOUNTS_FILE_FORMAT) return fail(`is not a Lineage accounts file (missing "format": "${ACCOUNTS_FILE_FORMAT}")`);
  if (raw.version !== ACCOUNTS_FILE_VERSION) {
    return fail(
      `has format version ${JSON.stringify(raw.version)}; this Lineage reads version ${ACCOUNTS_FILE_VERSION}. Use the Lineage release that wrote it.`,
    );
  }
  for (const field of Object.keys(raw)) {
    if (field !== 'format' && field !== 'version' && field !== 'accounts') fail(`has an unknown field ${JSON.stringify(field)}`);
  }
  if (!Array.isArray(raw.accounts)) return fail('has no "accounts" list');
  const ids = new Set<string>();
  const hashes = new Set<string>();
  return raw.accounts.map((entry: unknown, i: number): AccountRecord => {
    const where = `account entry ${i + 1}`;
    if (!isRecord(entry)) return fail(`${where} is not an object`);
    const { accountId, campaignId, keyHash, createdAt, ...rest } = entry;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) fail(`${where} has an unknown field ${JSON.stringify(unknown.slice(0, 40))}`);
    if (typeof accountId !== 'string' || !ID_PATTERN.test(accountId)) {
      return fail(`${where} has a missing or malformed accountId (1-128 characters of letters, digits and . _ : @ -)`);
    }
    if (ids.has(accountId)) fail(`lists account ${accountId} twice`);
    ids.add(accountId);
    if (campaignId !== undefined && (typeof campaignId !== 'string' || !ID_PATTERN.test(campaignId))) {
      fail(`account ${accountId} has a malformed campaignId (1-128 characters of letters, digits and . _ : @ -)`);
    }
    if (typeof keyHash !== 'string' || !KEY_HASH.test(keyHash)) {
      return fail(`account ${accountId} has a missing or malformed keyHash (expected 64 lowercase hex digits)`);
    }
    if (hashes.has(keyHash)) fail(`account ${accountId} shares its keyHash with another account; re-add one of them`);
    hashes.add(keyHash);
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || new Date(createdAt).toISOString() !== createdAt) {
      fail(`account ${accountId} has a malformed createdAt (expected an ISO-8601 UTC time)`);
    }
    return {
      accountId,
      ...(typeof campaignId === 'string' ? { campaignId } : {}),
      keyHash,
      createdAt: createdAt as string,
    };
  });
}

/** The exact bytes written for a list of accounts. */
export function serializeAccountsFile(accounts: readonly AccountRecord[]): string {
  const body = {
    format: ACCOUNTS_FILE_FORMAT,
    version: ACCOUNTS_FILE_VERSION,
    accounts: accounts.map((a) => ({
      accountId: a.accountId,
      ...(a.campaignId === undefined ? {} : { campaignId: a.campaignId }),
      keyHash: a.keyHash,
      createdAt: a.createdAt,
    })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

function _summary(record: AccountRecord): AccountSummary {
  return {
    accountId: record.accountId,
    ...(record.campaignId === undefined ? {} : { campaignId: record.campaignId }),
    createdAt: record.createdAt,
  };
}

function _index(records: readonly AccountRecord[]): Map<string, { hash: Buffer; account: ResolvedAccount }> {
  const map = new Map<string, { hash: Buffer; account: ResolvedAccount }>();
  for (const r of records) {
    const account: ResolvedAccount = Object.freeze({
      accountId: r.accountId,
      ...(r.campaignId === undefined ? {} : { campaignId: r.campaignId }),
    });
    map.set(r.keyHash, { hash: Buffer.from(r.keyHash, 'hex'), account });
  }
  return map;
}

function _checkId(id: unknown, what: string): void {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new LineageInputError(
      `${what} is 1-128 characters of letters, digits and . _ : @ -, got ${JSON.stringify(String(id).slice(0, 140))}`,
    );
  }
}

function _signature(stat: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint } | undefined): string {
  return stat === undefined ? 'error:ENOENT' : `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

function _exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

function _readFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LineageInputError(`${path}: does not exist. Create it with \`lineage accounts add --file ${path}\`.`);
    throw new LineageInputError(`${path}: cannot be opened (${code ?? 'unknown error'})`);
  }
  try {
    const stat: Stats = fstatSync(fd);
    if (!stat.isFile()) throw new LineageInputError(`${path}: is not a regular file`);
    // Whoever can write the file can grant themselves access through the proxy.
    if (process.platform !== 'win32' && (stat.mode & 0o022) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
      throw new LineageInputError(`${path}: is writable by group or others (mode ${mode}); run \`chmod 600 ${path}\``);
    }
    if (stat.size > MAX_ACCOUNTS_FILE_BYTES) throw new LineageInputError(`${path}: is larger than 64 MiB; refusing to load it`);
    return readOpenFile(fd, stat.size);
  } finally {
    closeSync(fd);
  }
}

function _writeAtomically(path: string, content: string): void {
  writePrivateFileAtomically(path, content, {
    replace: true,
    fail: (stage, code) =>
      new LineageInputError(
        stage === 'create'
          ? `${path}: cannot be written: the folder is missing or not writable (${code})`
          : `${path}: cannot be written (${code ?? 'unknown error'})`,
      ),
  });
}
