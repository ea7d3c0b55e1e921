/**
 * The green list's per-step pass in WebAssembly SIMD: four logits per instruction through
 * the same PRF as `prfWord` (two rounds of lowbias32 over token + offset, keyed by the
 * context seed), +δ where the word is below the green threshold, and the finiteness check
 * on the way. The module (about 300 bytes) is assembled here from its instructions, so there
 * is no build step and nothing to download; where WebAssembly SIMD is missing the marker
 * keeps its JavaScript loop. δ is added as a 32-bit float (the JavaScript loop rounds it the
 * same way), and tests check both paths value for value (a -0 logit may come back as +0: red
 * lanes add +0, which changes nothing after softmax).
 *
 * The logits are copied into the module's memory and back (about 0.1 ms for o200k): a bad
 * logit stops the pass before anything is copied back, so the caller's array is untouched.
 */

// Instruction encodings (WebAssembly core spec 2.0, binary format).
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const F32_CONST = 0x43;
const I32_MUL = 0x6c;
const I32_ADD = 0x6a;
const I32_GE_U = 0x4f;
const I32_SHR_U = 0x76;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const BR = 0x0c;
const BR_IF = 0x0d;
const RETURN = 0x0f;
const END = 0x0b;
const VOID = 0x40;
const SIMD = 0xfd;
// SIMD opcodes (LEB128 after the 0xfd prefix).
const V128_LOAD = [0x00];
const V128_STORE = [0x0b];
const V128_CONST = [0x0c];
const I32X4_SPLAT = [0x11];
const F32X4_SPLAT = [0x13];
const I32X4_LT_U = [0x3a];
const F32X4_LT = [0x43];
const V128_NOT = [0x4d];
const V128_AND = [0x4e];
const V128_XOR = [0x51];
const V128_ANY_TRUE = [0x53];
const I32X4_SHR_U = [0xad, 0x01];
const I32X4_ADD = [0xae, 0x01];
const I32X4_MUL = [0xb5, 0x01];
const F32X4_ADD = [0xe4, 0x01];

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

const simd = (op: number[]) => [SIMD, ...op];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];

// Parameters: 0 n (logits, a multiple of 4), 1 lo, 2 hi, 3 offset, 4 threshold, 5 delta (f32).
// Locals: 6 byte address, 7 end, then v128: 8 token ids, 9 word, 10 logits, 11 lo, 12 hi,
// 13 threshold, 14 delta, 15 first multiplier, 16 second multiplier, 17 four, 18 +Infinity.
function body(): number[] {
  const get = (i: number) => [LOCAL_GET, i];
  const set = (i: number) => [LOCAL_SET, i];
  const splatI32 = (value: number[]) => [...value, ...simd(I32X4_SPLAT)];
  const round = [
    ...[...get(9), ...get(9), I32_CONST, 16, ...simd(I32X4_SHR_U), ...simd(V128_XOR), ...set(9)],
    ...[...get(9), ...get(15), ...simd(I32X4_MUL), ...set(9)],
    ...[...get(9), ...get(9), I32_CONST, 15, ...simd(I32X4_SHR_U), ...simd(V128_XOR), ...set(9)],
    ...[...get(9), ...get(16), ...simd(I32X4_MUL), ...set(9)],
    ...[...get(9), ...get(9), I32_CONST, 16, ...simd(I32X4_SHR_U), ...simd(V128_XOR), ...set(9)],
  ];
  const lanes = [0, 1, 2, 3].flatMap((i) => [i, 0, 0, 0]);
  const code = [
    ...[...get(0), I32_CONST, 4, I32_MUL, ...set(7)],
    ...[...splatI32(get(1)), ...set(11), ...splatI32(get(2)), ...set(12), ...splatI32(get(4)), ...set(13)],
    ...[...get(5), ...simd(F32X4_SPLAT), ...set(14)],
    ...[...splatI32([I32_CONST, ...sleb(0x7feb352d)]), ...set(15), ...splatI32([I32_CONST, ...sleb(0x846ca68b | 0)]), ...set(16)],
    ...[...splatI32([I32_CONST, 4]), ...set(17)],
    ...[F32_CONST, 0x00, 0x00, 0x80, 0x7f, ...simd(F32X4_SPLAT), ...set(18)],
    ...[...simd(V128_CONST), ...lanes, ...splatI32(get(3)), ...simd(I32X4_ADD), ...set(8)],
    BLOCK,
    VOID,
    LOOP,
    VOID,
    ...[...get(6), ...get(7), I32_GE_U, BR_IF, 1],
    ...[...get(6), ...simd(V128_LOAD), 4, 0, ...set(10)],
    // Any lane not below +Infinity (NaN or +Infinity): return its group's first index.
    ...[...get(10), ...get(18), ...simd(F32X4_LT), ...simd(V128_NOT), ...simd(V128_ANY_TRUE)],
    ...[IF, VOID, ...get(6), I32_CONST, 2, I32_SHR_U, RETURN, END],
    ...[...get(8), ...get(11), ...simd(V128_XOR), ...set(9)],
    ...round,
    ...[...get(9), ...get(12), ...simd(V128_XOR), ...set(9)],
    ...round,
    ...get(6),
    ...[...get(10), ...get(9), ...get(13), ...simd(I32X4_LT_U), ...get(14), ...simd(V128_AND), ...simd(F32X4_ADD)],
    ...[...simd(V128_STORE), 4, 0],
    ...[...get(8), ...get(17), ...simd(I32X4_ADD), ...set(8)],
    ...[...get(6), I32_CONST, 16, I32_ADD, ...set(6)],
    BR,
    0,
    END,
    END,
    ...[I32_CONST, ...sleb(-1)],
    END,
  ];
  const locals = vector([
    [2, 0x7f],
    [11, 0x7b],
  ]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

function moduleBytes(pages: number): Uint8Array {
  const type = [0x60, ...vector([[0x7f], [0x7f], [0x7f], [0x7f], [0x7f], [0x7d]]), ...vector([[0x7f]])];
  const exportEntry = (name: string, kind: number, index: number) => [...vector([...name].map((c) => [c.charCodeAt(0)])), kind, index];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([type])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0x00, ...uleb(pages)]])),
    ...section(7, vector([exportEntry('mark', 0x00, 0), exportEntry('memory', 0x02, 0)])),
    ...section(10, vector([body()])),
  ]);
}

type MarkFunction = (n: number, lo: number, hi: number, offset: number, threshold: number, delta: number) => number;

// The few WebAssembly calls used here (the project's TypeScript lib has no DOM types).
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
  ) => { readonly exports: { readonly mark: MarkFunction; readonly memory: { readonly buffer: ArrayBuffer } } };
}

const compiled = new Map<number, object>();

/** A compiled pass for one vocabulary size, or undefined where WebAssembly SIMD is unavailable. */
export class SimdGreenList {
  readonly #mark: MarkFunction;
  readonly #view: Float32Array;
  readonly #padded: number;

  private constructor(mark: MarkFunction, memory: { readonly buffer: ArrayBuffer }, padded: number) {
    this.#mark = mark;
    this.#padded = padded;
    this.#view = new Float32Array(memory.buffer, 0, padded);
  }

  static create(vocabSize: number): SimdGreenList | undefined {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) return undefined;
    const padded = Math.ceil(vocabSize / 4) * 4;
    const pages = Math.ceil((padded * 4) / 65536);
    try {
      // One compiled module per memory size; each marker gets its own instance and memory.
      let module = compiled.get(pages);
      if (module === undefined) {
        const bytes = moduleBytes(pages);
        if (!wasm.validate(bytes)) return undefined;
        module = new wasm.Module(bytes);
        compiled.set(pages, module);
      }
      const { mark, memory } = new wasm.Instance(module).exports;
      return new SimdGreenList(mark, memory, padded);
    } catch {
      return undefined;
    }
  }

  /**
   * Adds `delta` to the green logits in place. Returns the index of a NaN or +Infinity logit
   * (leaving `logits` untouched) or -1. `threshold` must be below 2^32.
   */
  mark(logits: Float32Array, lo: number, hi: number, offset: number, threshold: number, delta: number): number {
    const n = logits.length;
    const view = this.#view;
    view.set(logits);
    if (n < this.#padded) view.fill(0, n);
    const bad = this.#mark(this.#padded, lo | 0, hi | 0, offset | 0, threshold | 0, delta);
    if (bad >= 0) {
      for (let t = bad; t < bad + 4 && t < n; t++) if (!((logits[t] as number) < Number.POSITIVE_INFINITY)) return t;
      return bad; // not reachable (padding is zero), but never copy a half-marked buffer back
    }
    logits.set(view.subarray(0, n));
    return -1;
  }
}
