/**
 * `lineage serve`: the marking proxy (@lineage/proxy) in front of an OpenAI-compatible upstream.
 * The base URL is the first line of stdout (scripts read it); one JSON event per request goes to
 * stderr; SIGINT or SIGTERM stops accepting, lets open streams finish, then exits 0.
 */
import { readFileSync } from 'node:fs';
import { ID_PATTERN, loadKeyFile } from '@lineage/core';
import { CanaryMarker } from '@lineage/embed/canary';
import { type CanaryLedger, openSqliteLedger } from '@lineage/embed/ledger';
import { openAccountsFile, type ProxyServer, startProxy } from '@lineage/proxy';
import { type CliIo, writeLine } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';
import { fractionOption, integerOption } from './testbed-options.js';

export const serveHelp = `Usage: lineage serve --upstream URL --key FILE --accounts FILE [--port N] [--host ADDR]
                     [--ledger DB --canary-rate R [--flagged-rate R] [--canary-cap N]
                     [--opt-out FILE]] [--upstream-key-env VAR] [--keep-logprobs]
                     [--upstream-timeout MS]

Runs the marking proxy: an OpenAI-compatible server (POST /v1/chat/completions, streaming or
not, GET /v1/models, GET /health) in front of the upstream chat API. Clients authenticate with
the API key issued by \`lineage accounts add\`; every answer is marked for that account (lexical
marker, and canaries with --canary-rate). Unknown keys get 401 and nothing is forwarded.

Prints the base URL (http://HOST:PORT/v1) as the first line of stdout and one JSON event per
request on stderr (never keys, prompts or answers), then runs until SIGINT or SIGTERM.

Options:
  --upstream URL          upstream base URL, e.g. http://127.0.0.1:8080/v1 (required)
  --key FILE              Lineage key file to mark with (required)
  --accounts FILE         accounts file written by \`lineage accounts\` (required; reloaded on change)
  --port N                port to listen on (default 0: a free port)
  --host ADDR             address to listen on (default 127.0.0.1)
  --canary-rate R         share of answers that carry a canary, in [0, 1] (needs --ledger)
  --ledger DB             canary ledger (SQLite; created if missing)
  --flagged-rate R        rate for accounts in a campaign (flagged in the accounts file, picked up
                          on reload), in [0, 1] (default: max(R, 0.25))
  --canary-cap N          most canaries per account per UTC day, counted in the ledger (default 100)
  --opt-out FILE          account ids that never get a canary, one per line (# comments and blank
                          lines ignored; read at start)
  --upstream-key-env VAR  environment variable holding the upstream API key (default: none sent)
  --keep-logprobs         forward logprobs requests and pass logprobs on (default: stripped,
                          since they would reveal the unmarked tokens)
  --upstream-timeout MS   longest wait for the upstream, per response and between chunks
                          (default 300000)
  -h, --help              show this help`;

/** Runs until `stop` settles (tests) or, by default, until SIGINT or SIGTERM. */
export async function serve(argv: readonly string[], io: CliIo, stop?: Promise<unknown>): Promise<number> {
  const { values } = parseCommandArgs(
    'serve',
    argv,
    {
      upstream: { type: 'string' },
      key: { type: 'string' },
      accounts: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'canary-rate': { type: 'string' },
      ledger: { type: 'string' },
      'flagged-rate': { type: 'string' },
      'canary-cap': { type: 'string' },
      'opt-out': { type: 'string' },
      'upstream-key-env': { type: 'string' },
      'keep-logprobs': { type: 'boolean' },
      'upstream-timeout': { type: 'string' },
    },
    { min: 0, max: 0 },
  );
  for (const name of ['upstream', 'key', 'accounts'] as const)
    if (!values[name]) throw new UsageError(`serve needs --${name} (see \`lineage serve --help\`)`);
  const port = integerOption('port', values.port, 0, 0, 65_535);
  const timeout = integerOption('upstream-timeout', values['upstream-timeout'], 300_000, 1, 86_400_000);
  if ((values['canary-rate'] === undefined) !== (values.ledger === undefined))
    throw new UsageError('--canary-rate and --ledger go together: canaries must be recorded where the detector can find them');
  const rate = fractionOption('canary-rate', values['canary-rate'], 0, (x) => x >= 0 && x <= 1, '[0, 1]');
  for (const name of ['flagged-rate', 'canary-cap', 'opt-out'] as const)
    if (values[name] !== undefined && values.ledger === undefined)
      throw new UsageError(`--${name} only applies with --canary-rate and --ledger (see \`lineage serve --help\`)`);
  const flaggedRate = fractionOption('flagged-rate', values['flagged-rate'], Math.max(rate, 0.25), (x) => x >= 0 && x <= 1, '[0, 1]');
  if (flaggedRate < rate) throw new UsageError(`--flagged-rate (${flaggedRate}) must be at least --canary-rate (${rate})`);
  const capPerDay = integerOption('canary-cap', values['canary-cap'], 100, 0, 1_000_000_000);
  const optedOut = values['opt-out'] === undefined ? [] : _readOptOut(values['opt-out']);
  let upstreamApiKey: string | undefined;
  const envName = values['upstream-key-env'];
  if (envName !== undefined) {
    upstreamApiKey = process.env[envName];
    if (!upstreamApiKey) throw new UsageError(`--upstream-key-env names ${envName}, which is not set or empty`);
  }
  const host = values.host ?? '127.0.0.1';
  const key = loadKeyFile(values.key as string);
  const accounts = openAccountsFile(values.accounts as string, {
    onError: (error) => writeLine(io.stderr, JSON.stringify({ event: 'accounts-reload-failed', message: error.message })),
  });
  let ledger: CanaryLedger | undefined;
  let server: ProxyServer | undefined;
  try {
    if (values.ledger) ledger = openSqliteLedger(values.ledger);
    // Accounts in a campaign count as flagged; the campaign is known per request (the accounts
    // file reloads), so they get their own marker at the flagged rate over the same ledger and cap.
    const canaries = ledger
      ? {
          marker: new CanaryMarker({ key, rate, capPerDay, optedOut, ledger }),
          campaignMarker: new CanaryMarker({ key, rate: flaggedRate, capPerDay, optedOut, ledger }),
        }
      : undefined;
    server = await startProxy({
      upstream: values.upstream as string,
      key,
      accounts,
      port,
      host,
      ...(upstreamApiKey === undefined ? {} : { upstreamApiKey }),
      ...(canaries ? { canaries } : {}),
      stripLogprobs: !values['keep-logprobs'],
      upstreamTimeoutMs: timeout,
      log: (event) => writeLine(io.stderr, JSON.stringify(event)),
    }).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND') {
        throw new UsageError(`cannot listen on ${host}:${port} (${code}); choose another --host or --port`);
      }
      throw error;
    });
    writeLine(io.stdout, server.url);
    writeLine(
      io.stderr,
      JSON.stringify({
        event: 'listening',
        url: server.url,
        keyId: key.keyId,
        accounts: accounts.size,
        canaryRate: ledger ? rate : 0,
        ...(ledger ? { flaggedRate, canaryCap: capPerDay, optedOut: optedOut.length } : {}),
        stripLogprobs: !values['keep-logprobs'],
      }),
    );
    if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
      writeLine(io.stderr, JSON.stringify({ event: 'warning', message: `listening on ${host}, not loopback` }));
    }
    await (stop ?? _untilStopSignal());
    writeLine(io.stderr, JSON.stringify({ event: 'stopping' }));
    await server.close();
    return 0;
  } finally {
    accounts.close();
    ledger?.close();
  }
}

/** Account ids, one per line; blank lines and `#` comments are skipped. */
function _readOptOut(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--opt-out ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    if (!ID_PATTERN.test(line))
      throw new UsageError(`--opt-out ${path}: line ${i + 1} is not an account id (1-128 of A-Z a-z 0-9 . _ : @ -)`);
    ids.push(line);
  });
  return ids;
}

function _untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
