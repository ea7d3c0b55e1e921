/* Placeholder until the generated lexicon lands. */
import type { LexicalSetEntry } from './lexicon.js';

export const LEXICON_SETS: readonly LexicalSetEntry[] = [
  { variants: ['almost', 'nearly'] },
  { variants: ['begin', 'start'], notAfter: ['a', 'the'] },
  { variants: ['big', 'large'] },
  { variants: ['do not', "don't"], notBefore: ['i', 'you', 'we', 'they', 'he', 'she', 'it'] },
  { variants: ['is not', "isn't"], notBefore: ['i', 'you', 'we', 'they', 'he', 'she', 'it'] },
  { variants: ['it is', "it's"], notBefore: ['not', 'been', 'got'] },
  { variants: ['maybe', 'perhaps'] },
  { variants: ['frequently', 'often'] },
];
