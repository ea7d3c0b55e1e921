/**
 * Glue shared by the token-level schemes in the CLI: a testbed marking scheme that keeps one
 * marker per model vocabulary size, and a `lineage detect` scheme that tokenizes with the key
 * file's tokenizer and runs a token detector per text or over the whole sample.
 */
import type { LineageKey } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import type { DetectionResult } from '@lineage/detect';
import type { MarkingScheme, SamplingStep } from '@lineage/testbed';
import type { DetectionScheme } from '../commands/detect.js';

export function markingWith<M>(
  name: string,
  create: (vocabSize: number) => M,
  sample: (marker: M, step: SamplingStep) => number,
): MarkingScheme {
  const markers = new Map<number, M>();
  return {
    name,
    samplerFor: () => ({
      sampleNext: (step) => {
        let marker = markers.get(step.vocabSize);
        if (marker === undefined) {
          marker = create(step.vocabSize);
          markers.set(step.vocabSize, marker);
        }
        return sample(marker, step);
      },
    }),
  };
}

export function detectionWith(
  name: string,
  detectTokens: (options: { key: LineageKey; texts: readonly ArrayLike<number>[]; alpha: number }) => DetectionResult,
): DetectionScheme {
  return {
    name,
    async detect({ key, texts, aggregate, alpha }) {
      using tokenizer = createTokenizer({ encoding: key.tokenizer });
      const tokens = texts.map((t) => tokenizer.encode(t.text));
      if (aggregate) return [{ source: 'aggregate', ...detectTokens({ key, texts: tokens, alpha }) }];
      return texts.map((t, i) => ({ source: t.source, ...detectTokens({ key, texts: [tokens[i] as Uint32Array], alpha }) }));
    },
  };
}
