import { describe, expect, it } from 'vitest';
import { differenceInterval } from './intervals.js';

// Wilson 95% intervals of 56/70, 48/80, 9/10 and 3/10, and the difference
// intervals Newcombe (Statistics in Medicine, 1998) tabulates for method 10.
const p56of70 = { rate: 0.8, low: 0.691834, high: 0.876953 };
const p48of80 = { rate: 0.6, low: 0.490455, high: 0.700382 };
const p9of10 = { rate: 0.9, low: 0.59585, high: 0.982124 };
const p3of10 = { rate: 0.3, low: 0.107791, high: 0.603222 };

describe('differenceInterval', () => {
  it("reproduces Newcombe's published intervals", () => {
    const first = differenceInterval(p56of70, p48of80);
    expect(first.rate).toBeCloseTo(0.2, 10);
    expect(first.low).toBeCloseTo(0.0524, 4);
    expect(first.high).toBeCloseTo(0.3339, 4);
    const second = differenceInterval(p9of10, p3of10);
    expect(second.low).toBeCloseTo(0.1705, 4);
    expect(second.high).toBeCloseTo(0.809, 4);
  });

  it('mirrors when treatment and control swap', () => {
    const swapped = differenceInterval(p48of80, p56of70);
    expect(swapped.rate).toBeCloseTo(-0.2, 10);
    expect(swapped.low).toBeCloseTo(-0.3339, 4);
    expect(swapped.high).toBeCloseTo(-0.0524, 4);
  });

  it('is asymmetric around the difference when one rate is near 0', () => {
    const rare = differenceInterval({ rate: 0.01, low: 0.004, high: 0.024 }, { rate: 0.005, low: 0.0015, high: 0.016 });
    expect(rare.rate - rare.low).toBeLessThan(rare.high - rare.rate);
    expect(rare.low).toBeLessThan(0);
  });
});
