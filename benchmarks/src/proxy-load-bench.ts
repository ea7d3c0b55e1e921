/**
 * The marking proxy under load on loopback. A fake upstream streams chat-completion chunks at a
 * fixed pace, each stamped with its send time; the same client reads them directly and through
 * the proxy (a child process), and the per-chunk delay (arrival minus send) is compared at the
 * 50th and 99th percentiles. Then 1,000 streams are opened at once through the proxy, counting
 * errors and the proxy's peak RSS. Goals (issue 8): at most 1 ms added at p99 per chunk, 1,000
 * concurrent streams without error, under 300 MB RSS.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

const WORDS = 'the river carries water down to the sea and it does not stop for anyone who waits on its banks'.split(' ');

export interface ProxyLoadBench {
  readonly chunksPerStream: number;
  readonly latency: {
    readonly streams: number;
    readonly direct: { readonly p50Ms: number; readonly p99Ms: number };
    readonly proxied: { readonly p50Ms: number; readonly p99Ms: number };
    readonly addedP99Ms: number;
    readonly goalAddedP99Ms: 1;
  };
  readonly concurrency: {
    readonly streams: number;
    readonly completed: number;
    readonly errors: number;
    readonly seconds: number;
    readonly peakRssMB: number;
    readonly goalRssMB: 300;
  };
}

function upstreamServer(chunks: number, paceMs: number): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let i = 0;
      const send = () => {
        if (i < chunks) {
          const content = `${WORDS[i % WORDS.length]} `;
          const chunk = {
            id: 'c',
            object: 'chat.completion.chunk',
            created: 0,
            model: 'm',
            sent: performance.timeOrigin + performance.now(),
            choices: [{ index: 0, delta: { content }, finish_reason: null }],
          };
          res.write(`data: ${JSON.stringify(chunk)}\n\n`);
          i++;
          setTimeout(send, paceMs);
        } else {
          const last = {
            id: 'c',
            object: 'chat.completion.chunk',
            created: 0,
            model: 'm',
            choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
          };
          res.end(`data: ${JSON.stringify(last)}\n\ndata: [DONE]\n\n`);
        }
      };
      send();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Reads one streamed completion and returns the delay of each content chunk in ms. */
async function readStream(baseUrl: string, apiKey: string): Promise<number[]> {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Tell me about rivers.' }] }),
  });
  if (!response.ok || !response.body) throw new Error(`status ${response.status}`);
  const delays: number[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of response.body) {
    const now = performance.timeOrigin + performance.now();
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.startsWith('data: ') ? event.slice(6) : '';
      if (data !== '' && data !== '[DONE]') {
        const sent = (JSON.parse(data) as { sent?: number }).sent;
        if (typeof sent === 'number') delays.push(now - sent);
      }
      end = buffer.indexOf('\n\n');
    }
  }
  return delays;
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export async function runProxyLoadBench(short: boolean): Promise<ProxyLoadBench> {
  const chunks = short ? 40 : 100;
  const upstream = await upstreamServer(chunks, 2);
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  const child = spawn(
    process.execPath,
    ['--conditions=@lineage/source', '--import', 'tsx', new URL('./proxy-load-child.ts', import.meta.url).pathname, upstreamUrl],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })[Symbol.asyncIterator]();
  const proxyUrl = (await lines.next()).value as string;
  try {
    const latencyStreams = short ? 20 : 100;
    // Warm-up, not measured: the first answers load the lexicon and JIT-compile the marking path.
    for (let i = 0; i < 100; i++) await readStream(proxyUrl, `client-key-${i}`);
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let i = 0; i < latencyStreams; i++) {
      // Alternate so both see the same machine load.
      direct.push(...(await readStream(upstreamUrl, 'none')));
      proxied.push(...(await readStream(proxyUrl, `client-key-${i % 100}`)));
    }
    const concurrent = short ? 200 : 1_000;
    const start = performance.now();
    const results = await Promise.allSettled(Array.from({ length: concurrent }, (_, i) => readStream(proxyUrl, `client-key-${i % 100}`)));
    const seconds = (performance.now() - start) / 1000;
    const completed = results.filter((r) => r.status === 'fulfilled' && r.value.length === chunks).length;
    child.stdin?.write('rss\n');
    const rss = Number((await lines.next()).value);
    const directP99 = percentile(direct, 0.99);
    const proxiedP99 = percentile(proxied, 0.99);
    return {
      chunksPerStream: chunks,
      latency: {
        streams: latencyStreams,
        direct: { p50Ms: percentile(direct, 0.5), p99Ms: directP99 },
        proxied: { p50Ms: percentile(proxied, 0.5), p99Ms: proxiedP99 },
        addedP99Ms: proxiedP99 - directP99,
        goalAddedP99Ms: 1,
      },
      concurrency: { streams: concurrent, completed, errors: concurrent - completed, seconds, peakRssMB: rss / 2 ** 20, goalRssMB: 300 },
    };
  } finally {
    child.stdin?.write('close\n');
    await new Promise((resolve) => child.once('exit', resolve));
    await new Promise((resolve) => upstream.close(resolve));
  }
}

export function proxyLoadSummary(r: ProxyLoadBench): string {
  const f = (x: number) => x.toFixed(2);
  return `## Marking proxy under load (loopback, ${r.chunksPerStream} chunks per stream)

| measure | value | baseline | ratio |
|---|---|---|---|
| per-chunk delay p99, through the proxy, ms | ${f(r.latency.proxied.p99Ms)} | direct: ${f(r.latency.direct.p99Ms)} | +${f(r.latency.addedP99Ms)} ms (goal at most +1) |
| per-chunk delay p50, through the proxy, ms | ${f(r.latency.proxied.p50Ms)} | direct: ${f(r.latency.direct.p50Ms)} | |
| concurrent streams completed | ${r.concurrency.completed} of ${r.concurrency.streams} in ${r.concurrency.seconds.toFixed(1)} s | goal: all | ${r.concurrency.errors} errors |
| proxy peak RSS, MB | ${r.concurrency.peakRssMB.toFixed(0)} | goal under 300 | ${(r.concurrency.peakRssMB / 300).toFixed(2)} of goal |
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runProxyLoadBench(process.argv.includes('--short'));
  console.log(JSON.stringify(result, null, 2));
  console.log(proxyLoadSummary(result));
}
