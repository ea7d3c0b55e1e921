import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addCampaignToKeyFile, createKeyFile, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { GreenListMarker } from './green-list-marker.js';
import { createTokenMarker } from './token-marker.js';

const keyFile = join(mkdtempSync(join(tmpdir(), 'lineage-marker-')), 'key.json');
createKeyFile({ path: keyFile });
const key = addCampaignToKeyFile(keyFile, 'c-1');
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];

describe('createTokenMarker', () => {
  it('marks the green list in place from a key file, like the marker it wraps', () => {
    const marker = createTokenMarker({ keyFile, scheme: 'kgw', accountId: 'acct-1' });
    const logits = new Float32Array(V);
    marker.processLogits(logits, [10, 20]);
    const reference = new Float32Array(V);
    new GreenListMarker({ key, accountId: 'acct-1' }).processLogits(reference, [10, 20]);
    expect(logits).toEqual(reference);
    expect(marker.sample(new Float32Array(V), [10, 20], new SeededRandom(1))).toBeLessThan(V);
  });

  it('lets a distortion-free scheme choose the token and leaves only that one possible', () => {
    for (const scheme of ['gumbel', 'tournament'] as const) {
      const marker = createTokenMarker({ key, scheme, accountId: 'acct-1', campaignId: 'c-1' });
      const logits = new Float32Array(V).fill(Number.NEGATIVE_INFINITY);
      for (let t = 0; t < 50; t++) logits[t * 7] = -t / 10;
      const chosen = marker.sample(Float32Array.from(logits), [1, 2, 3, 4], new SeededRandom(scheme));
      expect(chosen % 7).toBe(0);
      marker.processLogits(logits, [1, 2, 3, 4], new SeededRandom(scheme));
      expect(logits.filter((x) => x > Number.NEGATIVE_INFINITY)).toHaveLength(1);
      expect(() => marker.processLogits(new Float32Array(V), [1, 2, 3, 4])).toThrow(/random source/);
    }
  });

  it('refuses bad options and logits with typed errors', () => {
    expect(() => createTokenMarker({ key, scheme: 'kgw', accountId: 'bad id' })).toThrow(/cannot be encoded/);
    expect(() => createTokenMarker({ key, scheme: 'kgw', accountId: 'a', campaignId: 'c-2' })).toThrow(/not in key/);
    expect(() => createTokenMarker({ key, keyFile, scheme: 'kgw', accountId: 'a' })).toThrow(/exactly one/);
    expect(() => createTokenMarker({ key, scheme: 'nope' as 'kgw', accountId: 'a' })).toThrow(/unknown scheme/);
    const gumbel = createTokenMarker({ key, scheme: 'gumbel', accountId: 'a' });
    expect(() => gumbel.sample(new Float32Array(V).fill(Number.NEGATIVE_INFINITY), [1, 2, 3, 4], new SeededRandom(1))).toThrow(
      /every logit/,
    );
    expect(() => gumbel.sample(new Float32Array(3), [1, 2, 3, 4], new SeededRandom(1))).toThrow(/length/);
  });
});
