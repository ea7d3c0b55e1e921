/** `lineage testbed train`: an n-gram model on the Brown training split, saved as a model file. */
import {
  brownTokenDocuments,
  checkModelPathWritable,
  DEFAULT_ORDER,
  MAX_ORDER,
  MIN_ORDER,
  perplexity,
  saveModelFile,
  trainOnBrown,
} from '@lineage/testbed';
import { type CliIo, writeJson, writeLine, writeTable } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';
import { integerOption } from './testbed-options.js';

export const testbedTrainHelp = `Usage: lineage testbed train --out FILE [--order N] [--tokens N] [--seed S]
                             [--tokenizer o200k_base|cl100k_base] [--json]

Trains an interpolated modified Kneser–Ney n-gram model over tiktoken ids on the Brown
corpus training split (every document whose number is a multiple of 10 is held out), saves it,
and reports its perplexity on the held-out split beside a unigram baseline.

Options:
  --out FILE        where to write the model (required; parent folders are created)
  --order N         n-gram order, ${MIN_ORDER}-${MAX_ORDER} (default ${DEFAULT_ORDER})
  --tokens N        training tokens (default: the whole training split, about 1.16M)
  --seed S          chooses and orders the training paragraphs (default 1)
  --tokenizer NAME  token ids of the model (default o200k_base)
  --json            print the report as JSON
  -h, --help        show this help`;

export function testbedTrain(argv: readonly string[], io: CliIo): number {
  const { values } = parseCommandArgs(
    'testbed train',
    argv,
    {
      out: { type: 'string' },
      order: { type: 'string' },
      tokens: { type: 'string' },
      seed: { type: 'string' },
      tokenizer: { type: 'string' },
      json: { type: 'boolean' },
    },
    { min: 0, max: 0 },
  );
  if (!values.out) throw new UsageError('testbed train needs --out FILE (see `lineage testbed train --help`)');
  const order = integerOption('order', values.order, DEFAULT_ORDER, MIN_ORDER, MAX_ORDER);
  const tokens = values.tokens === undefined ? undefined : integerOption('tokens', values.tokens, 0, 1_000, 100_000_000);
  const encoding = values.tokenizer ?? 'o200k_base';
  if (encoding !== 'o200k_base' && encoding !== 'cl100k_base')
    throw new UsageError(`unknown tokenizer ${JSON.stringify(encoding)}; use o200k_base or cl100k_base`);
  const seed = values.seed ?? '1';

  checkModelPathWritable(values.out); // fail now, not after training
  brownTokenDocuments('train', encoding); // tokenize first (cached) so the time below is training alone
  const started = performance.now();
  const model = trainOnBrown({ order, encoding, seed, ...(tokens === undefined ? {} : { tokens }) });
  const trainSeconds = (performance.now() - started) / 1000;
  saveModelFile(values.out, model);
  const heldOut = brownTokenDocuments('heldout', encoding);
  const held = perplexity(model, heldOut);
  const unigram =
    order === 1 ? held : perplexity(trainOnBrown({ order: 1, encoding, seed, ...(tokens === undefined ? {} : { tokens }) }), heldOut);
  const report = {
    path: values.out,
    order,
    encoding,
    trainingTokens: model.info.trainingTokens,
    ngrams: model.trie.entries,
    heldOutTokens: held.tokens,
    perplexity: round(held.perplexity),
    unigramPerplexity: round(unigram.perplexity),
    trainSeconds: round(trainSeconds),
  };
  if (values.json) {
    writeJson(io.stdout, report);
    return 0;
  }
  writeLine(io.stdout, `Trained a ${order}-gram model and wrote ${values.out}.`);
  writeTable(io.stdout, [
    ['training tokens', String(report.trainingTokens)],
    ['n-grams', String(report.ngrams)],
    ['held-out perplexity', `${report.perplexity} (unigram baseline ${report.unigramPerplexity}, ${report.heldOutTokens} held-out tokens)`],
    ['training time', `${report.trainSeconds} s (tokenizing excluded)`],
  ]);
  return 0;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
