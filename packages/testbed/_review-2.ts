import { createTokenizer } from '@lineage/core/tokenizer';
import { brownTokenDocuments, trainOnBrown } from './src/brown-training.js';

const model = trainOnBrown({ order: 4 });
const B = model.boundaryId;
const tok = createTokenizer({ encoding: 'o200k_base' });
const show = (ctx: number[]) =>
  console.log(
    JSON.stringify(ctx.map((t) => (t === B ? '<B>' : tok.decode([t])))),
    model
      .topLogProbs(ctx, 8)
      .map((t) => `${t.token === B ? '<B>' : JSON.stringify(tok.decode([t.token]))}:${Math.exp(t.logProb).toFixed(4)}`)
      .join(' '),
  );
show([B]);
show([]);
const first = new Map<number, number>();
let n = 0;
for (const d of brownTokenDocuments('train')) {
  if (d.length) {
    first.set(d[0]!, (first.get(d[0]!) ?? 0) + 1);
    n++;
  }
}
console.log(
  'empirical first tokens:',
  [...first]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([t, c]) => `${JSON.stringify(tok.decode([t]))}:${(c / n).toFixed(4)}`)
    .join(' '),
);
// trie: children of B at level 2 and their counts
const trie = model.trie;
const nodeB = trie.findChild(0, 0, B);
const l1 = trie.levels[1]!;
const l2 = trie.levels[2]!;
let kids = 0,
  sum = 0;
const counts: number[] = [];
for (let x = l1.childStart[nodeB]!; x < l1.childStart[nodeB + 1]!; x++) {
  kids++;
  sum += l2.counts[x]!;
  counts.push(l2.counts[x]!);
}
console.log('B children', kids, 'sum of continuation counts', sum, 'max', Math.max(...counts));
// held-out perplexity of the first token of each paragraph
let nl = 0,
  m = 0;
for (const d of brownTokenDocuments('heldout')) {
  if (d.length) {
    nl -= model.logProb([B], d[0]!);
    m++;
  }
}
console.log('held-out first-token perplexity after [B]:', Math.exp(nl / m));
let nl2 = 0;
// with a longer context: previous paragraph end ". <B>"
const dot = tok.encode('.')[0]!;
for (const d of brownTokenDocuments('heldout')) {
  if (d.length) {
    nl2 -= model.logProb([dot, B], d[0]!);
  }
}
console.log('held-out first-token perplexity after [".", B]:', Math.exp(nl2 / m));
show([dot, B]);
tok.dispose();
