/** The lexical scheme in the CLI: the testbed's keyed text hook (marks finished responses) and `lineage detect --scheme lexical`. */
import { detectLexical } from '@lineage/detect';
import type { DetectionScheme } from '../commands/detect.js';

export { lexicalMarking } from '@lineage/testbed';

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
