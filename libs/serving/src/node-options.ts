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
