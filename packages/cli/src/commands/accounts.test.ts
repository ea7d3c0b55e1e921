/** `lineage accounts add | flag | unflag | list` on a real accounts file, resolved as the proxy would. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAccountsFile } from '@lineage/proxy';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../run-cli.test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-accounts-cli-'));
let counter = 0;
const freshPath = () => join(dir, `accounts-${++counter}.json`);

const run = (args: readonly string[]) => runCaptured(['accounts', ...args]);

describe('lineage accounts', () => {
  it('add --json prints exactly account and apiKey (plus campaign); the key resolves; the file holds no key', async () => {
    const file = freshPath();
    const plain = await run(['add', '--file', file, '--account', 'acct-1', '--json']);
    expect(plain.code, plain.err).toBe(0);
    const first = JSON.parse(plain.out);
    expect(Object.keys(first).sort()).toEqual(['account', 'apiKey']);
    expect(first.account).toBe('acct-1');
    expect(first.apiKey).toMatch(/^lsk_[A-Za-z0-9_-]{43}$/);
    const flagged = await run(['add', '--file', file, '--account', 'acct-2', '--campaign', 'camp-1', '--json']);
    const second = JSON.parse(flagged.out);
    expect(Object.keys(second).sort()).toEqual(['account', 'apiKey', 'campaign']);
    expect(second.campaign).toBe('camp-1');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(first.apiKey.slice(4));
    const resolver = openAccountsFile(file);
    expect(resolver.resolve(first.apiKey)).toEqual({ accountId: 'acct-1' });
    expect(resolver.resolve(second.apiKey)).toEqual({ accountId: 'acct-2', campaignId: 'camp-1' });
  });

  it('add prints a table that says the key is shown once; re-adding rotates and says so', async () => {
    const file = freshPath();
    const first = await run(['add', '--file', file, '--account', 'acct-1']);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^account\s+acct-1$/m);
    expect(first.out).toMatch(/shown only once/);
    expect(first.out).not.toMatch(/Rotated/);
    const oldKey = /api key\s+(lsk_\S+)/.exec(first.out)?.[1] as string;
    expect(oldKey).toBeDefined();
    const again = await run(['add', '--file', file, '--account', 'acct-1']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/Rotated: account acct-1 already had a key: it is revoked/);
    const newKey = /api key\s+(lsk_\S+)/.exec(again.out)?.[1] as string;
    const resolver = openAccountsFile(file);
    expect(resolver.resolve(oldKey)).toBeUndefined();
    expect(resolver.resolve(newKey)).toEqual({ accountId: 'acct-1' });
    const json = await run(['add', '--file', file, '--account', 'acct-1', '--json']);
    expect(Object.keys(JSON.parse(json.out)).sort()).toEqual(['account', 'apiKey']);
    expect(json.err).toMatch(/revoked and replaced/);
  });

  it('flag and unflag move an account; a running resolver picks it up; list shows accounts and campaigns, no keys', async () => {
    const file = freshPath();
    const { apiKey } = JSON.parse((await run(['add', '--file', file, '--account', 'acct-1', '--json'])).out);
    await run(['add', '--file', file, '--account', 'acct-2']);
    const resolver = openAccountsFile(file, { reloadIntervalMs: 0 });
    expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1' });
    const flagged = await run(['flag', '--file', file, '--account', 'acct-1', '--campaign', 'camp-7', '--json']);
    expect(flagged.code, flagged.err).toBe(0);
    expect(JSON.parse(flagged.out)).toEqual({ account: 'acct-1', campaign: 'camp-7' });
    expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1', campaignId: 'camp-7' });
    const human = await run(['flag', '--file', file, '--account', 'acct-1', '--campaign', 'camp-8']);
    expect(human.out).toMatch(/^campaign {2}camp-8$/m);
    expect(human.out).toMatch(/^before {4}camp-7$/m);
    expect(human.out).toMatch(/without a restart/);

    const listed = await run(['list', '--file', file, '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toEqual({
      accounts: [
        { account: 'acct-1', campaign: 'camp-8', createdAt: expect.any(String) },
        { account: 'acct-2', createdAt: expect.any(String) },
      ],
    });
    const table = await run(['list', '--file', file]);
    expect(table.out).toMatch(/^account\s+campaign\s+created$/m);
    expect(table.out).toMatch(/^acct-2\s+-\s+\d{4}-/m);
    expect(table.out).toMatch(/2 accounts, 1 campaign$/m);
    for (const out of [listed.out, table.out]) {
      expect(out).not.toContain(apiKey);
      expect(out).not.toMatch(/[0-9a-f]{64}/);
    }

    const unflagged = await run(['unflag', '--file', file, '--account', 'acct-1', '--json']);
    expect(JSON.parse(unflagged.out)).toEqual({ account: 'acct-1', previousCampaign: 'camp-8' });
    expect(resolver.resolve(apiKey)).toEqual({ accountId: 'acct-1' });
  });

  it('--help per subcommand, exit 0', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/Usage: lineage accounts <command>/);
    for (const sub of ['add', 'flag', 'unflag', 'list']) {
      const help = await run([sub, '--help']);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(new RegExp(`^Usage: lineage accounts ${sub} --file FILE`));
    }
  });

  it('bad usage and bad input exit 2 with one clear line', async () => {
    const file = freshPath();
    await run(['add', '--file', file, '--account', 'acct-1']);
    const cases: [string[], RegExp][] = [
      [[], /needs one of add, flag, unflag, list/],
      [['rotate'], /needs one of add, flag, unflag, list/],
      [['add', '--account', 'a'], /needs --file FILE/],
      [['add', '--file', file], /needs --account ID/],
      [['add', '--file', file, '--account', 'has space'], /account id is 1-128/],
      [['add', '--file', file, '--account', 'a', '--campaign', 'c d'], /campaign id is 1-128/],
      [['add', '--file', file, '--account', 'a', 'extra'], /takes 0 argument/],
      [['add', '--file', file, '--account', 'a', '--bogus'], /Unknown option/],
      [['flag', '--file', file, '--account', 'acct-1'], /needs --campaign ID/],
      [['flag', '--file', file, '--account', 'nobody', '--campaign', 'c'], /no account nobody/],
      [['unflag', '--file', file, '--account', 'acct-1', '--campaign', 'c'], /Unknown option/],
      [['list', '--file', join(dir, 'missing.json')], /does not exist/],
      [['list', '--file', join(dir, 'nowhere', '..')], /not a regular file|cannot be opened/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toMatch(message);
      expect(result.out).toBe('');
    }
  });
});
