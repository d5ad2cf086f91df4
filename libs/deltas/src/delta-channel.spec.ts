import { describe, expect, it } from 'vitest';
import { deltaStreamKey } from './delta-channel.js';

/** The hash tag Redis Cluster hashes a key by: the first `{...}` with something inside, else the whole key. */
const hashTag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1] ?? key;

describe('deltaStreamKey', () => {
  it('keeps one stream per lineage under the prefix on one Redis', () => {
    expect(deltaStreamKey('online', 'ranking:neumf')).toBe('online:deltas:ranking:neumf');
  });

  it('gives every lineage the same hash tag on a cluster, so one XREAD follows them all', () => {
    const keys = ['recall:mf', 'ranking:neumf', 'ranking:din'].map((lineage) => deltaStreamKey('online', lineage, true));
    expect(new Set(keys).size).toBe(3);
    expect(new Set(keys.map(hashTag))).toEqual(new Set(['online']));
  });
});
