/**
 * Strict option parsing over node:util parseArgs: unknown options, missing values and stray
 * positionals become UsageErrors that name the command's --help.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<T extends Options>(
  command: string,
  argv: readonly string[],
  options: T,
  positionals: { min: number; max: number },
) {
  let parsed: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see \`lineage ${command} --help\`)`);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    const want =
      positionals.min === positionals.max
        ? `${positionals.min}`
        : `${positionals.min}-${positionals.max === Number.POSITIVE_INFINITY ? 'any' : positionals.max}`;
    throw new UsageError(`lineage ${command} takes ${want} argument(s), got ${count} (see \`lineage ${command} --help\`)`);
  }
  return parsed;
}
