import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace libs export their TypeScript sources under this condition, so tests
// run against src without a build step.
const SOURCE_CONDITION = '@recstream/source';

export default defineConfig({
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{libs,apps}/*/src/**/*.spec.ts', 'tools/**/*.spec.ts'] },
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
