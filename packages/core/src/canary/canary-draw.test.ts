import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LineageInputError } from '../errors.js';
import { keyFromSecret } from '../key-file.js';
import { ksUniform } from '../ks-test.js';
import { CanaryDrawer, normalizePrompt } from './canary-draw.js';
import { CANARY_SPACE_SIZE } from './canary-space.js';

const key = keyFromSecret(new Uint8Array(32).fill(7), { now: new Date('2026-01-01T00:00:00Z') });

describe('canary draws', () => {
  const drawer = new CanaryDrawer(key);

  it('matches the published vector', () => {
    const draw = drawer.draw('acct-000001', 'Write a short paragraph about schools.');
    expect({ index: draw.canary.index, text: draw.canary.text, variant: draw.variant, rate: draw.rateUniform }).toMatchSnapshot();
    expect(draw.promptHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic per (account, normalized prompt) and differs across accounts', () => {
    const a = drawer.draw('acct-1', 'Explain  how\n\ttaxes work. ');
    expect(drawer.draw('acct-1', 'Explain how taxes work.')).toEqual(a);
    expect(new CanaryDrawer(key).draw('acct-1', 'Explain how taxes work.')).toEqual(a);
    const b = drawer.draw('acct-2', 'Explain how taxes work.');
    expect(b.canary.index).not.toBe(a.canary.index);
    expect(b.promptHash).toBe(a.promptHash);
    expect(drawer.promptHash('Explain how taxes work.')).toBe(a.promptHash);
    expect(drawer.draw('acct-1', 'Explain how taxes work!').promptHash).not.toBe(a.promptHash);
  });

  it('depends on the key and the epoch', () => {
    const other = keyFromSecret(new Uint8Array(32).fill(8));
    expect(new CanaryDrawer(other).draw('acct-1', 'x').canary.index).not.toBe(drawer.draw('acct-1', 'x').canary.index);
    const rotated = key.withInfo({ epochs: [...key.epochs, { epoch: 1, createdAt: key.createdAt }], activeEpoch: 1 });
    expect(new CanaryDrawer(rotated).draw('acct-1', 'x').canary.index).not.toBe(drawer.draw('acct-1', 'x').canary.index);
    expect(new CanaryDrawer(rotated, { epoch: 0 }).draw('acct-1', 'x')).toEqual(drawer.draw('acct-1', 'x'));
  });

  it('draws uniform rates and uniform canaries (KS and chi-square with fixed inputs)', () => {
    const n = 4000;
    const rates: number[] = [];
    const indices: number[] = [];
    const industry = new Array<number>(64).fill(0);
    for (let i = 0; i < n; i++) {
      const draw = drawer.draw(`acct-${i}`, `prompt ${i % 17}`);
      rates.push(draw.rateUniform);
      indices.push(draw.canary.index / CANARY_SPACE_SIZE);
      industry[draw.canary.index % 64] = (industry[draw.canary.index % 64] as number) + 1;
    }
    expect(ksUniform(rates).pValue).toBeGreaterThan(0.001);
    expect(ksUniform(indices).pValue).toBeGreaterThan(0.001);
    const expected = n / 64;
    const chi2 = industry.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 63 degrees of freedom: P(chi2 > 110) is about 2e-4.
    expect(chi2).toBeLessThan(110);
  });

  it('recomputes a draw from the account and the prompt hash alone (auditing a hash-only ledger)', () => {
    const draw = drawer.draw('acct-3', 'Write about rivers.');
    expect(drawer.drawForHash('acct-3', draw.promptHash)).toEqual(draw);
    expect(() => drawer.drawForHash('acct-3', 'ABC')).toThrow(/64 lowercase hex/);
  });

  it('rejects bad accounts and prompts and never shows its keys', () => {
    expect(() => drawer.draw('bad id', 'x')).toThrow(LineageInputError);
    expect(() => drawer.draw('acct', 5 as unknown as string)).toThrow(LineageInputError);
    expect(normalizePrompt('  a\u00a0\u00a0b\r\n')).toBe('a b');
    expect(normalizePrompt('\uff21')).toBe('A');
    const shown = `${inspect(drawer)} ${JSON.stringify(drawer)}`;
    expect(shown).toContain(key.keyId);
    expect(shown).not.toMatch(/[0-9a-f]{32}/);
  });
});
