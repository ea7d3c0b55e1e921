/**
 * SipHash-2-4 (Aumasson & Bernstein, 2012), a keyed 64-bit PRF for short inputs, written
 * over 32-bit halves so it runs without BigInt or allocation. `sipHash24Words` hashes a run
 * of 32-bit words (token ids) and equals `sipHash24` over their little-endian bytes.
 * Verified against the reference vectors in test-vectors/siphash24.json.
 */
import { LineageInputError } from './errors.js';

/** A SipHash key: 128 bits as four little-endian 32-bit words. */
export type SipKey = Readonly<Uint32Array>;

/** Reads a 16-byte SipHash key. */
export function sipKeyFromBytes(bytes: Uint8Array): SipKey {
  if (bytes.length !== 16) throw new LineageInputError('a SipHash key is exactly 16 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return Uint32Array.of(view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true), view.getUint32(12, true));
}

// v0..v3 as (low, high) pairs; module state keeps the hot path free of allocation.
const state = new Uint32Array(8);

function _init(key: SipKey): void {
  const k0 = key[0] as number;
  const k1 = key[1] as number;
  const k2 = key[2] as number;
  const k3 = key[3] as number;
  state[0] = k0 ^ 0x70736575;
  state[1] = k1 ^ 0x736f6d65;
  state[2] = k2 ^ 0x6e646f6d;
  state[3] = k3 ^ 0x646f7261;
  state[4] = k0 ^ 0x6e657261;
  state[5] = k1 ^ 0x6c796765;
  state[6] = k2 ^ 0x79746573;
  state[7] = k3 ^ 0x74656462;
}

function _rounds(count: number): void {
  let v0l = state[0] as number;
  let v0h = state[1] as number;
  let v1l = state[2] as number;
  let v1h = state[3] as number;
  let v2l = state[4] as number;
  let v2h = state[5] as number;
  let v3l = state[6] as number;
  let v3h = state[7] as number;
  for (let r = 0; r < count; r++) {
    let l = (v0l + v1l) >>> 0;
    v0h = (v0h + v1h + _carry(v0l, v1l, l)) >>> 0;
    v0l = l;
    let a = (v1l << 13) | (v1h >>> 19);
    let b = (v1h << 13) | (v1l >>> 19);
    v1l = (a ^ v0l) >>> 0;
    v1h = (b ^ v0h) >>> 0;
    a = v0l;
    v0l = v0h;
    v0h = a;
    l = (v2l + v3l) >>> 0;
    v2h = (v2h + v3h + _carry(v2l, v3l, l)) >>> 0;
    v2l = l;
    a = (v3l << 16) | (v3h >>> 16);
    b = (v3h << 16) | (v3l >>> 16);
    v3l = (a ^ v2l) >>> 0;
    v3h = (b ^ v2h) >>> 0;
    l = (v0l + v3l) >>> 0;
    v0h = (v0h + v3h + _carry(v0l, v3l, l)) >>> 0;
    v0l = l;
    a = (v3l << 21) | (v3h >>> 11);
    b = (v3h << 21) | (v3l >>> 11);
    v3l = (a ^ v0l) >>> 0;
    v3h = (b ^ v0h) >>> 0;
    l = (v2l + v1l) >>> 0;
    v2h = (v2h + v1h + _carry(v2l, v1l, l)) >>> 0;
    v2l = l;
    a = (v1l << 17) | (v1h >>> 15);
    b = (v1h << 17) | (v1l >>> 15);
    v1l = (a ^ v2l) >>> 0;
    v1h = (b ^ v2h) >>> 0;
    a = v2l;
    v2l = v2h;
    v2h = a;
  }
  state[0] = v0l;
  state[1] = v0h;
  state[2] = v1l;
  state[3] = v1h;
  state[4] = v2l;
  state[5] = v2h;
  state[6] = v3l;
  state[7] = v3h;
}

// Carry out of a 32-bit addition a + b = sum, without a data-dependent branch.
function _carry(a: number, b: number, sum: number): number {
  return ((a & b) | ((a | b) & ~sum)) >>> 31;
}

function _absorb(low: number, high: number): void {
  state[6] = (state[6] as number) ^ low;
  state[7] = (state[7] as number) ^ high;
  _rounds(2);
  state[0] = (state[0] as number) ^ low;
  state[1] = (state[1] as number) ^ high;
}

function _finish(out: Uint32Array): void {
  state[4] = (state[4] as number) ^ 0xff;
  _rounds(4);
  out[0] = (state[0] as number) ^ (state[2] as number) ^ (state[4] as number) ^ (state[6] as number);
  out[1] = (state[1] as number) ^ (state[3] as number) ^ (state[5] as number) ^ (state[7] as number);
}

/**
 * SipHash-2-4 of `count` 32-bit words starting at `start`, hashed as their little-endian
 * bytes. Writes the 64-bit result to `out` as [low, high].
 */
export function sipHash24Words(key: SipKey, words: ArrayLike<number>, start: number, count: number, out: Uint32Array): void {
  _init(key);
  const end = start + count - (count & 1);
  for (let i = start; i < end; i += 2) _absorb((words[i] as number) >>> 0, (words[i + 1] as number) >>> 0);
  const lengthByte = ((count * 4) & 0xff) << 24;
  if (count & 1) _absorb((words[end] as number) >>> 0, lengthByte >>> 0);
  else _absorb(0, lengthByte >>> 0);
  _finish(out);
}

/** SipHash-2-4 of a byte string; returns the 8 output bytes (little-endian, as in the paper). */
export function sipHash24(key: SipKey, message: Uint8Array): Uint8Array {
  _init(key);
  const length = message.length;
  const fullEnd = length - (length % 8);
  const view = new DataView(message.buffer, message.byteOffset, length);
  for (let i = 0; i < fullEnd; i += 8) _absorb(view.getUint32(i, true), view.getUint32(i + 4, true));
  const tail = new Uint8Array(8);
  tail.set(message.subarray(fullEnd));
  tail[7] = length & 0xff;
  const tailView = new DataView(tail.buffer);
  _absorb(tailView.getUint32(0, true), tailView.getUint32(4, true));
  const out = new Uint32Array(2);
  _finish(out);
  const bytes = new Uint8Array(8);
  const outView = new DataView(bytes.buffer);
  outView.setUint32(0, out[0] as number, true);
  outView.setUint32(4, out[1] as number, true);
  return bytes;
}
