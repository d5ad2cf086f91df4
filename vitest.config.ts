import { defaultServerConditions } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';

// Workspace libs export their TypeScript sources under this condition, so tests
// run against src without a build step.
const SOURCE_CONDITION = '@recstream/source';

export default defineConfig({
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    projects: [
      {
        extends: true,
        // Timeouts only catch hangs: the exhaustive property specs (30,000 event mutations, 18,000 partitioner keys) took
        // 3.5-4.4 s alone and over 5 s beside the rest of the suite on a slow 2-core machine.
        test: { name: 'unit', include: ['{libs,apps}/*/src/**/*.spec.ts', 'tools/**/*.spec.ts'], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{libs,apps}/*/__tests__/**/*.test.ts'],
          exclude: [...configDefaults.exclude, '**/*.cluster.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        // Each file starts a Kafka cluster (3 JVMs) or a Redis Cluster of its own: npm run test:cluster runs one file at a time.
        test: {
          name: 'cluster',
          include: ['{libs,apps}/*/__tests__/**/*.cluster.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
