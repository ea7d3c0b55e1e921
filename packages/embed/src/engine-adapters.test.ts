import { keyFromSecret, ORDINARY_VOCAB_SIZE, SeededRandom } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { tokenBiasCallback, transformersLogitsProcessor } from './engine-adapters.js';
import { createTokenMarker } from './token-marker.js';

const key = keyFromSecret(new Uint8Array(32).fill(31));
const V = ORDINARY_VOCAB_SIZE[key.tokenizer];

/** A [rows, V] tensor laid out as transformers.js lays it out: row i is a view into one buffer. */
function batch(rows: number): { dims: number[]; data: Float32Array; [row: number]: { data: Float32Array } } {
  const data = new Float32Array(rows * V);
  const random = new SeededRandom('logits');
  for (let i = 0; i < data.length; i++) data[i] = random.next() * 4;
  const tensor: { dims: number[]; data: Float32Array; [row: number]: { data: Float32Array } } = { dims: [rows, V], data };
  for (let i = 0; i < rows; i++) tensor[i] = { data: data.subarray(i * V, (i + 1) * V) };
  return tensor;
}

describe('engine adapters', () => {
  it('the transformers.js processor marks every batch row in place, as processLogits does', () => {
    const marker = createTokenMarker({ key, scheme: 'kgw', accountId: 'acct-1' });
    const logits = batch(2);
    const reference = Float32Array.from(logits.data);
    const ids = [
      [5n, 6n, 7n],
      [8n, 9n, 10n, 11n],
    ];
    const processor = transformersLogitsProcessor(marker, { promptLengths: [1, 2] });
    expect(processor(ids, logits)).toBe(logits);
    marker.processLogits(reference.subarray(0, V), [5, 6, 7], undefined, 1);
    marker.processLogits(reference.subarray(V), [8, 9, 10, 11], undefined, 2);
    expect(logits.data).toEqual(reference);
    expect(() => processor([[1n]], logits)).toThrow(/shape/);
    const small = { dims: [1, 10], 0: { data: new Float32Array(10) } };
    expect(() => processor([[1n, 2n]], small)).toThrow(/10 entries/);
  });

  it('the transformers.js processor lets a distortion-free scheme pick one token per row', () => {
    const marker = createTokenMarker({ key, scheme: 'gumbel', accountId: 'acct-1' });
    const logits = batch(1);
    transformersLogitsProcessor(marker, { random: new SeededRandom(3) })([[1n, 2n, 3n, 4n]], logits);
    expect(logits.data.filter((x) => x > Number.NEGATIVE_INFINITY)).toHaveLength(1);
    expect(() => transformersLogitsProcessor(marker)).toThrow(/random source/);
  });

  it('the token-bias callback adds delta to exactly the green ids, and refuses distortion-free schemes', () => {
    const marker = createTokenMarker({ key, scheme: 'kgw', accountId: 'acct-1' });
    const biasFor = tokenBiasCallback(marker);
    const bias = biasFor([40, 41]);
    const logits = new Float32Array(V);
    marker.processLogits(logits, [40, 41]);
    expect(bias).toEqual(logits);
    const delta = key.schemes.greenList.delta;
    const green = (bias as Float32Array).filter((x) => x === delta).length;
    expect(green / V).toBeGreaterThan(0.24);
    expect(green / V).toBeLessThan(0.26);
    // A window repeated within the response is left unmarked.
    expect(biasFor([40, 41, 40, 41], 0)).toBeUndefined();
    expect(() => tokenBiasCallback(createTokenMarker({ key, scheme: 'tournament', accountId: 'a' }))).toThrow(/token bias/);
    // An engine that divides by T after adding the bias gets δ·T.
    expect(tokenBiasCallback(marker, { temperature: 0.5 })([40, 41])?.filter((x) => x === delta / 2).length).toBe(green);
  });
});
