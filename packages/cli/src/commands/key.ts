import { addCampaignToKeyFile, type KeyInfo, loadKeyFile, rotateKeyFile } from '@lineage/core';
import { type CliIo, writeJson, writeLine, writeTable } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';

export const keyHelp = `Usage: lineage key show FILE [--json]
       lineage key rotate FILE [--json]
       lineage key campaign FILE ID [--json]

show    prints the keyId, commitment, epochs, tokenizer, scheme parameters and campaigns
        of a key file. Never the secret.
rotate  starts a new epoch: new channel keys for marking from now on; earlier epochs stay
        in the file so their marks are still detected. Use it when marked outputs may have
        let someone estimate the marks (watermark stealing). If the file itself may have
        leaked, create a new key with \`lineage keygen\` instead.
campaign registers campaign ID (1-128 of A-Z a-z 0-9 . _ : @ -) in the key file: accounts
        flagged into it carry its mark on their identity positions, and detection tests
        every registered campaign. Registering an existing campaign changes nothing.

Options:
  --json      machine-readable output on stdout
  -h, --help  show this help`;

export function key(argv: readonly string[], io: CliIo): number {
  const [action, ...rest] = argv;
  if (action !== 'show' && action !== 'rotate' && action !== 'campaign') {
    throw new UsageError(
      `lineage key needs "show", "rotate" or "campaign", got ${JSON.stringify(action ?? '')} (see \`lineage key --help\`)`,
    );
  }
  const arity = action === 'campaign' ? 2 : 1;
  const { values, positionals } = parseCommandArgs(`key ${action}`, rest, { json: { type: 'boolean' } }, { min: arity, max: arity });
  const path = positionals[0] as string;
  const loaded =
    action === 'show'
      ? loadKeyFile(path)
      : action === 'rotate'
        ? rotateKeyFile(path)
        : addCampaignToKeyFile(path, positionals[1] as string);
  const info = loaded.info();
  if (values.json) {
    writeJson(io.stdout, info);
    return 0;
  }
  if (action === 'rotate') writeLine(io.stdout, `Rotated ${path}: epoch ${info.activeEpoch} is now active.`);
  if (action === 'campaign') writeLine(io.stdout, `Campaign ${positionals[1]} is registered in ${path}.`);
  writeTable(io.stdout, describeKey(info));
  return 0;
}

function describeKey(info: KeyInfo): [string, string][] {
  const rows: [string, string][] = [
    ['keyId', info.keyId],
    ['commitment', info.commitment],
    ['created', info.createdAt],
    ['tokenizer', info.tokenizer],
    ['active epoch', String(info.activeEpoch)],
    ['epochs', info.epochs.map((e) => `${e.epoch} (${e.createdAt})`).join(', ')],
  ];
  for (const [scheme, params] of Object.entries(info.schemes)) {
    rows.push([
      scheme === 'identity' ? 'identity channel' : `scheme ${scheme}`,
      Object.entries(params as Record<string, unknown>)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' '),
    ]);
  }
  rows.push(['campaigns', info.campaigns.length === 0 ? '(none)' : info.campaigns.map((c) => c.id).join(', ')]);
  return rows;
}
