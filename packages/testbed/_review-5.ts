import { SeededRandom } from '@lineage/core';
import { trainNgramModel } from './src/ngram-training.js';

const random = new SeededRandom('exact');
const docs = Array.from({ length: 80 }, () => Array.from({ length: random.nextInt(6) }, () => random.nextInt(10)));
const model = trainNgramModel(docs, { order: 3, encoding: 'cl100k_base' });
const B = model.boundaryId;
const contexts = [[], [B], [0], [3, B], [9, 9], [1, 2], [5]];
const modes = [
  { allowBoundary: false },
  { temperature: 0.5, allowBoundary: false },
  { temperature: 1.7, allowBoundary: false },
  { topP: 0.7, allowBoundary: false },
  { temperature: 0.4, topP: 0.95, allowBoundary: false },
  { temperature: 0.5 },
  { temperature: 1.9 },
];
let worst = 0;
for (const ctx of contexts)
  for (const mode of modes) {
    const dense = model.distribution(ctx, mode);
    const n = 40000;
    const obs = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const t = model.sample(ctx, random, mode);
      if (!(dense[t]! > 0)) console.log('ZERO-PROB SAMPLE', ctx, mode, t);
      obs.set(t, (obs.get(t) ?? 0) + 1);
    }
    let chi = 0,
      cells = 0,
      pe = n,
      po = n;
    for (const t of [...Array(10).keys(), B]) {
      const e = n * dense[t]!;
      const o = obs.get(t) ?? 0;
      pe -= e;
      po -= o;
      if (e < 1) {
        if (o > 5) console.log('excess', ctx, mode, t, o, e);
        continue;
      }
      chi += (o - e) ** 2 / e;
      cells++;
    }
    if (pe > 5) {
      chi += (po - pe) ** 2 / pe;
      cells++;
    }
    worst = Math.max(worst, chi / cells);
    if (chi / cells > 2) console.log('BAD', JSON.stringify(ctx), JSON.stringify(mode), chi.toFixed(1), cells);
  }
console.log('worst chi/cell', worst.toFixed(2));
// greedy with allowBoundary false vs argmax of the distribution
for (const ctx of contexts) {
  const d = model.distribution(ctx, { allowBoundary: false });
  let a = 0;
  for (let i = 0; i < d.length; i++) if (d[i]! > d[a]!) a = i;
  const g = model.sample(ctx, random, { temperature: 0, allowBoundary: false });
  if (a !== g) console.log('greedy mismatch', ctx, a, g);
}
