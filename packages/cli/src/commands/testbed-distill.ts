/** `lineage testbed distill`: a marked teacher harvested by an account cluster, a student trained on the harvest, and a clean control. */
import { addCampaignToKeyFile } from '@lineage/core';
import { distill, loadModelFile, MAX_ORDER, MIN_ORDER } from '@lineage/testbed';
import { type CliIo, writeJson, writeLine, writeTable } from '../cli-io.js';
import { markingFromOptions } from '../marking-schemes.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';
import { fractionOption, integerOption } from './testbed-options.js';

export const testbedDistillHelp = `Usage: lineage testbed distill --teacher FILE --accounts N --rho R --tokens T --out DIR
                               [--key FILE --scheme NAME] [--campaign ID:COUNT ...]
                               [--order N] [--answer-tokens N] [--seed S] [--json]

Simulates a distillation campaign. N accounts (acct-000001 …) ask the teacher held-out Brown
prompts; with --key and --scheme every answer is marked for its account (campaign accounts
carry their campaign). The harvest is mixed with clean Brown text so that a fraction R of the
student's T training tokens is harvested; a control student is trained on T clean tokens.
Writes DIR/student.model, DIR/control.model, DIR/harvest.jsonl and DIR/manifest.json.

Options:
  --teacher FILE        teacher model from \`lineage testbed train\` (required)
  --accounts N          accounts in the cluster, 1-1,000,000 (required)
  --rho R               harvested share of the student's training tokens, in (0, 1] (required)
  --tokens T            student training tokens, 1,000-50,000,000 (required)
  --out DIR             output folder (required; created if missing)
  --key FILE            key file the teacher marks with (needs --scheme)
  --scheme NAME         marking scheme (needs --key); without both the teacher is unmarked
  --campaign ID:COUNT   COUNT accounts form campaign ID (repeatable; accounts taken in order);
                        with --key, the campaign is registered in the key file
  --order N             student order, ${MIN_ORDER}-${MAX_ORDER} (default: the teacher's)
  --answer-tokens N     longest answer (default 128)
  --seed S              seed for prompts, sampling and clean-text choice (default 1)
  --json                print the manifest as JSON
  -h, --help            show this help`;

export function testbedDistill(argv: readonly string[], io: CliIo): number {
  const { values } = parseCommandArgs(
    'testbed distill',
    argv,
    {
      teacher: { type: 'string' },
      accounts: { type: 'string' },
      rho: { type: 'string' },
      tokens: { type: 'string' },
      out: { type: 'string' },
      key: { type: 'string' },
      scheme: { type: 'string' },
      campaign: { type: 'string', multiple: true },
      order: { type: 'string' },
      'answer-tokens': { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
    },
    { min: 0, max: 0 },
  );
  for (const required of ['teacher', 'accounts', 'rho', 'tokens', 'out'] as const) {
    if (values[required] === undefined)
      throw new UsageError(`testbed distill needs --${required} (see \`lineage testbed distill --help\`)`);
  }
  const accounts = integerOption('accounts', values.accounts, 0, 1, 1_000_000);
  const rho = fractionOption('rho', values.rho, 0, (r) => r > 0 && r <= 1, '(0, 1]');
  const tokens = integerOption('tokens', values.tokens, 0, 1_000, 50_000_000);
  const answerTokens = integerOption('answer-tokens', values['answer-tokens'], 128, 1, 4096);
  const campaigns = (values.campaign ?? []).map((spec) => {
    const match = /^([A-Za-z0-9._-]{1,64}):(\d+)$/.exec(spec);
    if (!match) throw new UsageError(`--campaign must be ID:COUNT (ID of A-Z a-z 0-9 . _ -), got ${JSON.stringify(spec)}`);
    return { id: match[1] as string, count: integerOption('campaign', match[2], 0, 1, 1_000_000) };
  });
  let marking = markingFromOptions('testbed distill', values);
  const teacher = loadModelFile(values.teacher as string);
  const order = integerOption('order', values.order, teacher.order, MIN_ORDER, MAX_ORDER);
  // Campaign accounts carry their campaign's mark only if the key file lists the campaign
  // (so detection tests it): once every option is valid, register them and reload the key.
  if (marking && campaigns.length > 0 && values.key !== undefined) {
    for (const c of campaigns) addCampaignToKeyFile(values.key, c.id);
    marking = markingFromOptions('testbed distill', values);
  }
  const manifest = distill({
    teacher,
    accounts,
    rho,
    tokens,
    order,
    answerTokens,
    campaigns,
    seed: values.seed ?? '1',
    outDir: values.out as string,
    ...(marking ? { marking: marking.scheme, key: { keyId: marking.keyId, commitment: marking.commitment } } : {}),
  });
  if (values.json) {
    writeJson(io.stdout, manifest);
    return 0;
  }
  writeLine(io.stdout, `Distillation simulated; wrote ${values.out}/{student.model, control.model, harvest.jsonl, manifest.json}.`);
  writeTable(io.stdout, [
    ['teacher marking', manifest.scheme ?? 'none (unmarked teacher)'],
    [
      'accounts',
      `${manifest.accounts}${manifest.campaigns.length ? ` (${manifest.campaigns.map((c) => `${c.id}: ${c.accounts.length}`).join(', ')})` : ''}`,
    ],
    ['exchanges', String(manifest.exchanges)],
    ['student tokens', `${manifest.tokens} (${manifest.harvestedTokens} harvested, ${manifest.cleanTokens} clean)`],
  ]);
  return 0;
}
