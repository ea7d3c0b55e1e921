import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/detect-text.ts', 'src/probe.ts', 'src/canary.ts', 'src/attribution.ts', 'src/report.ts', 'src/suspect.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
