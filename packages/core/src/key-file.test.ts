import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { commitmentOf, keyIdOf } from './commitment.js';
import { KeyFileError } from './errors.js';
import { deriveKeyMaterial } from './key-derivation.js';
import {
  addCampaignToKeyFile,
  createKeyFile,
  keyFromSecret,
  loadKeyFile,
  parseKeyFile,
  rotateKeyFile,
  serializeKeyFile,
} from './key-file.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(dir, `key-${counter++}.json`);

function expectRefusal(text: string, secretHex: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    parseKeyFile(text, 'k.json');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KeyFileError);
  const error = caught as KeyFileError;
  expect(error.message).toMatch(pattern);
  expect(`${error.message}${error.stack}${inspect(error)}`).not.toContain(secretHex);
  expect(`${error.message}${error.stack}`).not.toContain(secretHex.slice(0, 12));
}

describe('key files', () => {
  it('creates a 0600 file that loads back identically', () => {
    const path = freshPath();
    const key = createKeyFile({ path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const loaded = loadKeyFile(path);
    expect(loaded.info()).toEqual(key.info());
    expect(loaded.keyId).toMatch(/^lk-[0-9a-f]{16}$/);
    expect(loaded.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.opens(key.commitment)).toBe(true);
    expect(loaded.opens('0'.repeat(64))).toBe(false);
    expect(Buffer.from(loaded.deriveKeyMaterial('provider')).equals(Buffer.from(key.deriveKeyMaterial('provider')))).toBe(true);
  });

  it('never shows the secret in JSON, inspect or info', () => {
    const path = freshPath();
    const key = createKeyFile({ path });
    const secret = JSON.parse(readFileSync(path, 'utf8')).secret as string;
    expect(JSON.stringify(key)).not.toContain(secret);
    expect(inspect(key, { showHidden: true, depth: 10 })).not.toContain(secret);
    expect(JSON.stringify(key.info())).not.toContain(secret);
    expect(`${key}`).not.toContain(secret);
  });

  it('refuses to overwrite without force, and replaces with force', () => {
    const path = freshPath();
    const first = createKeyFile({ path });
    expect(() => createKeyFile({ path })).toThrow(/already exists.*--force/);
    expect(loadKeyFile(path).keyId).toBe(first.keyId);
    const second = createKeyFile({ path, force: true });
    expect(loadKeyFile(path).keyId).toBe(second.keyId);
    expect(second.keyId).not.toBe(first.keyId);
  });

  it('refuses group- or world-readable files with the fix in the message', () => {
    const path = freshPath();
    createKeyFile({ path });
    chmodSync(path, 0o644);
    expect(() => loadKeyFile(path)).toThrow(/mode 644.*chmod 600/);
    chmodSync(path, 0o600);
    expect(() => loadKeyFile(path)).not.toThrow();
  });

  it('creates missing parent folders (mode 0700)', () => {
    const path = join(dir, 'nested', 'deeper', 'k.json');
    createKeyFile({ path });
    expect(statSync(join(dir, 'nested', 'deeper')).mode & 0o777).toBe(0o700);
    expect(loadKeyFile(path).keyId).toMatch(/^lk-/);
  });

  it('explains a missing file', () => {
    expect(() => loadKeyFile(join(dir, 'nope.json'))).toThrow(/does not exist.*lineage keygen/);
  });

  it('round-trips any valid key through serialize and parse (property)', () => {
    const schemes = fc.record({
      greenList: fc.record({
        contextWidth: fc.integer({ min: 1, max: 8 }),
        gamma: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        delta: fc.double({ min: 0.1, max: 10, noNaN: true }),
        selfSeeded: fc.boolean(),
      }),
      tournament: fc.record({ contextWidth: fc.integer({ min: 1, max: 8 }), layers: fc.integer({ min: 1, max: 32 }) }),
    });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        schemes,
        fc.integer({ min: 0, max: 3 }),
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9._:@-]{1,20}$/), { maxLength: 3 }),
        (secret, params, rotations, campaignIds) => {
          const at = new Date('2026-02-03T04:05:06.789Z');
          let key = keyFromSecret(secret, { schemes: params, now: at, tokenizer: 'cl100k_base' });
          for (let r = 1; r <= rotations; r++) {
            key = key.withInfo({ activeEpoch: r, epochs: [...key.epochs, { epoch: r, createdAt: at.toISOString() }] });
          }
          key = key.withInfo({ campaigns: campaignIds.map((id) => ({ id, createdAt: at.toISOString() })) });
          const back = parseKeyFile(serializeKeyFile(key), 'k.json');
          expect(back.info()).toEqual(key.info());
          expect(Buffer.from(back.deriveKeyMaterial('provider')).equals(Buffer.from(key.deriveKeyMaterial('provider')))).toBe(true);
        },
      ),
      { numRuns: 100, seed: 6 },
    );
  });

  it('refuses an unknown tokenizer for a new key', () => {
    // @ts-expect-error: runtime guard for JavaScript callers
    expect(() => keyFromSecret(new Uint8Array(32), { tokenizer: 'gpt2' })).toThrow(/unknown tokenizer/);
  });

  it('refuses every truncation without leaking the secret (property)', () => {
    const key = keyFromSecret(new Uint8Array(32).fill(0xab), { now: new Date('2026-01-01T00:00:00Z') });
    const text = serializeKeyFile(key);
    const secretHex = 'ab'.repeat(32);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 3 }), (cut) => {
        expectRefusal(text.slice(0, cut), secretHex, /./);
      }),
      { numRuns: 200, seed: 2 },
    );
  });

  it('refuses every single-character corruption that changes meaning (property)', () => {
    const key = keyFromSecret(new Uint8Array(32).fill(0x5c), { now: new Date('2026-01-01T00:00:00Z') });
    const text = serializeKeyFile(key);
    const secretHex = '5c'.repeat(32);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), fc.constantFrom('0', '7', 'f', 'x', '"', '{', ' '), (at, ch) => {
        const corrupted = text.slice(0, at) + ch + text.slice(at + 1);
        if (corrupted === text) return;
        let parsed: ReturnType<typeof parseKeyFile> | undefined;
        try {
          parsed = parseKeyFile(corrupted, 'k.json');
        } catch (error) {
          expect(error).toBeInstanceOf(KeyFileError);
          expect(`${(error as Error).message}${(error as Error).stack}`).not.toContain(secretHex.slice(0, 12));
          return;
        }
        // Accepted only if the change was insignificant whitespace: same key, same parameters.
        expect(parsed.info()).toEqual(key.info());
      }),
      { numRuns: 400, seed: 4 },
    );
  });

  it('names the problem for wrong version, format, edited commitment and bad parameters', () => {
    const key = keyFromSecret(new Uint8Array(32).fill(7));
    const doc = JSON.parse(serializeKeyFile(key));
    const secretHex = doc.secret as string;
    const variant = (change: (d: Record<string, unknown>) => void) => {
      const d = structuredClone(doc);
      change(d);
      return JSON.stringify(d);
    };
    expectRefusal(
      variant((d) => (d.version = 2)),
      secretHex,
      /version 2.*reads version 1/,
    );
    expectRefusal(
      variant((d) => (d.format = 'x')),
      secretHex,
      /not a Lineage key file/,
    );
    expectRefusal(
      variant((d) => (d.secret = `${'0'.repeat(63)}1`)),
      secretHex,
      /commitment that does not match/,
    );
    expectRefusal(
      variant((d) => (d.keyId = 'lk-0000000000000000')),
      secretHex,
      /keyId that does not match/,
    );
    expectRefusal(
      variant((d) => ((d.schemes as { greenList: { gamma: number } }).greenList.gamma = 1.5)),
      secretHex,
      /gamma must be/,
    );
    expectRefusal(
      variant((d) => ((d.schemes as { identity: { digitBits: number } }).identity.digitBits = 2)),
      secretHex,
      /identity must give a code of 32 to 64 bits/,
    );
    expectRefusal(
      variant((d) => (d.extra = 1)),
      secretHex,
      /unknown field/,
    );
    expectRefusal(
      variant((d) => (d.activeEpoch = 9)),
      secretHex,
      /activeEpoch/,
    );
    expectRefusal(
      variant((d) => (d.secret = 'zz')),
      secretHex,
      /malformed secret/,
    );
    expectRefusal('[1,2]', secretHex, /JSON object/);
  });

  it('rotates: new active epoch with new channel keys, old epochs kept', () => {
    const path = freshPath();
    const key = createKeyFile({ path });
    const rotated = rotateKeyFile(path);
    expect(rotated.keyId).toBe(key.keyId);
    expect(rotated.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(rotated.activeEpoch).toBe(1);
    const old = Buffer.from(rotated.deriveKeyMaterial('provider', { epoch: 0 }));
    expect(old.equals(Buffer.from(key.deriveKeyMaterial('provider')))).toBe(true);
    expect(Buffer.from(rotated.deriveKeyMaterial('provider')).equals(old)).toBe(false);
    expect(loadKeyFile(path).activeEpoch).toBe(1);
    expect(() => rotated.deriveKeyMaterial('provider', { epoch: 5 })).toThrow(/no epoch 5/);
  });

  it('registers campaigns once', () => {
    const path = freshPath();
    createKeyFile({ path });
    addCampaignToKeyFile(path, 'hydra-1');
    const updated = addCampaignToKeyFile(path, 'hydra-1');
    expect(updated.campaigns.map((c) => c.id)).toEqual(['hydra-1']);
    expect(() => addCampaignToKeyFile(path, 'bad id with spaces')).toThrow(/campaign id/);
  });
});

describe('derivation and commitment', () => {
  const secret = Uint8Array.from({ length: 32 }, (_, i) => i);

  it('separates purposes, epochs and ids', () => {
    const material = (purpose: string, epoch: number, id?: string) =>
      Buffer.from(deriveKeyMaterial(secret, { purpose, epoch, ...(id === undefined ? {} : { id }) })).toString('hex');
    const all = [
      material('provider', 0),
      material('provider', 1),
      material('campaign', 0, 'a'),
      material('campaign', 0, 'b'),
      material('account-code', 0, 'a'),
      material('campaign', 0, ''),
      material('campaign', 0),
    ];
    // '' and no id encode identically on purpose (both mean "no id"); every other pair differs.
    expect(new Set(all).size).toBe(all.length - 1);
  });

  it('has stable published vectors', () => {
    expect(commitmentOf(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyIdOf(commitmentOf(secret))).toBe(`lk-${commitmentOf(secret).slice(0, 16)}`);
    expect(Buffer.from(deriveKeyMaterial(secret, { purpose: 'provider', epoch: 0 })).toString('hex')).toMatchSnapshot();
    expect(commitmentOf(secret)).toMatchSnapshot();
  });
});
