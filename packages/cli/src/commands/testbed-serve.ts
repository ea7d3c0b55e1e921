/**
 * `lineage testbed serve`: a trained testbed model behind the OpenAI chat-completions API, so
 * the prober, the proxy and any OpenAI client can talk to a real model locally. The base URL
 * is the first line of stdout (scripts read it); the server runs until SIGINT or SIGTERM and
 * then closes its connections and exits 0.
 */
import { basename, extname } from 'node:path';
import { createTokenizer } from '@lineage/core/tokenizer';
import { loadModelFile, startChatServer } from '@lineage/testbed';
import { type CliIo, writeLine } from '../cli-io.js';
import { markingFromOptions } from '../marking-schemes.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';
import { integerOption } from './testbed-options.js';

export const testbedServeHelp = `Usage: lineage testbed serve --model FILE [--port N] [--host ADDR] [--name NAME]
                             [--key FILE --scheme NAME]

Serves a testbed n-gram model over the OpenAI API (GET /v1/models, POST /v1/chat/completions,
streaming, seeds, logprobs). Prints the base URL (http://HOST:PORT/v1) as the first line of
stdout, then runs until SIGINT or SIGTERM. The model continues the last user message; other
messages are ignored.

With --key and --scheme every response is marked for its account: clients must send
"Authorization: Bearer <accountId>". Without them the bearer token is ignored.

Options:
  --model FILE    model file written by \`lineage testbed train\` (required)
  --port N        port to listen on (default 0: a free port)
  --host ADDR     address to listen on (default 127.0.0.1)
  --name NAME     model id clients send (default: the model file's name without extension)
  --key FILE      key file to mark responses with (needs --scheme)
  --scheme NAME   marking scheme (needs --key)
  -h, --help      show this help`;

export async function testbedServe(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    'testbed serve',
    argv,
    {
      model: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      name: { type: 'string' },
      key: { type: 'string' },
      scheme: { type: 'string' },
    },
    { min: 0, max: 0 },
  );
  if (!values.model) throw new UsageError('testbed serve needs --model FILE (see `lineage testbed serve --help`)');
  const port = integerOption('port', values.port, 0, 0, 65_535);
  const name = values.name ?? (basename(values.model, extname(values.model)) || 'lineage-testbed');
  if (name.length === 0) throw new UsageError('--name must not be empty');
  const marking = markingFromOptions('testbed serve', values);

  const model = loadModelFile(values.model);
  const tokenizer = createTokenizer({ encoding: model.encoding });
  try {
    const host = values.host ?? '127.0.0.1';
    const server = await startChatServer({
      model,
      modelName: name,
      tokenizer,
      host,
      port,
      ...(marking === undefined ? {} : { marking: marking.scheme }),
      onError: (error) => writeLine(io.stderr, `lineage: internal error while serving a request: ${(error as Error).message}`),
    }).catch((error: unknown) => {
      // A busy port or an address this machine does not have is bad input, not a crash.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND') {
        throw new UsageError(`cannot listen on ${host}:${port} (${code}); choose another --host or --port`);
      }
      throw error;
    });
    writeLine(io.stdout, server.url);
    if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
      writeLine(io.stderr, `lineage: warning: listening on ${host}, not loopback: anyone who can reach it can use the model`);
    }
    writeLine(
      io.stderr,
      `Serving ${name} (${model.order}-gram, ${model.encoding})${marking ? `, marked with ${marking.scheme.name} under key ${marking.keyId}` : ''}; stop with Ctrl-C.`,
    );
    await _untilStopSignal();
    await server.close();
    return 0;
  } finally {
    tokenizer.dispose();
  }
}

function _untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
