import { SeededRandom } from '@lineage/core';
import { trainOnBrown } from './src/brown-training.js';
import { generateTokens } from './src/generation.js';

const model = trainOnBrown({ order: 4 });
const B = model.boundaryId;
const rnd = new SeededRandom('p');
function rate(label: string, opts: (i: number) => any, n = 20000) {
  const ctx: number[] = [B];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = model.sample(ctx, rnd, opts(i));
    ctx.push(t);
    if (ctx.length > 8) ctx.shift();
  }
  console.log(label, Math.round(n / ((performance.now() - t0) / 1000)), 'tok/s');
}
rate('T=1', () => ({}));
rate('T=0.7', () => ({ temperature: 0.7 }));
rate('T=0.7 top_p=0.9', () => ({ temperature: 0.7, topP: 0.9 }));
rate('top_p=0.95', () => ({ topP: 0.95 }));
rate('alternating T=0.7/0.8 (two interleaved requests)', (i) => ({ temperature: i % 2 ? 0.7 : 0.8 }), 2000);
rate('T=0.3 noBoundary', () => ({ temperature: 0.3, allowBoundary: false }));
const out = new Float32Array(model.vocabSize);
let t0 = performance.now();
const ctx = [B];
for (let i = 0; i < 2000; i++) {
  model.distribution(ctx, {}, out);
}
console.log('distribution', Math.round(2000 / ((performance.now() - t0) / 1000)), '/s');
t0 = performance.now();
for (let i = 0; i < 500; i++) {
  model.topLogProbs([B, 791], 20);
}
console.log('topLogProbs(20)', Math.round(500 / ((performance.now() - t0) / 1000)), '/s');
