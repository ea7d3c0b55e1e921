/** The lexical scheme in the CLI: the testbed's text hook (marks finished responses) and `lineage detect --scheme lexical`. */
import type { LineageKey } from '@lineage/core';
import { detectLexical } from '@lineage/detect';
import { LexicalMarker } from '@lineage/embed/text';
import type { MarkingScheme } from '@lineage/testbed';
import type { DetectionScheme } from '../commands/detect.js';

export const lexicalMarking = (key: LineageKey): MarkingScheme => ({
  name: 'lexical',
  textMarkerFor: (account) => {
    const marker = new LexicalMarker({ key, ...account });
    return { markText: (text) => marker.mark(text) };
  },
});

export const lexicalDetection: DetectionScheme = {
  name: 'lexical',
  async detect({ key, texts, aggregate, alpha, schemes, accounts }) {
    const run = (source: string, sample: readonly string[]) =>
      detectLexical({ key, texts: sample, alpha, testedSchemes: schemes, ...(accounts ? { accounts } : {}) }).map((result) => ({
        source,
        ...result,
      }));
    if (aggregate)
      return [
        run(
          'aggregate',
          texts.map((t) => t.text),
        ),
      ];
    return texts.map((t) => run(t.source, [t.text]));
  },
};
