import { LineageInputError } from '@lineage/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CanaryLedger, type CanaryRecord, exportLedgerJsonl, validateCanaryRecord } from './canary-ledger.js';

const valid: CanaryRecord = {
  accountId: 'acct-42',
  campaignId: 'camp.7',
  prompt: 'Write a haiku about Kelvora',
  promptHash: '0f'.repeat(32),
  canary: 'Maren Talvik of Kelvora Logistics',
  time: 1_750_000_000_000,
  keyId: 'lk-0123456789abcdef',
};

function rejects(entry: unknown, field: RegExp): LineageInputError {
  let caught: unknown;
  try {
    validateCanaryRecord(entry);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LineageInputError);
  expect((caught as Error).message).toMatch(field);
  return caught as LineageInputError;
}

describe('validateCanaryRecord', () => {
  it('accepts a valid record and returns only the contract fields', () => {
    expect(validateCanaryRecord({ ...valid, extra: 'dropped' })).toEqual(valid);
    const { campaignId: _c, prompt: _p, ...minimal } = valid;
    expect(validateCanaryRecord(minimal)).toEqual(minimal);
    expect(Object.keys(validateCanaryRecord({ ...minimal, campaignId: undefined, prompt: undefined }))).toEqual(Object.keys(minimal));
  });

  it('names the bad field', () => {
    rejects(null, /expected an object, got null/);
    rejects([valid], /expected an object, got an array/);
    rejects({ ...valid, accountId: '' }, /accountId/);
    rejects({ ...valid, accountId: 'has space' }, /accountId/);
    rejects({ ...valid, accountId: 'x'.repeat(129) }, /accountId/);
    rejects({ ...valid, accountId: 42 }, /accountId.*got 42/);
    rejects({ ...valid, campaignId: 'bad/id' }, /campaignId/);
    rejects({ ...valid, campaignId: null }, /campaignId/);
    rejects({ ...valid, prompt: 7 }, /prompt, when present, must be a string/);
    rejects({ ...valid, prompt: 'lone \ud800 surrogate' }, /prompt is not well-formed/);
    rejects({ ...valid, promptHash: 'AB'.repeat(32) }, /promptHash/);
    rejects({ ...valid, promptHash: 'ab'.repeat(31) }, /promptHash/);
    rejects({ ...valid, canary: '' }, /canary must be 1 to 200 characters, got 0/);
    rejects({ ...valid, canary: 'c'.repeat(201) }, /canary must be 1 to 200 characters, got 201/);
    rejects({ ...valid, canary: ['x'] }, /canary must be a string/);
    rejects({ ...valid, time: 1.5 }, /time/);
    rejects({ ...valid, time: -1 }, /time/);
    rejects({ ...valid, time: '1750000000000' }, /time/);
    rejects({ ...valid, time: Number.NaN }, /time/);
    rejects({ ...valid, keyId: '' }, /keyId/);
    rejects({ ...valid, keyId: 'k'.repeat(65) }, /keyId/);
    rejects({ ...valid, keyId: undefined }, /keyId/);
  });

  it('counts canary length in code points', () => {
    expect(validateCanaryRecord({ ...valid, canary: '🦜'.repeat(200) }).canary).toHaveLength(400);
    rejects({ ...valid, canary: '🦜'.repeat(201) }, /got 201/);
  });

  it('never echoes the prompt or a long canary in its messages', () => {
    const secret = 'SECRET-PROMPT-TEXT-41b7';
    const error = rejects({ ...valid, prompt: secret, canary: `${secret}${'x'.repeat(300)}` }, /canary/);
    expect(error.message).not.toContain(secret);
    expect(rejects({ ...valid, prompt: secret, accountId: secret.repeat(10) }, /accountId/).message).not.toContain(secret);
  });

  it('prefixes messages with where the record came from', () => {
    expect(() => validateCanaryRecord({ ...valid, time: -5 }, 'canary record 3')).toThrow(/^canary record 3: time/);
  });

  it('throws only LineageInputError on arbitrary input', () => {
    const field = fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.constant(undefined));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ accountId: field, campaignId: field, prompt: field, promptHash: field, canary: field, time: field, keyId: field }),
        ),
        (input) => {
          try {
            validateCanaryRecord(input);
          } catch (error) {
            if (!(error instanceof LineageInputError)) throw error;
          }
        },
      ),
    );
  });
});

describe('exportLedgerJsonl', () => {
  const fakeLedger = (promptStorage: 'text' | 'hash', records: CanaryRecord[]): CanaryLedger => ({
    promptStorage,
    record: () => {},
    recordMany: () => {},
    countForAccountSince: () => 0,
    entries: () => records[Symbol.iterator](),
    size: () => records.length,
    close: () => {},
  });

  it('writes one object per line in a stable field order, omitting absent fields', () => {
    const { campaignId: _c, ...noCampaign } = valid;
    const lines: string[] = [];
    expect(exportLedgerJsonl(fakeLedger('text', [valid, noCampaign]), (line) => lines.push(line))).toBe(2);
    expect(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1)).toBe(true);
    expect(Object.keys(JSON.parse(lines[0] as string))).toEqual([
      'accountId',
      'campaignId',
      'keyId',
      'time',
      'canary',
      'promptHash',
      'prompt',
    ]);
    expect(Object.keys(JSON.parse(lines[1] as string))).toEqual(['accountId', 'keyId', 'time', 'canary', 'promptHash', 'prompt']);
    expect(JSON.parse(lines[0] as string)).toEqual(valid);
  });

  it('omits the prompt in hash-only mode', () => {
    const lines: string[] = [];
    exportLedgerJsonl(fakeLedger('hash', [valid]), (line) => lines.push(line));
    expect(lines.join('')).not.toContain(valid.prompt);
    expect(JSON.parse(lines[0] as string).promptHash).toBe(valid.promptHash);
  });
});
