/**
 * Sliding event-time windows counted in fixed buckets. A window's sum at time
 * `asOf` covers its last `lengthMs / bucketMs` buckets, the one holding
 * `asOf` included, so sums are exact to one bucket; coarser buckets for
 * longer windows keep the state small.
 */
export interface WindowSpec {
  name: WindowName;
  lengthMs: number;
  bucketMs: number;
}

export const WINDOW_NAMES = ['1h', '24h', '7d'] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const WINDOWS: readonly WindowSpec[] = [
  { name: '1h', lengthMs: HOUR, bucketMs: 5 * MINUTE },
  { name: '24h', lengthMs: 24 * HOUR, bucketMs: HOUR },
  { name: '7d', lengthMs: 7 * 24 * HOUR, bucketMs: 6 * HOUR },
];

/** The longest window: state older than this (plus lateness) can no longer count. */
export const LONGEST_WINDOW_MS = Math.max(...WINDOWS.map((window) => window.lengthMs));

/** Per window (in `WINDOWS` order), bucket index -> count. Plain data so it serialises as JSON. */
export type WindowedCounts = Record<string, number>[];

/** One number per window. */
export type WindowSums = Record<WindowName, number>;

export const zeroSums = (): WindowSums => ({ '1h': 0, '24h': 0, '7d': 0 });

/** Adds `n` at event time `time` to every window's bucket, creating the counts when absent. */
export function addCount(counts: WindowedCounts | undefined, time: number, n = 1): WindowedCounts {
  const next: WindowedCounts = counts ?? WINDOWS.map(() => ({}));
  WINDOWS.forEach((window, i) => {
    const bucket = String(Math.floor(time / window.bucketMs));
    const buckets = next[i]!;
    buckets[bucket] = (buckets[bucket] ?? 0) + n;
  });
  return next;
}

/** Each window's sum as of `asOf`; buckets after `asOf` are not counted. */
export function windowSums(counts: WindowedCounts | undefined, asOf: number): WindowSums {
  const sums = zeroSums();
  if (!counts) return sums;
  WINDOWS.forEach((window, i) => {
    const last = Math.floor(asOf / window.bucketMs);
    const first = last - window.lengthMs / window.bucketMs + 1;
    let sum = 0;
    for (const [bucket, count] of Object.entries(counts[i] ?? {})) {
      const index = Number(bucket);
      if (index >= first && index <= last) sum += count;
    }
    sums[window.name] = sum;
  });
  return sums;
}

/** Drops buckets that left every window before `asOf`; returns true when nothing is left. */
export function pruneCounts(counts: WindowedCounts, asOf: number): boolean {
  let empty = true;
  WINDOWS.forEach((window, i) => {
    const first = Math.floor(asOf / window.bucketMs) - window.lengthMs / window.bucketMs + 1;
    const buckets = counts[i] ?? {};
    for (const bucket of Object.keys(buckets)) {
      if (Number(bucket) < first) delete buckets[bucket];
      else empty = false;
    }
  });
  return empty;
}
