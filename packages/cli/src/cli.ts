/**
 * The `lineage` command: dispatch, --help, and the exit-code contract (0 success whatever
 * the verdict, 2 bad usage or input with one line on stderr, 1 internal failure).
 */
import { LineageError } from '@lineage/core';
import { type CliIo, writeLine } from './cli-io.js';
import { accounts, accountsHelp } from './commands/accounts.js';
import { attribute, attributeHelp } from './commands/attribute.js';
import { canary, canaryHelp } from './commands/canary.js';
import { demo, demoHelp } from './commands/demo.js';
import { detect, detectHelp } from './commands/detect.js';
import { embed, embedHelp } from './commands/embed.js';
import { key, keyHelp } from './commands/key.js';
import { keygen, keygenHelp } from './commands/keygen.js';
import { probe, probeHelp } from './commands/probe.js';
import { serve, serveHelp } from './commands/serve.js';
import { testbed, testbedHelp } from './commands/testbed.js';
import { UsageError } from './usage-error.js';

interface Command {
  readonly summary: string;
  readonly help: string;
  readonly run: (argv: readonly string[], io: CliIo) => number | Promise<number>;
  /** Commands with subcommands answer --help themselves, per subcommand. */
  readonly ownHelp?: boolean;
}

const commands: Record<string, Command> = {
  keygen: { summary: 'create a key file and print its commitment', help: keygenHelp, run: keygen },
  key: { summary: 'show or rotate a key file', help: keyHelp, run: key },
  embed: { summary: 'mark texts for an account (lexical scheme)', help: embedHelp, run: embed },
  detect: { summary: 'test texts for marks', help: detectHelp, run: detect },
  attribute: { summary: 'name the account or campaign each leaked text was served to', help: attributeHelp, run: attribute },
  probe: { summary: 'ask a suspect model over its chat API and test it for the marks', help: probeHelp, run: probe },
  canary: { summary: 'scan texts or probe a suspect for ledgered canaries', help: canaryHelp, run: canary, ownHelp: true },
  serve: { summary: 'run the marking proxy in front of an OpenAI-compatible upstream', help: serveHelp, run: serve },
  accounts: { summary: "manage the proxy's client API keys and campaigns", help: accountsHelp, run: accounts, ownHelp: true },
  demo: { summary: 'play the whole story: mark, harvest, distill, probe, report', help: demoHelp, run: demo },
  testbed: { summary: 'train, serve and distill local n-gram models', help: testbedHelp, run: testbed, ownHelp: true },
};

export const mainHelp = `Usage: lineage <command> [options]

Lineage marks a model provider's responses and later proves, with exact p-values, that a
suspect model was trained on them.

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
  .join('\n')}

Run \`lineage <command> --help\` for a command's options. Exit codes: 0 success (whatever
the verdict), 2 bad usage or bad input, 1 internal failure.`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      writeLine(name === undefined ? io.stderr : io.stdout, mainHelp);
      return name === undefined ? 2 : 0;
    }
    const command = commands[name];
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; run \`lineage --help\``);
    if (!command.ownHelp && (rest.includes('--help') || rest.includes('-h'))) {
      writeLine(io.stdout, command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof LineageError) {
      writeLine(io.stderr, `lineage: ${error.message.split('\n')[0]}`);
      return 2;
    }
    const detail = process.env.LINEAGE_DEBUG ? `\n${(error as Error).stack}` : ' (set LINEAGE_DEBUG=1 for details)';
    writeLine(io.stderr, `lineage: internal error: ${(error as Error).message}${detail}`);
    return 1;
  }
}
