import { viewCatalogue } from './view-catalogue.js';

export type { WindowSpec } from './view-catalogue.js';

/**
 * Sliding event-time windows counted in fixed buckets, as the view
 * catalogue declares them. A window's sum at time `asOf` covers its last
 * `lengthMs / bucketMs` buckets, the one holding `asOf` included, so sums
 * are exact to one bucket; coarser buckets for longer windows keep the
 * state small.
 *
 * Per window (in the catalogue's order), bucket index -> count. Plain data so it serialises as JSON. */
export type WindowedCounts = Record<string, number>[];

/** One number per window, by the window's name. */
export type WindowSums = Record<string, number>;

export const zeroSums = (): WindowSums => Object.fromEntries(viewCatalogue().windows.map((window) => [window.name, 0]));

/** Adds `n` at event time `time` to every window's bucket, creating the counts when absent. */
export function addCount(counts: WindowedCounts | undefined, time: number, n = 1): WindowedCounts {
  const { windows } = viewCatalogue();
  const next: WindowedCounts = counts ?? windows.map(() => ({}));
  for (let i = 0; i < windows.length; i++) {
    const bucket = String(Math.floor(time / windows[i]!.bucketMs));
    const buckets = (next[i] ??= {});
    buckets[bucket] = (buckets[bucket] ?? 0) + n;
  }
  return next;
}

/** Each window's sum as of `asOf`; buckets after `asOf` are not counted. */
export function windowSums(counts: WindowedCounts | undefined, asOf: number): WindowSums {
  const sums = zeroSums();
  if (!counts) return sums;
  viewCatalogue().windows.forEach((window, i) => {
    const last = Math.floor(asOf / window.bucketMs);
    const first = last - window.lengthMs / window.bucketMs + 1;
    let sum = 0;
    for (const bucket in counts[i]) {
      const index = Number(bucket);
      if (index >= first && index <= last) sum += counts[i]![bucket]!;
    }
    sums[window.name] = sum;
  });
  return sums;
}

/** Drops buckets that left every window before `asOf`; returns true when nothing is left. */
export function pruneCounts(counts: WindowedCounts, asOf: number): boolean {
  let empty = true;
  viewCatalogue().windows.forEach((window, i) => {
    const first = Math.floor(asOf / window.bucketMs) - window.lengthMs / window.bucketMs + 1;
    const buckets = counts[i] ?? {};
    for (const bucket of Object.keys(buckets)) {
      if (Number(bucket) < first) delete buckets[bucket];
      else empty = false;
    }
  });
  return empty;
}
