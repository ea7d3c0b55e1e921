/**
 * The ledger across processes: several writers appending to one file at once, and a writer
 * killed with SIGKILL in the middle of its writes (every acknowledged record must survive).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../ledger.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const writerScript = fileURLToPath(new URL('./ledger-writer.test-support.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lineage-ledger-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spawnWriter(path: string, writer: string, count: number, barrier = false): ChildProcess {
  const args = [writerScript, path, writer, String(count), ...(barrier ? ['barrier'] : [])];
  return spawn(process.execPath, ['--conditions=@lineage/source', '--import', 'tsx', ...args], {
    cwd: root,
    stdio: [barrier ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
}

/** Collects the complete lines a child printed; resolves with them and its exit status. */
function watch(
  child: ChildProcess,
  onLine: (line: string) => void = () => {},
): Promise<{ lines: string[]; code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine(line);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ lines, code, signal, stderr })));
}

describe('ledger across processes', () => {
  it('takes concurrent appends from several processes to a file none of them created first', async () => {
    const path = join(dir, 'shared.sqlite');
    const writers = ['proc-a', 'proc-b', 'proc-c'];
    const children = writers.map((w) => spawnWriter(path, w, 300, true));
    let ready = 0;
    const go = () => {
      if (++ready === children.length) for (const child of children) child.stdin?.end('go\n');
    };
    const results = await Promise.all(children.map((child) => watch(child, (line) => line === 'ready' && go())));
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.lines).toHaveLength(301);
    }
    const ledger = openSqliteLedger(path, { readonly: true });
    expect(ledger.size()).toBe(900);
    const byWriter = new Map<string, number[]>(writers.map((w) => [w, []]));
    for (const entry of ledger.entries()) byWriter.get(entry.accountId)?.push(entry.time - 1_700_000_000_000);
    const inOrder = Array.from({ length: 300 }, (_, i) => i);
    for (const w of writers) {
      expect(byWriter.get(w)).toEqual(inOrder); // each writer's records, all there, in its order
      expect(ledger.countForAccountSince(w, 0)).toBe(300);
    }
    ledger.close();
  }, 20_000);

  it('keeps every acknowledged record when the writer is killed mid-stream', async () => {
    const path = join(dir, 'crash.sqlite');
    const child = spawnWriter(path, 'crasher', 0);
    const killAfter = 400;
    const result = await watch(child, (line) => {
      if (Number(line) + 1 === killAfter) child.kill('SIGKILL');
    });
    expect(result.signal).toBe('SIGKILL');
    const acknowledged = result.lines.map(Number);
    expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter);
    expect(acknowledged).toEqual(Array.from({ length: acknowledged.length }, (_, i) => i));

    const raw = new Database(path);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
    const ledger = openSqliteLedger(path);
    const stored = new Set<string>();
    for (const entry of ledger.entries()) stored.add(entry.canary);
    for (const i of acknowledged) expect(stored.has(`crasher canary ${i}`)).toBe(true);
    // At most the record in flight when the process died may be there without an acknowledgement.
    expect(stored.size - acknowledged.length).toBeLessThanOrEqual(1);
    ledger.close();
  }, 20_000);
});
