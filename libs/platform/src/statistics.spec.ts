import { describe, expect, it } from 'vitest';
import { differenceInterval, pairedDifferenceInterval, ratioInterval, ratioMoments, sampleRatioMismatch, Z_95 } from './statistics.js';

describe('ratioInterval (delta method over users)', () => {
  it('matches a hand computation', () => {
    // Users' (exposures, clicks): (2, 1), (4, 0), (6, 3). R = 4/12; s_xx = 4, s_yy = 7/3, s_xy = 2, mean x = 4;
    // Var = (7/3 − 2·(1/3)·2 + (1/9)·4) / (3 · 16) = 13/432.
    const m = ratioMoments([
      { x: 2, y: 1 },
      { x: 4, y: 0 },
      { x: 6, y: 3 },
    ]);
    expect(m).toEqual({ units: 3, x: 12, y: 4, xx: 56, yy: 10, xy: 20 });
    const ctr = ratioInterval(m);
    expect(ctr.rate).toBeCloseTo(1 / 3, 12);
    expect(ctr.se).toBeCloseTo(Math.sqrt(13 / 432), 12);
    expect(ctr.low).toBeCloseTo(1 / 3 - Z_95 * Math.sqrt(13 / 432), 12);
    expect(ctr.high).toBeCloseTo(1 / 3 + Z_95 * Math.sqrt(13 / 432), 12);
  });

  it('is the binomial variance p(1 − p)/(n − 1) when every user has one exposure', () => {
    const users = [...Array.from({ length: 30 }, () => ({ x: 1, y: 1 })), ...Array.from({ length: 70 }, () => ({ x: 1, y: 0 }))];
    expect(ratioInterval(ratioMoments(users)).se).toBeCloseTo(Math.sqrt((0.3 * 0.7) / 99), 12);
  });

  it('is wider than the per-exposure interval when clicks cluster by user', () => {
    // 10 users, 20 exposures each; 2 users click 10 times each, the rest never: CTR 0.1.
    const users = Array.from({ length: 10 }, (_, u) => ({ x: 20, y: u < 2 ? 10 : 0 }));
    const ctr = ratioInterval(ratioMoments(users));
    expect(ctr.rate).toBeCloseTo(0.1, 12);
    // s_yy = (2·100 − 20²/10)/9 = 160/9, covariances with x are 0: Var = (160/9)/(10·400).
    expect(ctr.se).toBeCloseTo(Math.sqrt(160 / 9 / 4000), 12);
    expect(ctr.se).toBeGreaterThan(3 * Math.sqrt((0.1 * 0.9) / 200));
  });

  it('is unbounded with fewer than two users', () => {
    expect(ratioInterval(ratioMoments([{ x: 5, y: 1 }]))).toEqual({ rate: 0.2, se: Infinity, low: -Infinity, high: Infinity });
    expect(ratioInterval(ratioMoments([])).rate).toBe(0);
  });
});

describe('differenceInterval', () => {
  it('adds independent variances', () => {
    const diff = differenceInterval({ rate: 0.15, se: 0.03, low: 0, high: 0 }, { rate: 0.05, se: 0.04, low: 0, high: 0 });
    expect(diff.rate).toBeCloseTo(0.1, 12);
    expect(diff.se).toBeCloseTo(0.05, 12);
    expect(diff.low).toBeCloseTo(0.1 - Z_95 * 0.05, 12);
    expect(diff.high).toBeCloseTo(0.1 + Z_95 * 0.05, 12);
  });
});

describe('pairedDifferenceInterval (pairs clustered by user)', () => {
  it('gives the standard error of the users\' mean differences, wider than pairs taken as independent', () => {
    // Users with two pairs each, differing by 1, 2, 3 and 4 in both: the users' means have sd sqrt(5/3), over 2 users' worth of sqrt(4).
    const estimate = pairedDifferenceInterval([1, 2, 3, 4].map((d) => ({ pairs: 2, difference: 2 * d })));
    expect(estimate.rate).toBeCloseTo(2.5, 12);
    expect(estimate.se).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
    expect(estimate.low).toBeCloseTo(2.5 - Z_95 * estimate.se, 12);
    const perPair = Math.sqrt(10 / 7) / Math.sqrt(8);
    expect(estimate.se).toBeGreaterThan(perPair * 1.4);
  });

  it('weights each user by their pairs, and has no width when every pair differs alike', () => {
    expect(pairedDifferenceInterval([{ pairs: 3, difference: 3 }, { pairs: 1, difference: 3 }]).rate).toBeCloseTo(1.5, 12);
    const constant = pairedDifferenceInterval([1, 4, 9].map((pairs) => ({ pairs, difference: 0.01 * pairs })));
    expect(constant.rate).toBeCloseTo(0.01, 12);
    expect(constant.se).toBeLessThan(1e-9);
  });
});

describe('sampleRatioMismatch', () => {
  it('gives textbook chi-square p-values', () => {
    // 50/50 shares, 540 against 460: chi-square = 2·40²/500 = 6.4 with 1 degree of freedom, p = 0.011412.
    const split = sampleRatioMismatch([540, 460], [0.5, 0.5]);
    expect(split.chiSquare).toBeCloseTo(6.4, 12);
    expect(split.degreesOfFreedom).toBe(1);
    expect(split.pValue).toBeCloseTo(0.011412, 6);
    expect(split.mismatch).toBe(false);
    // The 95% critical values: 3.841459 (1 df), 7.814728 (3 df); with 2 df, p = exp(−χ²/2) exactly.
    expect(sampleRatioMismatch([1_000 + Math.sqrt(3.841459 * 500), 1_000 - Math.sqrt(3.841459 * 500)], [1, 1]).pValue).toBeCloseTo(0.05, 6);
    const threeWay = sampleRatioMismatch([110, 100, 90], [1, 1, 1]);
    expect(threeWay.chiSquare).toBeCloseTo(2, 12);
    expect(threeWay.pValue).toBeCloseTo(Math.exp(-1), 10);
  });

  it('flags a split far off its shares and reads shares as proportions', () => {
    // Chi-square 16 with 1 degree of freedom: p = erfc(√8) = 6.334248e-5.
    const off = sampleRatioMismatch([5_200, 4_800], [0.5, 0.5]);
    expect(off.pValue / 6.334248e-5).toBeCloseTo(1, 5);
    expect(off.mismatch).toBe(true);
    expect(sampleRatioMismatch([9_000, 1_000], [9, 1])).toMatchObject({ chiSquare: 0, pValue: 1, mismatch: false });
    expect(sampleRatioMismatch([0, 0], [0.5, 0.5]).pValue).toBe(1);
  });

  it('refuses counts without a share each', () => {
    expect(() => sampleRatioMismatch([1, 2], [1])).toThrow(/one share per variant/);
  });
});
