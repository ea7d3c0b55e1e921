import { SeededRandom } from '@lineage/core';
import { trainNgramModel } from './src/ngram-training.js';

const random = new SeededRandom('exact');
const docs = Array.from({ length: 80 }, () => Array.from({ length: random.nextInt(6) }, () => random.nextInt(10)));
const model = trainNgramModel(docs, { order: 3, encoding: 'cl100k_base' });
const B = model.boundaryId;
for (const [ctx, mode] of [
  [[9, 9], { temperature: 0.5, allowBoundary: false }],
  [[9, 9], { temperature: 0.5 }],
  [[9, 9], { temperature: 0.6, allowBoundary: false }],
] as const) {
  const r = new SeededRandom('again' + JSON.stringify(mode));
  const dense = model.distribution(ctx as any, mode);
  const n = 400000;
  const obs = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const t = model.sample(ctx as any, r, mode);
    obs.set(t, (obs.get(t) ?? 0) + 1);
  }
  let chi = 0;
  let rest = n,
    restE = n;
  for (const t of [...Array(10).keys(), B]) {
    const e = n * dense[t]!;
    const o = obs.get(t) ?? 0;
    rest -= o;
    restE -= e;
    if (e > 0) chi += (o - e) ** 2 / e;
    console.log(t, o, e.toFixed(1), ((o - e) / Math.sqrt(e || 1)).toFixed(2));
  }
  console.log('rest', rest, restE.toFixed(1), JSON.stringify(mode), 'chi', chi.toFixed(1));
}
