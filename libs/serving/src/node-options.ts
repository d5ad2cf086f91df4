import { setFlagsFromString } from 'node:v8';

/**
 * The Node options serving runs with, wherever it is deployed
 * (infra/k8s/serving.yaml, docker-compose.yml, bench:serve; deploy.spec
 * keeps them in step).
 *
 * A request allocates about 0.7 MB, so at 250 requests/s a process fills
 * V8's default 16 MB young generation every ~60 ms, and whatever is in
 * flight at that moment is copied, then promoted, and later marked by a
 * full collection. 64 MB semi-spaces scavenge about 3.5 times less often:
 * 90-120 scavenges instead of 300-450 per process over bench:serve's 25 s,
 * 1.0-1.3 s of scavenging instead of 1.6-2.1 s, and a lower p99 in each of
 * 5 interleaved pairs of runs (53 against 89 ms at best, 113 against 329
 * at worst). Each process's young generation costs up to 192 MB more.
 */
export const SERVING_NODE_OPTIONS = '--max-semi-space-size=64';

/**
 * V8 flags serving sets on itself as it starts (`applyServingV8Flags`):
 * Node refuses them in NODE_OPTIONS, and V8 reads them at every collection.
 *
 * After each full collection V8 lets the old generation grow by a factor it
 * derives from how fast it collects; for serving, whose live heap (~70 MB)
 * changes little, that left room for only a few seconds of promotions, and
 * from about a minute after start a process ran a full collection every 4-5
 * s. A fixed factor of 2 measured p99 10.3, 9.4 and 7.0 ms against 17.0, 35.1
 * and 31.2 at 500 requests/s (interleaved, 78-99 s after start), with 0-1
 * full collections per measured 20 s instead of 4-9. The old generation may
 * grow to about twice the live heap between collections.
 */
export const SERVING_V8_FLAGS = ['--heap-growing-percent=100'] as const;

export function applyServingV8Flags(): void {
  for (const flag of SERVING_V8_FLAGS) setFlagsFromString(flag);
}
