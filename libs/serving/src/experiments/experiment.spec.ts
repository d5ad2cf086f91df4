import { describe, expect, it } from 'vitest';
import { assign, assignNamed, bucket, type Experiment } from './experiment.js';

const variant = (name: string, share: number) => ({ name, share, recallVersion: null, rankingVersion: null, strategy: {}, online: 'follow' as const });
const experiment: Experiment = { id: 'exp-a', surface: 'home', variants: [variant('a', 0.1), variant('b', 0.3), variant('c', 0.6)] };
const users = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

describe('bucket', () => {
  it('puts a user in the same variant every time', () => {
    for (const user of users.slice(0, 100)) expect(bucket(experiment, user)).toBe(bucket(experiment, user));
  });

  it('matches the configured shares within two points', () => {
    const counts = new Map<string, number>();
    for (const user of users) counts.set(bucket(experiment, user).name, (counts.get(bucket(experiment, user).name) ?? 0) + 1);
    for (const { name, share } of experiment.variants) expect(Math.abs(counts.get(name)! / users.length - share)).toBeLessThan(0.02);
  });

  it('buckets independently per experiment', () => {
    const other: Experiment = { ...experiment, id: 'exp-b', variants: [variant('a', 0.5), variant('b', 0.5)] };
    const first: Experiment = { ...experiment, variants: [variant('a', 0.5), variant('b', 0.5)] };
    const same = users.filter((user) => bucket(first, user).name === bucket(other, user).name).length / users.length;
    expect(Math.abs(same - 0.5)).toBeLessThan(0.02);
  });
});

describe('assign', () => {
  it('runs an experiment only on its surface, and a surface-less one everywhere', () => {
    expect(assign([experiment], 'u', 'search')).toBeUndefined();
    expect(assign([experiment], 'u', 'home')?.experiment).toBe('exp-a');
    expect(assign([{ ...experiment, surface: null }], 'u', undefined)?.experiment).toBe('exp-a');
  });
});

describe('assignNamed', () => {
  it("picks the named variant of the surface's experiment whatever the user's bucket, and nothing for an unknown name or surface", () => {
    expect(assignNamed([experiment], 'home', 'b')).toEqual({ experiment: 'exp-a', variant: experiment.variants[1] });
    expect(assignNamed([experiment], 'home', 'd')).toBeUndefined();
    expect(assignNamed([experiment], 'search', 'b')).toBeUndefined();
  });
});
