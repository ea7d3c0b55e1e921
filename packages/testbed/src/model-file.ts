/**
 * Model files: a compact binary form of `NgramModel` so a model is trained once and served
 * or probed many times.
 *
 * Layout (little-endian): the 8-byte magic "LNGRAM01", a u32 header length, a JSON header
 * (info, order, level sizes), zero padding to a multiple of 8, then per level its tokens
 * (i32), counts (u32) and child index (u32), and finally a SHA-256 of everything before it.
 * Loading checks the magic, the exact length, the checksum and then every structural
 * invariant of the trie, so a truncated, corrupted or hand-edited file is refused with an
 * error naming the file instead of giving wrong probabilities.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { endianness } from 'node:os';
import { dirname } from 'node:path';
import { isEncodingName, isRecord, LineageError } from '@lineage/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { NgramModel, type NgramModelInfo } from './ngram-model.js';
import { MAX_ORDER, MIN_ORDER } from './ngram-training.js';
import { NgramTrie, type TrieLevel } from './ngram-trie.js';

const MAGIC = 'LNGRAM01';
const MAX_HEADER_BYTES = 64 * 1024;
const CHECKSUM_BYTES = 32;
const WRITE_CHUNK = 1 << 30;

export class ModelFileError extends LineageError {
  override readonly name: string = 'ModelFileError';
  /** The model file concerned. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`model file ${path}: ${message}`);
    this.path = path;
  }
}

interface Header {
  readonly format: 'lineage-ngram';
  readonly info: NgramModelInfo;
  readonly order: number;
  readonly sizes: readonly number[];
}

export function serializeModel(model: NgramModel): Uint8Array {
  const levels = model.trie.levels;
  const header: Header = { format: 'lineage-ngram', info: model.info, order: model.order, sizes: levels.map((l) => l.tokens.length) };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const prefix = 12 + headerBytes.length;
  const bodyStart = align8(prefix);
  let length = bodyStart;
  for (const level of levels) length += 4 * (level.tokens.length + level.counts.length + level.childStart.length);
  const bytes = new Uint8Array(length + CHECKSUM_BYTES);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, headerBytes.length, true);
  bytes.set(headerBytes, 12);
  let at = bodyStart;
  for (const level of levels) {
    for (const array of [level.tokens, level.counts, level.childStart]) {
      bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
      at += array.byteLength;
    }
  }
  bytes.set(sha256(bytes.subarray(0, length)), length);
  return bytes;
}

export function parseModel(bytes: Uint8Array, path = '<bytes>'): NgramModel {
  if (endianness() !== 'LE') throw new ModelFileError(path, 'model files are little-endian; this machine is not');
  const fail = (message: string): never => {
    throw new ModelFileError(path, `${message}; it is not a Lineage model file or it is damaged (train it again)`);
  };
  if (bytes.length < 12 + CHECKSUM_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('bad magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (headerLength > MAX_HEADER_BYTES || 12 + headerLength > bytes.length) fail('bad header length');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    fail('unreadable header');
  }
  const header = checkHeader(raw, fail);
  let length = align8(12 + headerLength);
  for (let d = 0; d <= header.order; d++) {
    const size = header.sizes[d] as number;
    length += 4 * (2 * size + (d === header.order ? 0 : size + 1));
  }
  if (bytes.length !== length + CHECKSUM_BYTES)
    fail(`length ${bytes.length} does not match its header (expected ${length + CHECKSUM_BYTES})`);
  const expected = sha256(bytes.subarray(0, length));
  const stored = bytes.subarray(length);
  if (!expected.every((b, i) => b === stored[i])) fail('checksum mismatch');

  // Copy into fresh, aligned buffers: the file's bytes may sit at any offset.
  let at = align8(12 + headerLength);
  const take = <T extends Int32Array | Uint32Array>(count: number, make: (buffer: ArrayBuffer) => T): T => {
    const copy = new Uint8Array(4 * count); // not bytes.slice: on a Buffer that is a view into a shared pool
    copy.set(bytes.subarray(at, at + 4 * count));
    at += 4 * count;
    return make(copy.buffer);
  };
  const levels: TrieLevel[] = [];
  for (let d = 0; d <= header.order; d++) {
    const size = header.sizes[d] as number;
    const tokens = take(size, (b) => new Int32Array(b));
    const counts = take(size, (b) => new Uint32Array(b));
    const childStart = take(d === header.order ? 0 : size + 1, (b) => new Uint32Array(b));
    levels.push({ tokens, counts, childStart });
  }
  try {
    return new NgramModel(new NgramTrie(levels), header.info);
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** Writes atomically (temporary file, then rename), creating parent folders. */
export function saveModelFile(path: string, model: NgramModel): void {
  const bytes = serializeModel(model);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(temporary, 'w', 0o644);
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, Math.min(bytes.length - at, WRITE_CHUNK));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new ModelFileError(path, `cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Throws a ModelFileError now if `path` could not be written later (before a long training run). */
export function checkModelPathWritable(path: string): void {
  let problem: string | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    accessSync(dirname(path), constants.W_OK);
    if (existsSync(path) && !statSync(path).isFile()) problem = 'not a regular file';
  } catch (error) {
    problem = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
  if (problem !== undefined) throw new ModelFileError(path, `cannot write (${problem})`);
}

export function loadModelFile(path: string): NgramModel {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) throw new ModelFileError(path, 'not a regular file');
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelFileError(path, code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (error as Error).message})`);
  }
  return parseModel(bytes, path);
}

function checkHeader(raw: unknown, fail: (message: string) => never): Header {
  if (!isRecord(raw) || raw.format !== 'lineage-ngram') return fail('header is not a lineage-ngram header');
  const { order, sizes, info } = raw;
  if (typeof order !== 'number' || !Number.isInteger(order) || order < MIN_ORDER || order > MAX_ORDER) return fail('bad order');
  if (!Array.isArray(sizes) || sizes.length !== order + 1 || sizes[0] !== 1) return fail('bad level sizes');
  for (const size of sizes) if (!Number.isSafeInteger(size) || size < 0 || size > 2 ** 31) return fail('bad level sizes');
  if (!isRecord(info) || !isEncodingName(info.encoding)) return fail('bad model info');
  const { trainingTokens, documents, source, createdAt } = info;
  if (!isCount(trainingTokens) || !isCount(documents) || typeof source !== 'string' || typeof createdAt !== 'string') {
    return fail('bad model info');
  }
  return {
    format: 'lineage-ngram',
    order,
    sizes: sizes as number[],
    info: { encoding: info.encoding, trainingTokens: trainingTokens as number, documents: documents as number, source, createdAt },
  };
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
