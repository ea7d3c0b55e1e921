import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineageInputError } from '@lineage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addAccount,
  flagAccount,
  hashApiKey,
  listAccounts,
  openAccountsFile,
  parseAccountsFile,
  readAccountsFile,
  serializeAccountsFile,
} from './accounts-file.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-accounts-'));
let counter = 0;
const freshPath = () => join(dir, `accounts-${++counter}.json`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('accounts file', () => {
  it('issues a key that resolves to its account and campaign; stores only the hash; mode 0600', () => {
    const path = freshPath();
    const a = addAccount(path, { accountId: 'acct-1' });
    const b = addAccount(path, { accountId: 'acct-2', campaignId: 'camp-9' });
    expect(a.apiKey).toMatch(/^lsk_[A-Za-z0-9_-]{43}$/);
    expect(a.replacedKey).toBe(false);
    expect(b).toMatchObject({ accountId: 'acct-2', campaignId: 'camp-9' });
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(a.apiKey);
    expect(text).not.toContain(a.apiKey.slice(4));
    expect(text).toContain(hashApiKey(a.apiKey));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const resolver = openAccountsFile(path);
    expect(resolver.size).toBe(2);
    expect(resolver.resolve(a.apiKey)).toEqual({ accountId: 'acct-1' });
    expect(resolver.resolve(b.apiKey)).toEqual({ accountId: 'acct-2', campaignId: 'camp-9' });
    expect(listAccounts(path)).toEqual([
      { accountId: 'acct-1', createdAt: expect.any(String) },
      { accountId: 'acct-2', campaignId: 'camp-9', createdAt: expect.any(String) },
    ]);
    resolver.close();
  });

  it('unknown, empty, wrong-length and non-string keys resolve to undefined without throwing', () => {
    const path = freshPath();
    const { apiKey } = addAccount(path, { accountId: 'acct-1' });
    const resolver = openAccountsFile(path);
    for (const bad of ['', 'lsk_', apiKey.slice(0, -1), `${apiKey}x`, apiKey.toUpperCase(), 'x'.repeat(100_000), hashApiKey(apiKey)]) {
      expect(resolver.resolve(bad)).toBeUndefined();
    }
    for (const bad of [undefined, null, 42, {}, [], Buffer.from(apiKey)]) {
      expect(resolver.resolve(bad as unknown as string)).toBeUndefined();
    }
    expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1' });
  });

  it('resolve never throws on arbitrary strings (property)', () => {
    const path = freshPath();
    const { apiKey } = addAccount(path, { accountId: 'acct-1' });
    const resolver = openAccountsFile(path, { reloadIntervalMs: 0 });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (s) => {
        const r = resolver.resolve(s);
        expect(r === undefined || s === apiKey).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('re-adding an account rotates its key: the old key stops resolving, the campaign is kept', async () => {
    const path = freshPath();
    const first = addAccount(path, { accountId: 'acct-1', campaignId: 'camp-1' });
    const resolver = openAccountsFile(path, { reloadIntervalMs: 5 });
    expect(resolver.resolve(first.apiKey)).toEqual({ accountId: 'acct-1', campaignId: 'camp-1' });
    const second = addAccount(path, { accountId: 'acct-1' });
    expect(second.replacedKey).toBe(true);
    expect(second.campaignId).toBe('camp-1');
    expect(second.apiKey).not.toBe(first.apiKey);
    await sleep(20);
    expect(resolver.resolve(first.apiKey)).toBeUndefined();
    expect(resolver.resolve(second.apiKey)).toEqual({ accountId: 'acct-1', campaignId: 'camp-1' });
    expect(resolver.size).toBe(1);
  });

  it('a running resolver picks up flag and unflag after its reload interval', async () => {
    const path = freshPath();
    const { apiKey } = addAccount(path, { accountId: 'acct-1' });
    const resolver = openAccountsFile(path, { reloadIntervalMs: 10 });
    expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1' });
    expect(flagAccount(path, 'acct-1', 'c1')).toEqual({ accountId: 'acct-1', campaignId: 'c1', createdAt: expect.any(String) });
    await sleep(25);
    expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1', campaignId: 'c1' });
    // Same file size as before: the reload must not rely on size or mtime alone.
    expect(flagAccount(path, 'acct-1', 'c2').previousCampaignId).toBe('c1');
    await sleep(25);
    expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1', campaignId: 'c2' });
    flagAccount(path, 'acct-1', null);
    await sleep(25);
    expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1' });
  });

  it('a closed resolver stops reloading', async () => {
    const path = freshPath();
    const { apiKey } = addAccount(path, { accountId: 'acct-1' });
    const resolver = openAccountsFile(path, { reloadIntervalMs: 0 });
    resolver.close();
    flagAccount(path, 'acct-1', 'c1');
    await sleep(5);
    expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1' });
  });

  it('a corrupt reload keeps the previous accounts and reports once per bad version', async () => {
    const path = freshPath();
    const { apiKey } = addAccount(path, { accountId: 'acct-1' });
    const errors: LineageInputError[] = [];
    const resolver = openAccountsFile(path, { reloadIntervalMs: 0, onError: (e) => errors.push(e) });
    writeFileSync(path, '{"format": "lineage-accounts", "version": 1, "accounts": [');
    for (let i = 0; i < 5; i++) expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(LineageInputError);
    expect(errors[0]?.message).toMatch(/not valid JSON/);
    const other = addAccount(path.replace('.json', '-b.json'), { accountId: 'acct-2' });
    writeFileSync(path, readFileSync(path.replace('.json', '-b.json')));
    await sleep(2);
    expect(resolver.resolve(other.apiKey)).toEqual({ accountId: 'acct-2' });
    expect(resolver.resolve(apiKey)).toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('flagging an unknown account or a missing file is an input error', () => {
    const path = freshPath();
    expect(() => flagAccount(path, 'acct-1', 'c1')).toThrow(/does not exist/);
    addAccount(path, { accountId: 'acct-1' });
    expect(() => flagAccount(path, 'nobody', 'c1')).toThrow(LineageInputError);
    expect(() => flagAccount(path, 'nobody', 'c1')).toThrow(/no account nobody/);
    expect(() => addAccount(path, { accountId: 'bad id' })).toThrow(/account id is 1-128/);
    expect(() => addAccount(path, { accountId: 'ok', campaignId: '' })).toThrow(/campaign id is 1-128/);
    expect(() => openAccountsFile(freshPath())).toThrow(/does not exist/);
  });

  it('refuses a file writable by group or others', () => {
    if (process.platform === 'win32') return;
    const path = freshPath();
    addAccount(path, { accountId: 'acct-1' });
    chmodSync(path, 0o666);
    expect(() => readAccountsFile(path)).toThrow(/writable by group or others/);
  });

  it('validates the file strictly and never echoes its content', () => {
    const hash = hashApiKey('lsk_secret-material');
    const good = { accountId: 'a', keyHash: hash, createdAt: '2025-01-01T00:00:00.000Z' };
    const doc = (accounts: unknown[], extra: Record<string, unknown> = {}) =>
      JSON.stringify({ format: 'lineage-accounts', version: 1, accounts, ...extra });
    expect(parseAccountsFile(doc([good]), 'f')).toEqual([good]);
    const cases: [string, RegExp][] = [
      ['lsk_secret-material', /not valid JSON/],
      ['[]', /expected a JSON object/],
      [JSON.stringify({ format: 'lineage-key', version: 1, accounts: [] }), /not a Lineage accounts file/],
      [JSON.stringify({ format: 'lineage-accounts', version: 2, accounts: [] }), /format version 2/],
      [doc([], { secret: 'x' }), /unknown field "secret"/],
      [JSON.stringify({ format: 'lineage-accounts', version: 1 }), /no "accounts" list/],
      [doc([42]), /entry 1 is not an object/],
      [doc([{ ...good, apiKey: 'lsk_secret-material' }]), /unknown field "apiKey"/],
      [doc([{ ...good, accountId: 'has space' }]), /malformed accountId/],
      [doc([good, { ...good, keyHash: hashApiKey('other') }]), /lists account a twice/],
      [doc([{ ...good, campaignId: 7 }]), /malformed campaignId/],
      [doc([{ ...good, keyHash: hash.toUpperCase() }]), /malformed keyHash/],
      [doc([{ ...good, keyHash: hash.slice(2) }]), /malformed keyHash/],
      [doc([good, { ...good, accountId: 'b' }]), /shares its keyHash/],
      [doc([{ ...good, createdAt: 'yesterday' }]), /malformed createdAt/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseAccountsFile(text, 'accounts.json');
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(LineageInputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/^accounts\.json: /);
      expect((error as Error).message).not.toContain('secret-material');
      expect((error as Error).message).not.toContain(hash.slice(2, 20));
    }
  });

  it('serialize and parse round-trip (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9._:@-]{1,20}$/);
    const record = fc.record(
      {
        accountId: id,
        campaignId: id,
        keyHash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
        createdAt: fc.integer({ min: 0, max: 4_000_000_000_000 }).map((t) => new Date(t).toISOString()),
      },
      { requiredKeys: ['accountId', 'keyHash', 'createdAt'] },
    );
    fc.assert(
      fc.property(fc.uniqueArray(record, { selector: (r) => r.accountId, maxLength: 8 }), (records) => {
        fc.pre(new Set(records.map((r) => r.keyHash)).size === records.length);
        expect(parseAccountsFile(serializeAccountsFile(records), 'f')).toEqual(records);
      }),
    );
  });
});
