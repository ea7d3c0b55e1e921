import { LineageInputError } from '@lineage/core';
import { describe, expect, it } from 'vitest';
import { brownSentences, brownText, loadBrownCorpus } from './brown-corpus.js';
import { type BuildPromptsOptions, buildPrompts, INSTRUCTION_TEMPLATES } from './prompts.js';

const wordCount = (text: string): number => text.split(' ').filter((w) => /[A-Za-z0-9]/.test(w)).length;

describe('buildPrompts', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = buildPrompts({ count: 300, seed: 42 });
    expect(buildPrompts({ count: 300, seed: 42 })).toEqual(a);
    expect(buildPrompts({ count: 300, seed: 43 })).not.toEqual(a);
    expect(buildPrompts({ count: 300, seed: 'campaign-7' })).toEqual(buildPrompts({ count: 300, seed: 'campaign-7' }));
  });

  it('mixes exactly round(count × instructionShare) instructions, spread through the list', () => {
    const prompts = buildPrompts({ count: 1000, seed: 1 });
    const instructions = prompts.filter((p) => p.kind === 'instruction');
    expect(instructions).toHaveLength(200);
    const early = prompts.slice(0, 500).filter((p) => p.kind === 'instruction').length;
    expect(early).toBeGreaterThan(60);
    expect(early).toBeLessThan(140);
    expect(buildPrompts({ count: 10, seed: 1, instructionShare: 0 }).every((p) => p.kind === 'continuation')).toBe(true);
    expect(buildPrompts({ count: 10, seed: 1, instructionShare: 1 }).every((p) => p.kind === 'instruction')).toBe(true);
    expect(buildPrompts({ count: 7, seed: 1, instructionShare: 0.5 }).filter((p) => p.kind === 'instruction')).toHaveLength(4);
  });

  it('cuts continuation prompts from held-out sentences, never from text seen in training', () => {
    const heldout = brownSentences('heldout');
    const train = brownText('train');
    const continuations = buildPrompts({ count: 400, seed: 'novel', instructionShare: 0 });
    for (const { text } of continuations) {
      const words = wordCount(text);
      expect(words).toBeGreaterThanOrEqual(4);
      expect(words).toBeLessThanOrEqual(10);
      const source = heldout.find((s) => s.startsWith(text));
      expect(source, text).toBeDefined();
      expect(wordCount(source as string)).toBeGreaterThan(words);
      expect(train.includes(text), text).toBe(false);
    }
  });

  it('draws the number of kept words uniformly from 4 to 10', () => {
    const counts = new Map<number, number>();
    for (const { text } of buildPrompts({ count: 7000, seed: 5, instructionShare: 0 })) {
      counts.set(wordCount(text), (counts.get(wordCount(text)) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    for (const n of counts.values()) expect(n).toBeGreaterThan(850); // expected 1000, sd ≈ 29
  });

  it('fills instruction templates with plural nouns from held-out prose', () => {
    const heldoutNouns = new Set<string>();
    for (const d of loadBrownCorpus()) {
      if (d.split !== 'heldout') continue;
      for (const p of d.paragraphs)
        for (const { words, tags } of p.tagged)
          tags.forEach((tag, i) => {
            if (tag === 'nns') heldoutNouns.add(words[i] as string);
          });
    }
    const patterns = INSTRUCTION_TEMPLATES.map((t) => new RegExp(`^${t.replace(/[.?]/g, '\\$&').replaceAll('{topic}', '([a-z]+)')}$`));
    const topics = new Set<string>();
    const templates = new Set<number>();
    for (const { text } of buildPrompts({ count: 2000, seed: 9, instructionShare: 1 })) {
      const index = patterns.findIndex((p) => p.test(text));
      expect(index, text).toBeGreaterThanOrEqual(0);
      templates.add(index);
      const topic = (patterns[index] as RegExp).exec(text)?.[1] as string;
      expect(heldoutNouns.has(topic), topic).toBe(true);
      topics.add(topic);
    }
    expect(INSTRUCTION_TEMPLATES.length).toBe(12);
    expect(templates.size).toBe(12);
    expect(topics.size).toBeGreaterThan(150);
    expect(topics.has('years')).toBe(false);
  });

  it('rejects bad options with a message saying what is allowed', () => {
    const bad = (options: unknown) => () => buildPrompts(options as BuildPromptsOptions);
    expect(bad(undefined)).toThrow(LineageInputError);
    for (const count of [0, -1, 1.5, 1_000_001, Number.NaN, Number.POSITIVE_INFINITY, '10']) {
      expect(bad({ count, seed: 1 })).toThrow(/count must be an integer from 1 to 1,000,000/);
    }
    for (const seed of [undefined, Number.NaN, Number.POSITIVE_INFINITY, {}]) {
      expect(bad({ count: 1, seed })).toThrow(/seed must be a string or a finite number/);
    }
    for (const instructionShare of [-0.1, 1.1, Number.NaN, '0.2']) {
      expect(bad({ count: 1, seed: 1, instructionShare })).toThrow(/instructionShare must be a number from 0 to 1/);
    }
    expect(buildPrompts({ count: 1_000_000, seed: 0 })).toHaveLength(1_000_000);
  });
});
