/**
 * A child process for the ledger tests: appends records to a ledger one `record` call at a
 * time and prints each record's index on stdout once `record` has returned (acknowledged).
 *
 *   node --conditions=@lineage/source --import tsx ledger-writer.test-support.ts <path> <writer> <count> [barrier]
 *
 * `count` 0 writes until the process is killed. With `barrier` it prints "ready" and opens the
 * ledger only after reading a line on stdin, so that several writers start at the same moment.
 */
import { writeSync } from 'node:fs';
import { openSqliteLedger } from '../ledger.js';

const [path, writer, countText, barrier] = process.argv.slice(2);
if (path === undefined || writer === undefined || countText === undefined) {
  console.error('usage: ledger-writer.test-support.ts <path> <writer> <count>');
  process.exit(2);
}
const count = Number(countText);
if (barrier === 'barrier') {
  writeSync(1, 'ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy();
}
const ledger = openSqliteLedger(path);
const hash = 'ab'.repeat(32);
for (let i = 0; count === 0 || i < count; i++) {
  ledger.record({
    accountId: writer,
    prompt: `prompt ${i} from ${writer}: ¿qué tal? 🦜`,
    promptHash: hash,
    canary: `${writer} canary ${i}`,
    time: 1_700_000_000_000 + i,
    keyId: 'lk-0123456789abcdef',
  });
  writeSync(1, `${i}\n`); // synchronous: printed only after `record` returned, never lost in a buffer
}
ledger.close();
