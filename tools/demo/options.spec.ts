import { describe, expect, it } from 'vitest';
import { DEFAULT_WORLD_OPTIONS } from '@recstream/synth';
import { DEFAULT_LOOP_OPTIONS, parseLoopOptions } from './options.js';

describe('parseLoopOptions', () => {
  it("keeps synth's world defaults under the demo's size, without a start", () => {
    const options = parseLoopOptions([]);
    expect(options).toEqual(DEFAULT_LOOP_OPTIONS);
    expect(options.world).not.toHaveProperty('start');
    expect(options.world).toMatchObject({ users: 500, items: 800, days: 4, seed: 42, tasteDrift: DEFAULT_WORLD_OPTIONS.tasteDrift });
  });

  it('sets every world option and the loop from flags', () => {
    const options = parseLoopOptions([
      ...['--seed', '7', '--users', '90', '--items', '120', '--categories', '6', '--dim', '4', '--days', '2'],
      ...['--sessions-per-day', '1.5', '--lists-per-session', '3', '--list-size', '8', '--zipf', '0.8', '--drift', '0.1', '--new-item-share', '0.2', '--tags', '0'],
      ...['--rounds', '5', '--round-users', '60', '--recall-epochs', '2', '--ranking-epochs', '1'],
    ]);
    expect(options).toEqual({
      world: { seed: 7, users: 90, items: 120, categories: 6, dim: 4, days: 2, sessionsPerUserPerDay: 1.5, listsPerSession: 3, listSize: 8, zipfExponent: 0.8, tasteDrift: 0.1, newItemShare: 0.2, tagsPerItem: 0 },
      rounds: 5,
      roundUsers: 60,
      recallEpochs: 2,
      rankingEpochs: 1,
    });
  });

  it('names the flag to fix', () => {
    expect(() => parseLoopOptions(['--userz', '5'])).toThrow(/Unknown option '--userz'; the flags are --seed, --users/);
    expect(() => parseLoopOptions(['--users', 'many'])).toThrow("--users must be a number, got 'many'");
    expect(() => parseLoopOptions(['--users', '2.5'])).toThrow("--users must be a whole number, got '2.5'");
    expect(() => parseLoopOptions(['--drift', '1.5'])).toThrow("--drift must be from 0 to 1, got '1.5'");
    expect(() => parseLoopOptions(['--rounds', '0'])).toThrow("--rounds must be above 0, got '0'");
    expect(() => parseLoopOptions(['--users', '100', '--round-users', '300'])).toThrow('--round-users (300) must be at most --users (100)');
  });
});
