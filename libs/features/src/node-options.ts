/**
 * The Node options the feature builder runs with, wherever it is deployed
 * (infra/k8s/feature-builder.yaml, docker-compose.yml, bench:features), and
 * the backfill, which folds alike (its npm scripts; deploy.spec keeps them
 * all in step).
 *
 * Larger semi-spaces: a chunk's events, states and history rows outlive
 * the default young generation, so they were copied, promoted and collected
 * again (docs/decisions/feature-builder-cpu.md).
 */
export const FEATURE_BUILDER_NODE_OPTIONS = '--max-semi-space-size=64';
