import { SeededRandom } from '@lineage/core';
import { trainOnBrown } from './src/brown-training.js';

const t0 = performance.now();
const model = trainOnBrown({ order: 4 });
console.log('train s', (performance.now() - t0) / 1000, model.info.trainingTokens, model.trie.entries);
const B = model.boundaryId;
const rnd = new SeededRandom('x');
const ctxs = [[B], [], [B, 791, 1253]];
for (const T of [0.001, 0.002, 0.01, 0.05]) {
  for (const ctx of ctxs) {
    const d = model.distribution(ctx, { temperature: T });
    let s = 0,
      nan = 0,
      arg = 0;
    for (let i = 0; i < d.length; i++) {
      if (Number.isNaN(d[i])) nan++;
      else s += d[i]!;
      if ((d[i] ?? 0) > (d[arg] ?? 0)) arg = i;
    }
    const greedy = model.sample(ctx, rnd, { temperature: 0 });
    const samples = Array.from({ length: 5 }, () => model.sample(ctx, rnd, { temperature: T }));
    const nuc = Array.from({ length: 3 }, () => model.sample(ctx, rnd, { temperature: T, topP: 0.9 }));
    const dn = model.distribution(ctx, { temperature: T, topP: 0.9 });
    let nn = 0;
    for (const v of dn) if (Number.isNaN(v)) nn++;
    console.log(
      `T=${T} ctx=${JSON.stringify(ctx)} sum=${s.toFixed(4)} NaN=${nan} argmax=${arg} greedy=${greedy} samples=${samples} nucleus=${nuc} nucNaN=${nn}`,
    );
  }
}
