import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/logits.ts', 'src/text.ts', 'src/ledger.ts', 'src/canary.ts', 'src/ai-sdk.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
