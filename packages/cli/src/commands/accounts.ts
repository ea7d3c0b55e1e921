/**
 * `lineage accounts`: the marking proxy's accounts file. Issue a client API key for an account
 * (`add`), move an account into or out of a campaign (`flag`, `unflag`), and list accounts
 * (`list`). Keys are printed once and stored only as hashes; a running proxy picks up every
 * change without a restart.
 */
import { addAccount, flagAccount, listAccounts } from '@lineage/proxy';
import { type CliIo, writeColumns, writeJson, writeLine, writeTable } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';

export const accountsAddHelp = `Usage: lineage accounts add --file FILE --account ID [--campaign ID] [--json]

Issues a new client API key for an account and prints it once: the file keeps only its SHA-256
hash, so a lost key cannot be shown again, only replaced. Creates FILE (mode 0600) when missing.
Adding an account that already exists rotates its key: the old key is revoked, and a running
proxy stops accepting it within its reload interval. The account keeps its campaign unless
--campaign names another.

Options:
  --file FILE      the accounts file the proxy reads
  --account ID     account id (1-128 of A-Z a-z 0-9 . _ : @ -)
  --campaign ID    put the account in this campaign
  --json           print { "account", "apiKey", "campaign"? }
  -h, --help       show this help`;

export const accountsFlagHelp = `Usage: lineage accounts flag --file FILE --account ID --campaign ID [--json]

Moves an account into a campaign: its responses then carry the campaign's mark on their identity
positions, so a model trained on the campaign's traffic can be attributed to it. A running proxy
picks this up within its reload interval, without a restart. Register the campaign in the key
file too (\`lineage key campaign KEYFILE ID\`) so that detection tests it.

Options:
  --file FILE      the accounts file
  --account ID     an account already in the file
  --campaign ID    campaign id (1-128 of A-Z a-z 0-9 . _ : @ -)
  --json           print { "account", "campaign", "previousCampaign"? }
  -h, --help       show this help`;

export const accountsUnflagHelp = `Usage: lineage accounts unflag --file FILE --account ID [--json]

Takes an account out of its campaign; its responses carry its own identity code again.

Options:
  --file FILE      the accounts file
  --account ID     an account already in the file
  --json           print { "account", "previousCampaign"? }
  -h, --help       show this help`;

export const accountsListHelp = `Usage: lineage accounts list --file FILE [--json]

Lists the accounts, their campaigns and when their current key was issued. Never keys or hashes.

Options:
  --file FILE      the accounts file
  --json           print { "accounts": [ { "account", "campaign"?, "createdAt" } ] }
  -h, --help       show this help`;

export const accountsHelp = `Usage: lineage accounts <command> [options]

Manages the accounts file of the marking proxy (\`lineage serve\`): which client API key belongs to
which account, and which accounts are flagged into a campaign.

Commands:
  add       issue a client API key for an account (re-adding rotates the key)
  flag      move an account into a campaign
  unflag    take an account out of its campaign
  list      list accounts and campaigns

Run \`lineage accounts <command> --help\` for its options.`;

function required(value: string | undefined, option: string, command: string): string {
  if (value === undefined || value === '') {
    throw new UsageError(`accounts ${command} needs ${option} (see \`lineage accounts ${command} --help\`)`);
  }
  return value;
}

function add(argv: readonly string[], io: CliIo): number {
  const { values } = parseCommandArgs(
    'accounts add',
    argv,
    { file: { type: 'string' }, account: { type: 'string' }, campaign: { type: 'string' }, json: { type: 'boolean' } },
    { min: 0, max: 0 },
  );
  const file = required(values.file, '--file FILE', 'add');
  const accountId = required(values.account, '--account ID', 'add');
  const issued = addAccount(file, { accountId, ...(values.campaign === undefined ? {} : { campaignId: values.campaign }) });
  const rotated = `account ${accountId} already had a key: it is revoked and replaced by this one (a running proxy stops accepting it within its reload interval)`;
  if (values.json) {
    writeJson(io.stdout, {
      account: issued.accountId,
      apiKey: issued.apiKey,
      ...(issued.campaignId === undefined ? {} : { campaign: issued.campaignId }),
    });
    if (issued.replacedKey) writeLine(io.stderr, `lineage: ${rotated}`);
    return 0;
  }
  writeTable(io.stdout, [
    ['account', issued.accountId],
    ['campaign', issued.campaignId ?? '-'],
    ['api key', issued.apiKey],
  ]);
  writeLine(io.stdout);
  writeLine(io.stdout, 'The API key is shown only once: give it to the client now. The file keeps only its hash.');
  if (issued.replacedKey) writeLine(io.stdout, `Rotated: ${rotated}.`);
  return 0;
}

function flag(argv: readonly string[], io: CliIo, unflag: boolean): number {
  const command = unflag ? 'unflag' : 'flag';
  const { values } = parseCommandArgs(
    `accounts ${command}`,
    argv,
    {
      file: { type: 'string' },
      account: { type: 'string' },
      ...(unflag ? {} : { campaign: { type: 'string' as const } }),
      json: { type: 'boolean' },
    },
    { min: 0, max: 0 },
  );
  const file = required(values.file, '--file FILE', command);
  const accountId = required(values.account, '--account ID', command);
  const campaign = unflag ? null : required((values as { campaign?: string }).campaign, '--campaign ID', command);
  const result = flagAccount(file, accountId, campaign);
  if (values.json) {
    writeJson(io.stdout, {
      account: result.accountId,
      ...(result.campaignId === undefined ? {} : { campaign: result.campaignId }),
      ...(result.previousCampaignId === undefined ? {} : { previousCampaign: result.previousCampaignId }),
    });
    return 0;
  }
  writeTable(io.stdout, [
    ['account', result.accountId],
    ['campaign', result.campaignId ?? '-'],
    ['before', result.previousCampaignId ?? '-'],
  ]);
  if (result.campaignId !== result.previousCampaignId) {
    writeLine(io.stdout);
    writeLine(io.stdout, 'A running proxy picks this up within its reload interval (1 s by default), without a restart.');
  }
  return 0;
}

function list(argv: readonly string[], io: CliIo): number {
  const { values } = parseCommandArgs('accounts list', argv, { file: { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 0 });
  const accounts = listAccounts(required(values.file, '--file FILE', 'list'));
  const rows = accounts.map((a) => ({
    account: a.accountId,
    ...(a.campaignId === undefined ? {} : { campaign: a.campaignId }),
    createdAt: a.createdAt,
  }));
  if (values.json) {
    writeJson(io.stdout, { accounts: rows });
    return 0;
  }
  const campaigns = new Set(accounts.flatMap((a) => (a.campaignId === undefined ? [] : [a.campaignId])));
  if (rows.length > 0) {
    writeColumns(
      io.stdout,
      rows.map((r) => ({ account: r.account, campaign: r.campaign ?? '-', created: r.createdAt })),
    );
    writeLine(io.stdout);
  }
  writeLine(
    io.stdout,
    `${accounts.length} account${accounts.length === 1 ? '' : 's'}, ${campaigns.size} campaign${campaigns.size === 1 ? '' : 's'}`,
  );
  return 0;
}

const subcommands: Record<string, { help: string; run: (argv: readonly string[], io: CliIo) => number }> = {
  add: { help: accountsAddHelp, run: add },
  flag: { help: accountsFlagHelp, run: (argv, io) => flag(argv, io, false) },
  unflag: { help: accountsUnflagHelp, run: (argv, io) => flag(argv, io, true) },
  list: { help: accountsListHelp, run: list },
};

export async function accounts(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    writeLine(io.stdout, accountsHelp);
    return 0;
  }
  const sub = name === undefined ? undefined : subcommands[name];
  if (!sub)
    throw new UsageError(
      `lineage accounts needs one of add, flag, unflag, list, got ${JSON.stringify(name ?? '')} (see \`lineage accounts --help\`)`,
    );
  if (rest.includes('--help') || rest.includes('-h')) {
    writeLine(io.stdout, sub.help);
    return 0;
  }
  return sub.run(rest, io);
}
