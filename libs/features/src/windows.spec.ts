import { describe, expect, it } from 'vitest';
import { addCount, pruneCounts, windowSums } from './windows.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 2, 1); // aligned to every bucket size

describe('windowed counts', () => {
  it('sums each window over its own span, as of a time', () => {
    let counts = addCount(undefined, T0);
    counts = addCount(counts, T0 + 30 * MIN);
    counts = addCount(counts, T0 + 7 * HOUR);
    counts = addCount(counts, T0 + 2 * 24 * HOUR, 5);
    expect(windowSums(counts, T0 + 30 * MIN)).toEqual({ '1h': 2, '24h': 2, '7d': 2 });
    expect(windowSums(counts, T0 + 7 * HOUR)).toEqual({ '1h': 1, '24h': 3, '7d': 3 });
    expect(windowSums(counts, T0 + 2 * 24 * HOUR)).toEqual({ '1h': 5, '24h': 5, '7d': 8 });
    expect(windowSums(counts, T0 + 8 * 24 * HOUR)).toEqual({ '1h': 0, '24h': 0, '7d': 5 });
    expect(windowSums(counts, T0 + 9 * 24 * HOUR)).toEqual({ '1h': 0, '24h': 0, '7d': 0 });
  });

  it('does not count buckets after the as-of time', () => {
    const counts = addCount(addCount(undefined, T0), T0 + 7 * HOUR);
    expect(windowSums(counts, T0 + 10 * MIN)).toEqual({ '1h': 1, '24h': 1, '7d': 1 });
  });

  it('is exact to one bucket at the window edge', () => {
    const counts = addCount(undefined, T0);
    // The 1h window at T0+59m covers buckets [T0, T0+60m): still counted; at T0+60m it has left.
    expect(windowSums(counts, T0 + 59 * MIN)['1h']).toBe(1);
    expect(windowSums(counts, T0 + 60 * MIN)['1h']).toBe(0);
  });

  it('prunes buckets no window can count any more, sums what is left, and says when nothing is left', () => {
    const counts = addCount(addCount(undefined, T0), T0 + 2 * HOUR);
    expect(pruneCounts(counts, T0 + 2 * HOUR)).toEqual({ '1h': 1, '24h': 2, '7d': 2 });
    expect(Object.keys(counts[0]!)).toEqual([String((T0 + 2 * HOUR) / (5 * MIN))]);
    expect(windowSums(counts, T0 + 2 * HOUR)).toEqual({ '1h': 1, '24h': 2, '7d': 2 });
    expect(pruneCounts(addCount(undefined, T0 + 48 * HOUR), T0 + 2 * HOUR)).toEqual({ '1h': 0, '24h': 0, '7d': 0 });
    expect(pruneCounts(counts, T0 + 8 * 24 * HOUR)).toBeUndefined();
  });
});
