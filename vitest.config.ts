import { defineConfig } from 'vitest/config';

// Workspace libs export their TypeScript sources under this condition, so tests
// run against src without a build step.
const conditions = ['@recstream/source', 'import', 'module', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@recstream/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{libs,apps}/*/src/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{libs,apps}/*/__tests__/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
