/**
 * Owner-only files written atomically: key files and the proxy's accounts file. The content goes
 * to a fresh temp file (mode 0600) beside the target, is fsynced, then renamed over the target
 * (or linked, which fails if the target exists, when it must not be replaced), and the folder is
 * fsynced, so a crash leaves the old file or the new one, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Why a write failed: the temp file could not be created, or the target could not be put in place. */
export type PrivateFileFailure = 'create' | 'place';

export interface WritePrivateFileOptions {
  /** Replace an existing target (rename); otherwise an existing target fails with EEXIST (link). */
  readonly replace: boolean;
  /** The error to throw, from the stage that failed and the system error code. */
  readonly fail: (stage: PrivateFileFailure, code: string | undefined) => Error;
}

export function writePrivateFileAtomically(path: string, content: string, options: WritePrivateFileOptions): void {
  const target = resolve(path);
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = openSync(temp, 'wx', 0o600);
  } catch (error) {
    throw options.fail('create', (error as NodeJS.ErrnoException).code);
  }
  try {
    try {
      fchmodSync(fd, 0o600);
      const bytes = Buffer.from(content, 'utf8');
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.replace) {
      renameSync(temp, target);
    } else {
      // link() fails if the target exists, so a concurrent writer can never be clobbered.
      linkSync(temp, target);
      unlinkSync(temp);
    }
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file is gone already
    }
    throw options.fail('place', (error as NodeJS.ErrnoException).code);
  }
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Directory fsync is not supported everywhere; the rename itself is atomic.
  }
}

/** Reads the whole of an open file of `size` bytes as UTF-8 (stops early if it shrank). */
export function readOpenFile(fd: number, size: number): string {
  const buffer = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    const read = readSync(fd, buffer, offset, size - offset, offset);
    if (read === 0) break;
    offset += read;
  }
  return buffer.subarray(0, offset).toString('utf8');
}
