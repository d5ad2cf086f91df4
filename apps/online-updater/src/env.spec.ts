import { describe, expect, it } from 'vitest';
import { DEFAULT_ONLINE_UPDATER_OPTIONS as D } from '@recstream/online';
import { onlineUpdaterConfig } from './env.js';

describe('online updater environment', () => {
  it("defaults to the lib's defaults, with the updater's name as its consumer group", () => {
    const { options } = onlineUpdaterConfig({});
    expect(options).toMatchObject({ name: D.name, groupId: D.name, topic: D.topic, roles: D.roles, flushAfterMs: D.flushAfterMs, sparseLearningRates: D.sparseLearningRates });
    expect(options.learner).toEqual(D.learner);
    expect(options.examples).toEqual(D.examples);
  });

  it('reads roles, the learning settings and flushing turned off', () => {
    const { options } = onlineUpdaterConfig({ ROLES: 'recall', SPARSE_LEARNING_RATE: '0.2', RANKING_SPARSE_LEARNING_RATE: '0.01', DENSE_EVERY: '0', FLUSH_AFTER_MS: 'off', UPDATER_NAME: 'shop-a', FOLLOW_PEERS: 'true' });
    expect(options).toMatchObject({ roles: ['recall'], sparseLearningRates: { recall: 0.2, ranking: 0.01 }, flushAfterMs: null, name: 'shop-a', groupId: 'shop-a' });
    expect(options.learner?.denseEvery).toBe(0);
    expect(options.learner?.followPeers).toBe(true);
    expect(onlineUpdaterConfig({ NEGATIVE_AFTER_MS: '0' }).options.examples?.negativeAfterMs).toBe(0);
  });

  it('names the variable to fix', () => {
    expect(() => onlineUpdaterConfig({ ROLES: 'recall,ranker' })).toThrow(/ROLES.*unknown model role "ranker"; use one of recall, ranking/);
    expect(() => onlineUpdaterConfig({ HOLDOUT_FRACTION: '2' })).toThrow(/HOLDOUT_FRACTION/);
    expect(() => onlineUpdaterConfig({ FLUSH_AFTER_MS: 'soon' })).toThrow(/FLUSH_AFTER_MS/);
    expect(() => onlineUpdaterConfig({ FOLLOW_PEERS: 'yes' })).toThrow(/FOLLOW_PEERS/);
    expect(() => onlineUpdaterConfig({ NEGATIVE_AFTER_MS: '-1' })).toThrow(/NEGATIVE_AFTER_MS/);
  });
});
