/**
 * The proxy under load, in its own process so its event loop and memory are measured alone:
 * started in front of the upstream named in argv, with one client key per account. Prints its
 * base URL, then answers "rss" on stdin with its peak resident set size in bytes.
 */
import { keyFromSecret } from '@lineage/core';
import { startProxy } from '@lineage/proxy';

const upstream = process.argv[2] as string;
const accounts = new Map<string, { accountId: string }>();
for (let i = 0; i < 100; i++) accounts.set(`client-key-${i}`, { accountId: `acct-${i}` });
const proxy = await startProxy({
  upstream,
  key: keyFromSecret(new Uint8Array(32).fill(42)),
  accounts: { resolve: (apiKey) => accounts.get(apiKey) },
  port: 0,
});
let peak = process.memoryUsage().rss;
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20).unref();
process.stdout.write(`${proxy.url}\n`);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line: string) => {
  if (line.trim() === 'rss') process.stdout.write(`${Math.max(peak, process.memoryUsage().rss)}\n`);
  if (line.trim() === 'close') void proxy.close().then(() => process.exit(0));
});
