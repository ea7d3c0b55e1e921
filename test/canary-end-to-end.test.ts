/**
 * Canaries across packages: responses built from held-out Brown prose get canaries through the
 * CanaryMarker and then the lexical marker (the order `lineage embed` applies them); after
 * copy edits (case, whitespace, punctuation, re-wrapping with hyphenation) the scanner still
 * finds every canary and names the account; the unmarked prose holds none.
 */
import { keyFromSecret } from '@lineage/core';
import { CanaryScanner } from '@lineage/detect/canary';
import { CanaryMarker } from '@lineage/embed/canary';
import type { CanaryRecord } from '@lineage/embed/ledger';
import { LexicalMarker } from '@lineage/embed/text';
import { brownDocumentTexts } from '@lineage/testbed';
import { describe, expect, it } from 'vitest';

const key = keyFromSecret(new Uint8Array(32).fill(31));

/** Re-wraps text at `width` columns, hyphenating words that cross the margin. */
function rewrap(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  const lines: string[] = [];
  for (let at = 0; at < flat.length; at += width) {
    const piece = flat.slice(at, at + width);
    const cutsWord = /[A-Za-z]$/.test(piece) && /^[A-Za-z]/.test(flat.slice(at + width));
    lines.push(cutsWord ? `${piece}-` : piece);
  }
  return lines.join('\n');
}

const edits: Record<string, (text: string) => string> = {
  verbatim: (t) => t,
  lowercase: (t) => t.toLowerCase(),
  uppercase: (t) => t.toUpperCase(),
  whitespace: (t) => t.replace(/\s+/g, '\n  \t'),
  punctuation: (t) => t.replace(/[.,;:!?()"'\u2019-]/g, ' '),
  rewrapped: (t) => rewrap(t, 37),
  fullwidth: (t) => t.replace(/[A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
};

describe('canaries end to end', () => {
  const documents = brownDocumentTexts('heldout').slice(0, 30);

  it('survive the lexical marker and copy edits, and the scanner names the right account', () => {
    const ledger: CanaryRecord[] = [];
    const canaries = new CanaryMarker({
      key,
      rate: 1,
      capPerDay: 1_000,
      ledger: {
        promptStorage: 'text',
        record: (entry) => void ledger.push(entry),
        recordMany: () => {},
        countForAccountSince: () => 0,
        entries: () => ledger.values(),
        size: () => ledger.length,
        close: () => {},
      },
    });
    const served = documents.map((document, i) => {
      const accountId = `acct-${i % 7}`;
      const withCanary = canaries.mark({ accountId, prompt: `prompt ${i}`, text: document.slice(0, 2_000) });
      expect(withCanary.canary, `document ${i}`).toBeDefined();
      const text = new LexicalMarker({ key, accountId }).mark(withCanary.text);
      expect(text).toContain(withCanary.canary);
      return { accountId, text };
    });
    const scanner = new CanaryScanner(ledger);
    expect(scanner.draws).toBe(documents.length);
    for (const [name, edit] of Object.entries(edits)) {
      served.forEach(({ accountId, text }, i) => {
        const result = scanner.scan(edit(text));
        expect(
          result.hits.map((h) => h.account),
          `${name}, document ${i}`,
        ).toEqual([accountId]);
        expect(result.log10P).toBeLessThan(-10);
      });
    }
    for (const document of documents) expect(scanner.scan(document)).toMatchObject({ hits: [], shapedWindows: 0, pValue: 1 });
  });
});
