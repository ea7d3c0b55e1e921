/**
 * Prompts for simulated traffic and for probing suspects, drawn only from held-out Brown
 * documents. Continuation prompts are the opening words of a held-out sentence, never a string
 * that occurs anywhere in the training text: a model that continues one cannot be quoting what it
 * saw after those exact words in training. Instruction prompts name a topic found in held-out text.
 */
import { LineageInputError, SeededRandom } from '@lineage/core';
import { _longestOccurringPrefixes, brownText, loadBrownCorpus } from './brown-corpus.js';
import { detokenizeBrown } from './brown-detokenizer.js';

export interface Prompt {
  readonly kind: 'continuation' | 'instruction';
  readonly text: string;
}

export interface BuildPromptsOptions {
  /** How many prompts: an integer from 1 to 1,000,000. */
  readonly count: number;
  /** The same seed always gives the same prompts. */
  readonly seed: string | number;
  /** The share of instruction prompts, in [0, 1]; exactly `round(count × share)` of them. Default 0.2. */
  readonly instructionShare?: number;
}

/** Instruction templates; `{topic}` is a plural common noun (`schools`, `rates`) from held-out text. */
export const INSTRUCTION_TEMPLATES: readonly string[] = [
  'Write a short paragraph about {topic}.',
  'Explain how {topic} work.',
  'What should a newcomer know about {topic}?',
  'Give three facts about {topic}.',
  'Describe the role of {topic} in a small town.',
  'Write a letter to the editor of a local newspaper about {topic}.',
  'Tell a short story in which {topic} play an important part.',
  'Explain why {topic} matter to ordinary people.',
  'Write a brief news report about {topic}.',
  'Summarize what people usually disagree about when they discuss {topic}.',
  'How have {topic} changed over the last fifty years?',
  'Compare {topic} in a big city with {topic} in the countryside.',
];

/** Continuation prompts keep the first k words of a sentence, k uniform in this range. */
const MIN_PREFIX_WORDS = 4;
const MAX_PREFIX_WORDS = 10;
/** Only sentences this long are cut, and at least one word always remains to be continued. */
const MIN_SENTENCE_WORDS = 8;
/** The anchor width of the training-text index: shorter prefixes are never proven novel, so never used. */
const ANCHOR = 8;
const MAX_COUNT = 1_000_000;
/** Topics are the most frequent plural common nouns (`nns`) of held-out prose, in at least two documents. */
const TOPIC_COUNT = 200;
/** Units, quantities and nouns too vague to write about. */
const VAGUE_NOUNS = new Set(
  'acres days dollars feet hours hundreds inches kinds lots means miles millions minutes months numbers ones others parts points pounds sides terms things thousands times types ways weeks years'.split(
    ' ',
  ),
);

interface PromptPool {
  /** `continuations[k - MIN_PREFIX_WORDS]`: the novel k-word prefixes. */
  readonly continuations: readonly (readonly string[])[];
  readonly topics: readonly string[];
}

let pool: PromptPool | undefined;

/**
 * `count` prompts, about `1 - instructionShare` of them continuations. Deterministic for a
 * seed. Sampling is with replacement from about 27,000 distinct continuation prompts and 2,400
 * instructions, so large counts repeat prompts, as real traffic does.
 */
export function buildPrompts(options: BuildPromptsOptions): Prompt[] {
  const { count, seed, instructionShare = 0.2 } = validate(options);
  pool ??= buildPool();
  const random = new SeededRandom(`testbed/prompts/${String(seed)}`);
  const kinds: Prompt['kind'][] = new Array(count).fill('continuation');
  kinds.fill('instruction', 0, Math.round(count * instructionShare));
  for (let i = count - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const kind = kinds[i] as Prompt['kind'];
    kinds[i] = kinds[j] as Prompt['kind'];
    kinds[j] = kind;
  }
  const { continuations, topics } = pool;
  return kinds.map((kind) => {
    if (kind === 'continuation') {
      const prefixes = continuations[random.nextInt(continuations.length)] as readonly string[];
      return { kind, text: prefixes[random.nextInt(prefixes.length)] as string };
    }
    const template = INSTRUCTION_TEMPLATES[random.nextInt(INSTRUCTION_TEMPLATES.length)] as string;
    const topic = topics[random.nextInt(topics.length)] as string;
    return { kind, text: template.replaceAll('{topic}', topic) };
  });
}

function validate(options: BuildPromptsOptions): BuildPromptsOptions {
  if (typeof options !== 'object' || options === null) {
    throw new LineageInputError('buildPrompts takes an options object: { count, seed, instructionShare? }.');
  }
  const { count, seed, instructionShare } = options;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new LineageInputError(`count must be an integer from 1 to 1,000,000, got ${String(count)}.`);
  }
  if (!(typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed)))) {
    throw new LineageInputError(`seed must be a string or a finite number, got ${String(seed)}.`);
  }
  if (instructionShare !== undefined && !(typeof instructionShare === 'number' && instructionShare >= 0 && instructionShare <= 1)) {
    throw new LineageInputError(`instructionShare must be a number from 0 to 1, got ${String(instructionShare)}.`);
  }
  return options;
}

const WORD = /[A-Za-z0-9]/;
/** A prompt should open like a sentence, not with a stray corpus full stop or comma. */
const SENTENCE_START = /^["(]?[A-Za-z0-9]/;

function buildPool(): PromptPool {
  const sentences: { readonly text: string; readonly words: readonly string[] }[] = [];
  const nounCounts = new Map<string, { count: number; documents: Set<string> }>();
  for (const document of loadBrownCorpus()) {
    if (document.split !== 'heldout') continue;
    for (const paragraph of document.paragraphs) {
      if (paragraph.heading) continue;
      paragraph.tagged.forEach(({ words, tags }, s) => {
        const text = paragraph.sentences[s] as string;
        if (SENTENCE_START.test(text) && words.filter((w) => WORD.test(w)).length >= MIN_SENTENCE_WORDS) sentences.push({ text, words });
        tags.forEach((tag, i) => {
          const word = words[i] as string;
          if (tag !== 'nns' || !/^[a-z]{4,}$/.test(word) || VAGUE_NOUNS.has(word)) return;
          const entry = nounCounts.get(word) ?? { count: 0, documents: new Set<string>() };
          entry.count++;
          entry.documents.add(document.id);
          nounCounts.set(word, entry);
        });
      });
    }
  }
  // The longest prefix of each sentence that occurs in the training text: longer prefixes are new.
  const seen = _longestOccurringPrefixes(
    brownText('train'),
    sentences.map((s) => s.text),
    ANCHOR,
  );
  const continuations: string[][] = Array.from({ length: MAX_PREFIX_WORDS - MIN_PREFIX_WORDS + 1 }, () => []);
  sentences.forEach(({ text, words }, s) => {
    const novelFrom = Math.max(seen[s] as number, ANCHOR - 1) + 1;
    let wordCount = 0;
    for (let end = 0; end < words.length; end++) {
      if (!WORD.test(words[end] as string)) continue;
      wordCount++;
      if (wordCount < MIN_PREFIX_WORDS) continue;
      if (wordCount > MAX_PREFIX_WORDS) break;
      const prefix = detokenizeBrown(words.slice(0, end + 1));
      const remaining = words.slice(end + 1).some((w) => WORD.test(w));
      if (remaining && prefix.length >= novelFrom && text.startsWith(prefix)) continuations[wordCount - MIN_PREFIX_WORDS]?.push(prefix);
    }
  });
  if (continuations.some((prefixes) => prefixes.length === 0)) throw new Error('Brown held-out text gave no prompts of some length');
  const topics = [...nounCounts]
    .filter(([, { documents }]) => documents.size >= 2)
    .sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1))
    .slice(0, TOPIC_COUNT)
    .map(([word]) => word);
  return { continuations, topics };
}
