import { viewCatalogue, type WindowSpec } from './view-catalogue.js';

export type { WindowSpec };

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

let zero: { windows: readonly WindowSpec[]; sums: WindowSums } | undefined;

/** Zero for every window; copied from one made per catalogue, as views' defaults take several per entity. */
export function zeroSums(): WindowSums {
  const { windows } = viewCatalogue();
  if (zero?.windows !== windows) zero = { windows, sums: Object.fromEntries(windows.map((window) => [window.name, 0])) };
  return { ...zero.sums };
}

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

/** Each window's sum as of `asOf`, leaving `counts` as they are; buckets after `asOf` are not counted. */
export function windowSums(counts: WindowedCounts | undefined, asOf: number): WindowSums {
  return (counts && pruneCounts(structuredClone(counts), asOf)) ?? zeroSums();
}

/**
 * Drops buckets that left every window before `asOf` and, in the same pass,
 * sums each window as of `asOf` (buckets after `asOf` are not counted);
 * undefined when nothing is left.
 */
export function pruneCounts(counts: WindowedCounts, asOf: number): WindowSums | undefined {
  const { windows } = viewCatalogue();
  const sums: WindowSums = {};
  let empty = true;
  for (let i = 0; i < windows.length; i++) {
    const window = windows[i]!;
    const buckets = counts[i];
    const last = Math.floor(asOf / window.bucketMs);
    const first = last - window.lengthMs / window.bucketMs + 1;
    let sum = 0;
    for (const bucket in buckets) {
      const index = Number(bucket);
      if (index < first) delete buckets[bucket];
      else {
        empty = false;
        if (index <= last) sum += buckets[bucket]!;
      }
    }
    sums[window.name] = sum;
  }
  return empty ? undefined : sums;
}
