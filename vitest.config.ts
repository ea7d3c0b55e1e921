import { defineConfig } from 'vitest/config';

// Tests run against TypeScript sources through the `@lineage/source` export condition.
const shared = {
  resolve: { conditions: ['@lineage/source'] },
  ssr: { resolve: { conditions: ['@lineage/source'] } },
};

export default defineConfig({
  ...shared,
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
    projects: [
      {
        ...shared,
        test: {
          name: 'fast',
          include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'benchmarks/src/**/*.test.ts'],
          exclude: ['**/*.slow.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'slow',
          include: ['packages/*/src/**/*.slow.test.ts', 'test/**/*.slow.test.ts'],
          testTimeout: 600_000,
        },
      },
    ],
  },
});
