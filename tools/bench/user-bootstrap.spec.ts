import { describe, expect, it } from 'vitest';
import { Random } from '@recstream/synth';
import { userBootstrapDifference, type UserTotals } from './user-bootstrap.js';

/** Users whose own click rates spread widely around `mean`, each with many exposures: clustered outcomes. */
function clusteredUsers(random: Random, users: number, mean: number, exposures = 100): UserTotals[] {
  return Array.from({ length: users }, () => {
    const p = Math.min(1, Math.max(0, mean * 2 * random.next()));
    let clicks = 0;
    for (let e = 0; e < exposures; e++) if (random.bernoulli(p)) clicks++;
    return { exposures, outcome: clicks };
  });
}

describe('userBootstrapDifference', () => {
  it('is wider than a per-exposure interval when outcomes cluster by user', () => {
    const random = new Random(3);
    const [a, b] = [clusteredUsers(random, 150, 0.1), clusteredUsers(random, 150, 0.1)];
    const result = userBootstrapDifference(a, b);
    const n = 150 * 100;
    const naiveHalfWidth = 1.96 * Math.sqrt((2 * 0.1 * 0.9) / n);
    expect((result.high - result.low) / 2).toBeGreaterThan(1.5 * naiveHalfWidth);
    expect(result.low).toBeLessThan(0);
    expect(result.high).toBeGreaterThan(0);
  });

  it('finds a real difference and brackets its point estimate', () => {
    const random = new Random(4);
    const result = userBootstrapDifference(clusteredUsers(random, 300, 0.15), clusteredUsers(random, 300, 0.08));
    expect(result.low).toBeGreaterThan(0);
    expect(result.low).toBeLessThan(result.difference);
    expect(result.high).toBeGreaterThan(result.difference);
  });

  it('is deterministic by seed, and says what is missing', () => {
    const random = new Random(5);
    const [a, b] = [clusteredUsers(random, 50, 0.1), clusteredUsers(random, 50, 0.1)];
    expect(userBootstrapDifference(a, b, { seed: 9 })).toEqual(userBootstrapDifference(a, b, { seed: 9 }));
    expect(() => userBootstrapDifference([], b)).toThrow(/at least one user/);
  });
});
