import { keyFromSecret } from '@lineage/core';
import { CANARY_SPACE_SIZE, CanaryDrawer } from '@lineage/core/canary';
import { brownDocumentTexts } from '@lineage/testbed';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanaryScanner, type LedgeredCanary } from './canary-scanner.js';

const key = keyFromSecret(new Uint8Array(32).fill(3));
const drawer = new CanaryDrawer(key);

function ledger(count: number, prefix = 'acct'): LedgeredCanary[] {
  return Array.from({ length: count }, (_, i) => {
    const draw = drawer.draw(`${prefix}-${i % 50}`, `prompt number ${i}`);
    return {
      canary: draw.canary.text,
      accountId: `${prefix}-${i % 50}`,
      ...(i % 50 < 10 ? { campaignId: 'hydra' } : {}),
      promptHash: draw.promptHash,
      keyId: key.keyId,
    };
  });
}

describe('canary scanner', () => {
  const entries = ledger(2000);
  const scanner = new CanaryScanner(entries);
  const [first, second] = entries as [LedgeredCanary, LedgeredCanary];

  it('finds a canary and names its account and campaign, with an exact binomial p-value', () => {
    const result = scanner.scan(`Some text. As ${first.canary} likes to say, check each step.`);
    expect(result.hits).toEqual([{ canary: first.canary, account: first.accountId, campaign: 'hydra', occurrences: 1 }]);
    expect(result.shapedWindows).toBe(1);
    expect(result.draws).toBe(2000);
    const q = 1 / CANARY_SPACE_SIZE;
    expect(result.pValue).toBeCloseTo(-Math.expm1(2000 * Math.log1p(-q)), 20);
    expect(result.pValue / (2000 * q)).toBeCloseTo(1, 6);
    expect(result.expected).toBeCloseTo(2000 * q, 20);
  });

  it('finds canaries after case, whitespace, punctuation, connector, hyphenation and NFKC changes', () => {
    const [given, surname, , stem, industry] = first.canary.split(' ') as [string, string, string, string, string];
    const forms = [
      first.canary.toUpperCase(),
      first.canary.toLowerCase(),
      `${given}\n  ${surname}\t of\r\n${stem}   ${industry}`,
      `${given} ${surname}, of ${stem} ${industry}.`,
      `${given} ${surname} from ${stem} ${industry}`,
      `${given} ${surname} (${stem} ${industry})`,
      `${given} ${surname.slice(0, 3)}-\n${surname.slice(3)} of ${stem} ${industry}`,
      `${given} ${surname.slice(0, 2)}\u00ad${surname.slice(2)} of ${stem}-${industry}`,
      `**${given} ${surname}** of _${stem} ${industry}_`,
      [...first.canary].map((ch) => (ch === ' ' ? ' ' : String.fromCharCode(ch.charCodeAt(0) + 0xfee0))).join(''),
    ];
    for (const form of forms) {
      const result = scanner.scan(`Before. ${form} after.`);
      expect(
        result.hits.map((h) => h.account),
        form,
      ).toEqual([first.accountId]);
    }
  });

  it('does not match a canary broken by other words or glued to another word', () => {
    const [given, surname, , stem, industry] = first.canary.split(' ') as [string, string, string, string, string];
    for (const form of [
      `${given} ${surname} of the ${stem} ${industry}`,
      `${given}${surname} of ${stem} ${industry}`,
      `${given} ${surname} of ${stem} ${industry}s`,
      `${given} ${surname}2 of ${stem} ${industry}`,
      `${given} ${surname}\u00e9 of ${stem} ${industry}`,
    ]) {
      expect(scanner.scan(form).hits, form).toEqual([]);
    }
  });

  it('counts every draw found, each once, and canary-shaped windows that are in no ledger', () => {
    const stranger = new CanaryDrawer(keyFromSecret(new Uint8Array(32).fill(9))).draw('x', 'y').canary.text;
    const result = scanner.scan(`${first.canary}. ${second.canary}; ${first.canary} and ${stranger}.`);
    expect(result.hits.map((h) => [h.account, h.occurrences])).toEqual([
      [first.accountId, 2],
      [second.accountId, 1],
    ]);
    expect(result.shapedWindows).toBe(3);
    expect(scanner.scan(stranger).hits).toEqual([]);
    expect(scanner.scan(stranger).pValue).toBe(1);
  });

  it('leaves out draws whose invented words occur in excluded texts', () => {
    const [, surname] = second.canary.split(' ') as [string, string];
    const session = scanner.session({ exclude: [`quoting ${first.canary}`, `and the name ${surname.toUpperCase()} alone`] });
    session.push(`${first.canary} and ${second.canary} and ${(entries[2] as LedgeredCanary).canary}`);
    const result = session.end();
    expect(result.excludedDraws).toBe(2);
    expect(result.draws).toBe(1998);
    expect(result.hits.map((h) => h.account)).toEqual([(entries[2] as LedgeredCanary).accountId]);
    expect(result.shapedWindows).toBe(3);
  });

  it('counts one draw per (key, account, prompt) and skips canaries outside the space', () => {
    const twice = new CanaryScanner([
      ...entries.slice(0, 10),
      ...entries.slice(0, 10),
      { ...first, promptHash: 'other', canary: 'Not A Canary' },
    ]);
    expect(twice.draws).toBe(10);
    expect(twice.unknown).toBe(1);
    expect(twice.indexOf(first.canary)).toBeGreaterThanOrEqual(0);
    expect(twice.indexOf(`${first.canary} ${first.canary}`)).toBe(-1);
  });

  it('gives the same result for every chunking (fast-check)', () => {
    const pieces = fc.constantFrom(
      first.canary,
      second.canary.toUpperCase(),
      'Kos-\n',
      '-',
      '\n',
      ' of ',
      '\u00ad',
      '\u0301',
      'é',
      '\ud835\udc00',
      'ＡＢ',
      ', ',
      'word',
      '😀',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(pieces, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (parts, cuts) => {
          const text = parts.join('');
          const whole = scanner.scan(text);
          const session = scanner.session();
          let at = 0;
          for (const cut of [...cuts].map((c) => c % (text.length + 1)).sort((a, b) => a - b)) {
            session.push(text.slice(at, cut));
            at = cut;
          }
          session.push(text.slice(at));
          expect(session.end()).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds no canary and no canary-shaped window in the Brown corpus', () => {
    const big = new CanaryScanner(ledger(20_000, 'user'));
    const session = big.session();
    for (const document of brownDocumentTexts('train')) {
      session.push(document);
      session.separate();
    }
    const result = session.end();
    expect(result.words).toBeGreaterThan(500_000);
    expect(result.hits).toEqual([]);
    expect(result.shapedWindows).toBe(0);
    expect(result.pValue).toBe(1);
  });
});
