/**
 * The marking schemes the testbed commands (`serve`, `generate`, `distill`) can apply, by
 * name: `kgw` (green list), `gumbel` (Gumbel sampling), `tournament` (token-level, at sampling
 * time) and `lexical` (rewrites each finished response).
 */
import { loadKeyFile } from '@lineage/core';
import { type KeyedMarking, keyedMarkings, type MarkingScheme } from '@lineage/testbed';
import { UsageError } from './usage-error.js';

export type MarkingSchemeFactory = KeyedMarking;

/** The testbed's keyed marking schemes, by name (a copy of its own: tests register extra ones). */
export const markingSchemes = new Map<string, MarkingSchemeFactory>(keyedMarkings);

export interface ResolvedMarking {
  readonly scheme: MarkingScheme;
  readonly keyId: string;
  readonly commitment: string;
}

/** The scheme `name` keyed with the key file at `keyPath`; the scheme is checked before the key is read. */
export function resolveMarkingScheme(command: string, keyPath: string, name: string): ResolvedMarking {
  const factory = markingSchemes.get(name);
  if (!factory) {
    const available = [...markingSchemes.keys()].sort();
    throw new UsageError(
      `unknown marking scheme ${JSON.stringify(name)}; ${available.length ? `available: ${available.join(', ')}` : 'no marking scheme is available in this build yet'} (see \`lineage ${command} --help\`)`,
    );
  }
  const key = loadKeyFile(keyPath);
  return { scheme: factory(key), keyId: key.keyId, commitment: key.commitment };
}

/** --key and --scheme go together; returns the keyed scheme, or undefined for an unmarked run. */
export function markingFromOptions(
  command: string,
  values: { key?: string | undefined; scheme?: string | undefined },
): ResolvedMarking | undefined {
  if ((values.key === undefined) !== (values.scheme === undefined)) {
    throw new UsageError(
      `--key and --scheme go together: marking needs both a key file and a scheme name (see \`lineage ${command} --help\`)`,
    );
  }
  return values.key === undefined || values.scheme === undefined ? undefined : resolveMarkingScheme(command, values.key, values.scheme);
}
