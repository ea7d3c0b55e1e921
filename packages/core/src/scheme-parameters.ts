/**
 * Scheme parameters live in the key file so the embedder and the detector can never
 * disagree on gamma, delta, context width and the rest.
 *
 * `keygen` writes every entry in full; a file from an older release that lacks an entry
 * gets the default below. So a default, once released, never changes within format
 * version 1: a better default goes into new keys through `createKeyFile` options, or a new
 * format version.
 */
import { LineageInputError } from './errors.js';
import { isRecord } from './is-record.js';

export interface GreenListParameters {
  /** h: how many preceding tokens seed the green list (1-8). */
  readonly contextWidth: number;
  /** gamma: fraction of the vocabulary that is green (0-1, exclusive). */
  readonly gamma: number;
  /** delta: logit bias added to green tokens (> 0). */
  readonly delta: number;
  /** Self-seeded variant: the candidate token joins its own seed. */
  readonly selfSeeded: boolean;
}

export interface GumbelParameters {
  readonly contextWidth: number;
}

export interface TournamentParameters {
  readonly contextWidth: number;
  /** m: tournament layers (1-32: the bits of one PRF word). */
  readonly layers: number;
}

export interface LexicalParameters {
  /** Normalized preceding words that seed a site's keyed preference (1-8). */
  readonly contextWords: number;
}

/**
 * The identity channel of the token-level schemes: a keyed `fraction` of positions carries
 * one base-2^digitBits digit of the account's code (`digits` digits, 32 to 64 bits in all)
 * instead of the provider mark; campaign accounts put their campaign's mark there instead.
 */
export interface IdentityParameters {
  readonly fraction: number;
  readonly digits: number;
  readonly digitBits: number;
}

export interface SchemeParameters {
  readonly identity: IdentityParameters;
  readonly greenList: GreenListParameters;
  readonly gumbel: GumbelParameters;
  readonly tournament: TournamentParameters;
  readonly lexical: LexicalParameters;
}

// Green list: γ = 0.25, δ = 3, h = 2, chosen by measurement on the testbed at about 2.8
// bits/token (T = 0.5) with a quarter of the positions given to the identity channel: every
// 200-token response reached p <= 1e-6 (60 of 60) at 0.17 extra bits of surprisal per token,
// where δ = 2.5 reached 95% and 98% in two sets of 60 (too close to the 95% goal). h = 2
// keeps the mark learnable by small students (an order-3 n-gram model sees 2-token
// contexts); h = 1 loses power to repeated windows. Nothing had been released before this.
// Identity: a quarter of the positions (the provider channel keeps three quarters), 12
// base-16 digits: a 48-bit code, so a million registered accounts match a decoded code by
// chance with probability 3.6e-9. Measured on 11-bit-per-token synthetic text with the green
// list (100 texts per cell; pnpm --filter @lineage/benchmarks run identity-layout): 12 x 16
// decodes 88% of 800-token and 100% of 1,200-token texts, where 16 x 8 decodes 81% / 95% and
// 24 x 4 41% / 80% (more positions per digit matter more than fewer rivals per digit).
// Lexical: one preceding unit. Students learn the preference only from contexts they saw often
// enough: an order-3 student distilled from marked text alone inherits it at log10 p -5.4 with
// one word and not at all with two or three (benchmarks/src/lexical-inheritance.ts), and a
// deletion in the window can unseat at most one site. The preference stays conditional: each
// (preceding word, set) cell has its own keyed coin, so variant frequencies stay 50/50.
export const DEFAULT_SCHEME_PARAMETERS: SchemeParameters = Object.freeze({
  identity: Object.freeze({ fraction: 0.25, digits: 12, digitBits: 4 }),
  greenList: Object.freeze({ contextWidth: 2, gamma: 0.25, delta: 3, selfSeeded: false }),
  gumbel: Object.freeze({ contextWidth: 4 }),
  tournament: Object.freeze({ contextWidth: 4, layers: 30 }),
  lexical: Object.freeze({ contextWords: 1 }),
});

type Field = { kind: 'int'; min: number; max: number } | { kind: 'open01' } | { kind: 'positive'; max: number } | { kind: 'bool' };

const SPEC: { readonly [S in keyof SchemeParameters]: { readonly [F in keyof SchemeParameters[S]]: Field } } = {
  identity: {
    fraction: { kind: 'open01' },
    digits: { kind: 'int', min: 8, max: 64 },
    digitBits: { kind: 'int', min: 1, max: 4 },
  },
  greenList: {
    contextWidth: { kind: 'int', min: 1, max: 8 },
    gamma: { kind: 'open01' },
    delta: { kind: 'positive', max: 10 },
    selfSeeded: { kind: 'bool' },
  },
  gumbel: { contextWidth: { kind: 'int', min: 1, max: 8 } },
  tournament: { contextWidth: { kind: 'int', min: 1, max: 8 }, layers: { kind: 'int', min: 1, max: 32 } },
  lexical: { contextWords: { kind: 'int', min: 1, max: 8 } },
};

function _checkField(path: string, field: Field, value: unknown): void {
  const ok =
    field.kind === 'bool'
      ? typeof value === 'boolean'
      : typeof value === 'number' &&
        (field.kind === 'int'
          ? Number.isInteger(value) && value >= field.min && value <= field.max
          : field.kind === 'open01'
            ? value > 0 && value < 1
            : value > 0 && value <= field.max);
  if (ok) return;
  const want =
    field.kind === 'bool'
      ? 'true or false'
      : field.kind === 'int'
        ? `an integer from ${field.min} to ${field.max}`
        : field.kind === 'open01'
          ? 'a number strictly between 0 and 1'
          : `a number in (0, ${field.max}]`;
  throw new LineageInputError(`${path} must be ${want}, got ${JSON.stringify(value)}`);
}

/**
 * Validates scheme parameters, filling missing schemes or fields from `base`
 * (the released defaults unless given). Unknown schemes or fields are refused.
 */
export function resolveSchemeParameters(
  raw: unknown,
  base: SchemeParameters = DEFAULT_SCHEME_PARAMETERS,
  path = 'schemes',
): SchemeParameters {
  if (raw === undefined) return base;
  if (!isRecord(raw)) throw new LineageInputError(`${path} must be an object`);
  for (const name of Object.keys(raw)) {
    if (!(name in SPEC)) throw new LineageInputError(`${path}.${name} is not a known scheme (known: ${Object.keys(SPEC).join(', ')})`);
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [scheme, fields] of Object.entries(SPEC) as [keyof SchemeParameters, Record<string, Field>][]) {
    const given = raw[scheme];
    if (given !== undefined && !isRecord(given)) throw new LineageInputError(`${path}.${scheme} must be an object`);
    const merged: Record<string, unknown> = { ...base[scheme], ...(given ?? {}) };
    for (const name of Object.keys(merged)) {
      const field = fields[name];
      if (!field) throw new LineageInputError(`${path}.${scheme}.${name} is not a parameter of ${scheme}`);
      _checkField(`${path}.${scheme}.${name}`, field, merged[name]);
    }
    out[scheme] = Object.freeze(merged);
  }
  const { digits, digitBits } = out.identity as unknown as IdentityParameters;
  if (digits * digitBits < 32 || digits * digitBits > 64) {
    throw new LineageInputError(`${path}.identity must give a code of 32 to 64 bits (digits x digitBits), got ${digits * digitBits}`);
  }
  return Object.freeze(out) as unknown as SchemeParameters;
}
