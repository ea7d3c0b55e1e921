/**
 * Gumbel sampling (`gumbel`) wired into the CLI: marking for the testbed through its sampler
 * hook (it reads the dense distribution each step), and detection for `lineage detect`.
 */
import type { LineageKey } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectGumbel } from '@lineage/detect';
import { GumbelMarker } from '@lineage/embed/logits';
import type { MarkingScheme } from '@lineage/testbed';
import type { DetectionScheme } from '../commands/detect.js';

export function gumbelMarking(key: LineageKey): MarkingScheme {
  const markers = new Map<number, GumbelMarker>(); // one per model vocabulary size
  const markerFor = (vocabSize: number): GumbelMarker => {
    let marker = markers.get(vocabSize);
    if (!marker) {
      marker = new GumbelMarker({ key, vocabSize });
      markers.set(vocabSize, marker);
    }
    return marker;
  };
  return {
    name: 'gumbel',
    samplerFor: () => ({
      sampleNext: (step) =>
        markerFor(step.vocabSize).sampleFromProbabilities(step.probabilities(), step.tokens, step.random, step.promptLength),
    }),
  };
}

export const gumbelDetection: DetectionScheme = {
  name: 'gumbel',
  async detect({ key, texts, aggregate, alpha }) {
    using tokenizer = createTokenizer({ encoding: key.tokenizer });
    const tokens = texts.map((t) => tokenizer.encode(t.text));
    if (aggregate) return [{ source: 'aggregate', ...detectGumbel({ key, texts: tokens, alpha }) }];
    return texts.map((t, i) => ({ source: t.source, ...detectGumbel({ key, texts: [tokens[i] as Uint32Array], alpha }) }));
  },
};
