/**
 * The `--reading` file of `lineage probe`: the marked texts that reading mode feeds through an
 * open-weight suspect. JSONL with a `text` field per line (a file ending in `.jsonl`, or one
 * whose first non-blank line starts with `{`), or plain text with one text per line. The texts
 * are part of the experiment, so a bad line is an error naming its line, never skipped.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

export function readReadingFile(path: string): string[] {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --reading ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const lines = content.split(/\r?\n/);
  const firstLine = lines.find((l) => l.trim() !== '') ?? '';
  const jsonl = path.endsWith('.jsonl') || firstLine.trimStart().startsWith('{');
  const texts: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    if (!jsonl) {
      texts.push(line);
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new UsageError(`--reading ${path}: line ${index + 1} is not valid JSON`);
    }
    const text = typeof record === 'object' && record !== null ? (record as Record<string, unknown>).text : undefined;
    if (typeof text !== 'string' || text.trim() === '')
      throw new UsageError(`--reading ${path}: line ${index + 1} has no non-empty string field "text"`);
    texts.push(text);
  });
  if (texts.length === 0) throw new UsageError(`--reading ${path} holds no text`);
  return texts;
}
