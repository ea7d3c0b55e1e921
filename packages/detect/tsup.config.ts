import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/detect-text.ts', 'src/probe.ts', 'src/canary.ts', 'src/attribution.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
