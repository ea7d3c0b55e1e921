import { SeededRandom } from '@lineage/core';
import { trainOnBrown } from './src/brown-training.js';

const model = trainOnBrown({ order: 4 });
const B = model.boundaryId;
const rnd = new SeededRandom('p');
const ctx: number[] = [B];
const t0 = performance.now();
for (let i = 0; i < 20000; i++) {
  const t = model.sample(ctx, rnd, { temperature: 0.7 });
  ctx.push(t);
  if (ctx.length > 8) ctx.shift();
}
console.log(performance.now() - t0);
