/**
 * `lineage testbed`: the local stand-ins for a provider's model and a distiller's student,
 * so every part of Lineage can be exercised against real models on one machine.
 */
import { type CliIo, writeLine } from '../cli-io.js';
import { UsageError } from '../usage-error.js';
import { testbedDistill, testbedDistillHelp } from './testbed-distill.js';
import { testbedGenerate, testbedGenerateHelp } from './testbed-generate.js';
import { testbedServe, testbedServeHelp } from './testbed-serve.js';
import { testbedTrain, testbedTrainHelp } from './testbed-train.js';

const subcommands: Record<
  string,
  { summary: string; help: string; run: (argv: readonly string[], io: CliIo) => number | Promise<number> }
> = {
  train: { summary: 'train an n-gram model on the Brown corpus', help: testbedTrainHelp, run: testbedTrain },
  serve: { summary: 'serve a model over the OpenAI chat API', help: testbedServeHelp, run: testbedServe },
  generate: { summary: 'write samples (marked or not) as JSONL', help: testbedGenerateHelp, run: testbedGenerate },
  distill: { summary: 'simulate a distillation campaign', help: testbedDistillHelp, run: testbedDistill },
};

export const testbedHelp = `Usage: lineage testbed <command> [options]

Real n-gram language models trained on the Brown corpus, a local OpenAI-compatible server
and a distillation simulation. Nothing is downloaded.

Commands:
${Object.entries(subcommands)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
  .join('\n')}

Run \`lineage testbed <command> --help\` for its options.`;

export async function testbed(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    writeLine(io.stdout, testbedHelp);
    return 0;
  }
  const sub = name === undefined ? undefined : subcommands[name];
  if (!sub)
    throw new UsageError(
      `lineage testbed needs one of ${Object.keys(subcommands).join(', ')}, got ${JSON.stringify(name ?? '')} (see \`lineage testbed --help\`)`,
    );
  if (rest.includes('--help') || rest.includes('-h')) {
    writeLine(io.stdout, sub.help);
    return 0;
  }
  return await sub.run(rest, io);
}
