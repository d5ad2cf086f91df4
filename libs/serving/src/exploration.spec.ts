import { describe, expect, it } from 'vitest';
import { Random } from '@recstream/synth';
import { sampleBeta, samplePool } from './exploration.js';

describe('samplePool', () => {
  const pool = Array.from({ length: 100 }, (_, i) => i);

  it('draws distinct items, small and large samples alike', () => {
    const random = new Random(1);
    for (const n of [5, 80, 100, 150]) {
      const sample = samplePool(pool, n, () => random.next());
      expect(sample).toHaveLength(Math.min(n, pool.length));
      expect(new Set(sample).size).toBe(sample.length);
    }
  });

  it('draws every item about equally often', () => {
    const random = new Random(2);
    const counts = new Array(pool.length).fill(0);
    for (let i = 0; i < 4_000; i++) for (const item of samplePool(pool, 5, () => random.next())) counts[item]++;
    // 200 expected per item; 4 standard deviations is about 56.
    expect(Math.min(...counts)).toBeGreaterThan(140);
    expect(Math.max(...counts)).toBeLessThan(260);
  });
});

describe('sampleBeta', () => {
  it('has the mean a / (a + b)', () => {
    const random = new Random(3);
    for (const [a, b] of [[1, 1], [2, 8], [30, 10], [0.5, 0.5]] as const) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += sampleBeta(a, b, () => random.next());
      expect(sum / 20_000).toBeCloseTo(a / (a + b), 2);
    }
  });
});
