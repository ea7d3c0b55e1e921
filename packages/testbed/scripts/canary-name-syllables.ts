/**
 * Syllable grammars for the invented surnames and company stems of the canary space. A name is an
 * onset, a vowel, optionally one more vowel-consonant syllable, a consonant cluster, and an ending;
 * the two grammars differ in their endings (surnames: -vik, -den, -ick …; stems: -ora, -ex, -ium …),
 * so "Maren Talvik of Kelvora Logistics" reads as a person and a company. Tables are weighted by
 * repeating entries. Pronounceability is kept by construction (clusters are paired with endings that
 * start with a vowel or with a consonant they can precede) and by `isPronounceable` below.
 */
import type { SeededRandom } from '@lineage/core';

export interface SyllableGrammar {
  readonly onsets: readonly string[];
  readonly vowels: readonly string[];
  /** Consonants closing the middle syllable, before the vowel that follows it. */
  readonly middles: readonly string[];
  /** Probability of a middle syllable (vowel + consonant) after the first vowel. */
  readonly middleRate: number;
  /** Clusters before an ending that starts with a vowel. */
  readonly codasBeforeVowel: readonly string[];
  readonly vowelEndings: readonly string[];
  /** Clusters (possibly empty) before an ending that starts with a consonant. */
  readonly codasBeforeConsonant: readonly string[];
  readonly consonantEndings: readonly string[];
  /** Probability of a consonant-initial ending. */
  readonly consonantEndingRate: number;
}

const split = (text: string): string[] => text.trim().split(/\s+/);

export const SURNAME_GRAMMAR: SyllableGrammar = {
  onsets: split(`
    B B Br C Ch Cr D D Dr F F Fr G G Gr H H K K Kr L L M M N P P Pr R R S S Sh St T T Tr V W W Th
    A E O`),
  vowels: split('a a a e e e i i o o o u'),
  middles: split('l l r r n n m v d s t k b'),
  middleRate: 0.2,
  codasBeforeVowel: split('l ll r rr n nn m mm v d dd t tt k ck s ss b rk rd rn rl lm lv nd nt rv st sk'),
  vowelEndings: split('ick ick ett ett ell ell en en er ard ard in ow ey ey is on ock ert and ane ley ond ik ar by'),
  codasBeforeConsonant: split('_ _ _ l l r r n n m s rs ls rn ld nd lt rt'),
  consonantEndings: split(`
    vik vik den den sen sen ton ton ley ley by wick ford man mer ker der ter well stad holm dahl ham
    worth more bury ner land berg strom gard lund ling stone ridge wood bridge`),
  consonantEndingRate: 0.55,
};

export const STEM_GRAMMAR: SyllableGrammar = {
  onsets: split(`
    K K Z Z V V Qu X L L M M N S S T T R R B D C Br Cl Tr Pr Pl Fl Gr Sk Sp St Th
    A A E E I O O U`),
  vowels: split('a a a e e e i i o o u y'),
  middles: split('l l r r n n m v t x s d'),
  middleRate: 0.3,
  codasBeforeVowel: split('l lv lt n nt nd r rv rt x m mb st sk v t d k ll ss tr nv lg rg rm rn'),
  vowelEndings: split(`
    ora ora ara ara era ira ova ana ena ina ia ium ion on on ex ex ix is os us an ent ant yx eon ica
    ino ano ari ata ella ium ira ova elle ence ance ix ora ar or`),
  codasBeforeConsonant: split('_ _ n l r'),
  consonantEndings: split('tra tra vex vo ra va dex gen sys quest'),
  consonantEndingRate: 0.08,
};

const pick = (random: SeededRandom, table: readonly string[]): string => table[random.nextInt(table.length)] as string;

/** One candidate name from `grammar` (capitalized, not yet filtered). */
export function drawName(random: SeededRandom, grammar: SyllableGrammar): string {
  const onset = pick(random, grammar.onsets);
  // A vowel onset is the first vowel itself ("A" + "lv" + "ora"), never a diphthong such as "Ae".
  let name = /^[AEIOU]$/.test(onset) ? onset : onset + pick(random, grammar.vowels);
  if (random.next() < grammar.middleRate) name += pick(random, grammar.middles) + pick(random, grammar.vowels);
  if (random.next() < grammar.consonantEndingRate) {
    const coda = pick(random, grammar.codasBeforeConsonant);
    name += (coda === '_' ? '' : coda) + pick(random, grammar.consonantEndings);
  } else {
    name += pick(random, grammar.codasBeforeVowel) + pick(random, grammar.vowelEndings);
  }
  return name;
}

/**
 * Rejects spellings that trip a reader: a run of three consonants that is not a common cluster,
 * a doubled letter next to another consonant, a tripled letter, two identical adjacent syllables,
 * two doubled consonants, a rare letter (x, y, z, q) twice.
 */
export function isPronounceable(name: string): boolean {
  const lower = name.toLowerCase();
  if (/(.)\1\1/.test(lower)) return false;
  if (/([^aeiouy])\1[^aeiouy]|[^aeiouy]([^aeiouy])\2/.test(lower)) return false;
  for (const run of lower.match(/[^aeiouy]{3,}/g) ?? []) {
    if (!COMMON_CLUSTERS.has(run)) return false;
  }
  if (/(..)\1|(...)\2/.test(lower.slice(1))) return false;
  // "Brorton", "Flolvara": a liquid after the onset cluster comes back at once.
  if (/^[a-z]*[bcdfgkpt]r[aeiouy]r|^[a-z]*[bcfgkps]l[aeiouy]l|^r[aeiouy]r|^l[aeiouy]l/.test(lower.slice(0, 5))) return false;
  if ((lower.match(/([^aeiouy])\1/g) ?? []).length > 1 || /qu[uy]/.test(lower)) return false;
  // One rare letter is brand-like ("Larnyx"); two of the same read as noise ("Tissyx", "Maxoxira").
  if (/([xyzq]).*\1/.test(lower)) return false;
  return true;
}

const COMMON_CLUSTERS = new Set(
  split(`
  rst rsd rsb rst rsl rsm rsv lsd lsb lst lsm lsv ndl ndb nds ndm ndw rdm rdb rds rdl rld rnl rnd
  ldr ldm lds ldb ldw ltm lts ltw rtm rts rtw ntr str ngl ngs ngb ckl cks ckm ckw ckb nst nsd
  rnb rns rnw rnm lmb lms lmw lvs lvd lvb nth rth lth sth mbr mpl ntl ndr rdn rtn ngm ckh rbr
  rkl rks rkb rkm rkw rkd skl sks skw skb skm nts ndh rdh lwh rwh`),
);
