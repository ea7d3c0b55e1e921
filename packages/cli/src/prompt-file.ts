/**
 * The `--prompts` file of `lineage probe`: JSONL with a `prompt` field per line (a file ending in
 * `.jsonl`, or one whose first non-blank line starts with `{`), or plain text with one prompt
 * per line. The prompts define the experiment (their hash goes into the report), so a bad line
 * is an error naming its line, not a silently skipped prompt.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** More prompts than this is a mistake (a probe asks each at least once). */
const MAX_PROMPTS = 10_000_000;

export function readPromptFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --prompts ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const lines = text.split(/\r?\n/);
  const firstLine = lines.find((l) => l.trim() !== '') ?? '';
  const jsonl = path.endsWith('.jsonl') || firstLine.trimStart().startsWith('{');
  const prompts: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    if (!jsonl) {
      prompts.push(line);
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new UsageError(`--prompts ${path}: line ${index + 1} is not valid JSON`);
    }
    const prompt = typeof record === 'object' && record !== null ? (record as Record<string, unknown>).prompt : undefined;
    if (typeof prompt !== 'string' || prompt.trim() === '')
      throw new UsageError(`--prompts ${path}: line ${index + 1} has no non-empty string field "prompt"`);
    prompts.push(prompt);
  });
  if (prompts.length === 0) throw new UsageError(`--prompts ${path} holds no prompt`);
  if (prompts.length > MAX_PROMPTS) throw new UsageError(`--prompts ${path} holds ${prompts.length} prompts; at most ${MAX_PROMPTS}`);
  return prompts;
}
