/**
 * The green-list scheme (`kgw`) wired into the CLI: marking for the testbed (`serve`,
 * `generate`, `distill`) through its sampler hook, and detection for `lineage detect`.
 * The provider channel only: identity and campaign channels arrive with the rest of issue 4.
 */
import type { LineageKey } from '@lineage/core';
import { createTokenizer } from '@lineage/core/tokenizer';
import { detectGreenList } from '@lineage/detect';
import { GreenListMarker } from '@lineage/embed/logits';
import type { MarkingScheme } from '@lineage/testbed';
import type { DetectionScheme } from '../commands/detect.js';

export function greenListMarking(key: LineageKey): MarkingScheme {
  const markers = new Map<number, GreenListMarker>(); // one per model vocabulary size
  const markerFor = (vocabSize: number): GreenListMarker => {
    let marker = markers.get(vocabSize);
    if (!marker) {
      marker = new GreenListMarker({ key, vocabSize });
      markers.set(vocabSize, marker);
    }
    return marker;
  };
  return {
    name: 'kgw',
    samplerFor: () => ({
      // Rejection from the model's own sampler: exact, and no pass over the vocabulary per token.
      sampleNext: (step) => markerFor(step.vocabSize).sampleWithDraw(step.sampleUnmarked, step.tokens, step.random, step.promptLength),
    }),
  };
}

export const greenListDetection: DetectionScheme = {
  name: 'kgw',
  async detect({ key, texts, aggregate, alpha }) {
    using tokenizer = createTokenizer({ encoding: key.tokenizer });
    const tokens = texts.map((t) => tokenizer.encode(t.text));
    if (aggregate) return [{ source: 'aggregate', ...detectGreenList({ key, texts: tokens, alpha }) }];
    return texts.map((t, i) => ({ source: t.source, ...detectGreenList({ key, texts: [tokens[i] as Uint32Array], alpha }) }));
  },
};
