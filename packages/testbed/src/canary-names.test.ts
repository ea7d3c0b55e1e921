import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMPANY_STEMS, GIVEN_NAMES, INDUSTRIES, SURNAMES } from '../../core/src/canary/canary-names-data.js';
import { buildCanaryNames, type CanaryNameLists, checkCanaryNameLists, renderCanaryNamesData } from '../scripts/canary-name-lists.js';
import { loadBrownCorpus } from './brown-corpus.js';

const dataPath = fileURLToPath(new URL('../../core/src/canary/canary-names-data.ts', import.meta.url));
const committed: CanaryNameLists = {
  givenNames: GIVEN_NAMES.split(' '),
  surnames: SURNAMES.split(' '),
  companyStems: COMPANY_STEMS.split(' '),
  industries: INDUSTRIES.split(' '),
};

describe('canary name lists (packages/core/src/canary/canary-names-data.ts)', () => {
  it('hold 1024 given names, 16384 surnames, 16384 company stems and 64 industries: 2^44 canaries', () => {
    expect(committed.givenNames).toHaveLength(1024);
    expect(committed.surnames).toHaveLength(16384);
    expect(committed.companyStems).toHaveLength(16384);
    expect(committed.industries).toHaveLength(64);
  });

  it('are ASCII [A-Z][a-z]+ of 3..10 letters (invented ones 5..9), duplicate-free and pairwise disjoint after lowercasing', () => {
    expect(checkCanaryNameLists(committed)).toEqual([]);
    for (const word of [...committed.surnames, ...committed.companyStems]) expect(word).toMatch(/^[A-Z][a-z]{4,8}$/);
    const all = Object.values(committed).flat();
    expect(new Set(all.map((word) => word.toLowerCase())).size).toBe(all.length);
  });

  it('invent surnames and stems that are no Brown word, and take no given name that Brown writes in lowercase', () => {
    const anyCase = new Set<string>();
    const lowercase = new Set<string>();
    for (const { paragraphs } of loadBrownCorpus()) {
      for (const { tagged } of paragraphs) {
        for (const { words } of tagged) {
          for (const word of words) {
            anyCase.add(word.toLowerCase());
            if (word === word.toLowerCase()) lowercase.add(word);
          }
        }
      }
    }
    expect([...committed.surnames, ...committed.companyStems].filter((word) => anyCase.has(word.toLowerCase()))).toEqual([]);
    expect(committed.givenNames.filter((name) => lowercase.has(name.toLowerCase()))).toEqual([]);
  });

  it('are what build-canary-names generates (rerun it if this fails)', () => {
    const build = buildCanaryNames();
    expect(build.errors).toEqual([]);
    expect(readFileSync(dataPath, 'utf8')).toBe(renderCanaryNamesData(build));
  });
});
