/**
 * The common input handling of DESIGN.md: texts from files, `-` for stdin, or JSONL (a file
 * ending in .jsonl, or --jsonl) with one object per line and the text in `field`.
 * Streams line by line with a cap per text, so memory stays bounded on unbounded input.
 * A bad line, an unreadable file or invalid UTF-8 becomes a `problem` that names the source
 * (and line) and reading goes on with the rest.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface TextRecord {
  readonly kind: 'text';
  /** "file", or "file:line" for JSONL; stdin is "-". */
  readonly source: string;
  readonly text: string;
  /** The whole JSONL object the text came from (JSONL inputs only). */
  readonly record?: Readonly<Record<string, unknown>>;
}

export interface TextProblem {
  readonly kind: 'problem';
  readonly source: string;
  readonly message: string;
}

export interface TextInputOptions {
  /** Treat every input as JSONL (files ending in .jsonl always are). */
  readonly jsonl?: boolean;
  /** JSONL field holding the text (default "text"). */
  readonly field?: string;
  /** Largest accepted text or JSONL line in bytes (default 64 MiB). */
  readonly maxTextBytes?: number;
  readonly stdin: Readable;
}

export async function* readTextInputs(paths: readonly string[], options: TextInputOptions): AsyncGenerator<TextRecord | TextProblem> {
  const field = options.field ?? 'text';
  const maxBytes = options.maxTextBytes ?? 64 * 1024 * 1024;
  for (const path of paths) {
    const stream = path === '-' ? options.stdin : createReadStream(path);
    const asJsonl = options.jsonl === true || path.endsWith('.jsonl');
    try {
      if (asJsonl) yield* _jsonlRecords(path, stream, field, maxBytes);
      else yield await _wholeText(path, stream, maxBytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a directory'
            : code === 'EACCES'
              ? 'permission denied'
              : (error as Error).message;
      yield { kind: 'problem', source: path, message: `cannot read: ${why}` };
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function _decode(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

async function _wholeText(path: string, stream: Readable, maxBytes: number): Promise<TextRecord | TextProblem> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBytes)
      tooLarge = true; // keep draining stdin, stop storing
    else chunks.push(buffer);
  }
  if (tooLarge) return { kind: 'problem', source: path, message: `text is larger than ${maxBytes} bytes` };
  const text = _decode(Buffer.concat(chunks));
  if (text === undefined) return { kind: 'problem', source: path, message: 'is not valid UTF-8' };
  return { kind: 'text', source: path, text };
}

async function* _jsonlRecords(path: string, stream: Readable, field: string, maxBytes: number): AsyncGenerator<TextRecord | TextProblem> {
  for await (const { line, number, tooLong } of _lines(stream, maxBytes)) {
    const source = `${path}:${number}`;
    if (tooLong) {
      yield { kind: 'problem', source, message: `line is longer than ${maxBytes} bytes` };
      continue;
    }
    const decoded = _decode(line);
    if (decoded === undefined) {
      yield { kind: 'problem', source, message: 'line is not valid UTF-8' };
      continue;
    }
    if (decoded.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(decoded);
    } catch {
      yield { kind: 'problem', source, message: 'line is not valid JSON' };
      continue;
    }
    const text =
      typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[field] : undefined;
    if (typeof text !== 'string') {
      yield { kind: 'problem', source, message: `line has no string field "${field}"` };
      continue;
    }
    yield { kind: 'text', source, text, record: value as Record<string, unknown> };
  }
}

/** Splits a byte stream on \n (dropping a trailing \r), never holding more than maxBytes of one line. */
async function* _lines(stream: Readable, maxBytes: number): AsyncGenerator<{ line: Buffer; number: number; tooLong: boolean }> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let tooLong = false;
  let number = 0;
  const finish = (tail: Buffer) => {
    number++;
    let line = Buffer.concat([...pending, tail]);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    const result = { line: tooLong ? Buffer.alloc(0) : line, number, tooLong };
    pending = [];
    pendingSize = 0;
    tooLong = false;
    return result;
  };
  for await (const chunk of stream) {
    let buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    for (let newline = buffer.indexOf(0x0a); newline >= 0; newline = buffer.indexOf(0x0a)) {
      const head = buffer.subarray(0, newline);
      if (pendingSize + head.length > maxBytes) tooLong = true;
      yield finish(tooLong ? Buffer.alloc(0) : head);
      buffer = buffer.subarray(newline + 1);
    }
    if (pendingSize + buffer.length > maxBytes) {
      tooLong = true;
      pending = [];
      pendingSize = 0;
    } else if (!tooLong && buffer.length > 0) {
      pending.push(Buffer.from(buffer));
      pendingSize += buffer.length;
    }
  }
  if (pendingSize > 0 || tooLong) yield finish(Buffer.alloc(0));
}
