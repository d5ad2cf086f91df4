import { setFlagsFromString } from 'node:v8';

/**
 * The Node options serving runs with, wherever it is deployed
 * (infra/k8s/serving.yaml, docker-compose.yml, bench:serve; deploy.spec
 * keeps them in step).
 *
 * Larger semi-spaces scavenge less often, so fewer requests in flight are
 * promoted (docs/decisions/serving-v8-flags.md).
 */
export const SERVING_NODE_OPTIONS = '--max-semi-space-size=64';

/**
 * V8 flags serving sets on itself as it starts (`applyServingV8Flags`):
 * Node refuses them in NODE_OPTIONS, and V8 reads them at every collection.
 *
 * A fixed growth factor of 2 stops V8's own choice from running full
 * collections every few seconds (docs/decisions/serving-v8-flags.md).
 */
export const SERVING_V8_FLAGS = ['--heap-growing-percent=100'] as const;

export function applyServingV8Flags(): void {
  for (const flag of SERVING_V8_FLAGS) setFlagsFromString(flag);
}
