import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW_CATALOGUE } from '@recstream/features';
import { DEFAULT_GENERATOR_CONFIG, DEFAULT_SAMPLE_JOB_WORKER_OPTIONS } from '@recstream/samples';
import { SAMPLE_FLAGS, sampleGeneratorConfig, withFlags } from './env.js';

describe('sample generator environment', () => {
  it("defaults to the lib's defaults", () => {
    const config = sampleGeneratorConfig({});
    expect(config.viewCatalogue).toBe(DEFAULT_VIEW_CATALOGUE);
    expect(config.generator.config).toMatchObject({ labelSource: DEFAULT_GENERATOR_CONFIG.labelSource, attributionWindowMs: DEFAULT_GENERATOR_CONFIG.attributionWindowMs });
    expect(config.worker).toMatchObject({ cron: DEFAULT_SAMPLE_JOB_WORKER_OPTIONS.cron, lookbackMs: DEFAULT_SAMPLE_JOB_WORKER_OPTIONS.lookbackMs, trainTargets: DEFAULT_SAMPLE_JOB_WORKER_OPTIONS.trainTargets });
  });

  it('reads training targets, an empty cron and the schedule window', () => {
    const config = sampleGeneratorConfig({ TRAIN_TARGETS: 'ranking:din, recall:twotower', SAMPLES_CRON: '', SAMPLES_LOOKBACK_HOURS: '48', SAMPLES_ALIGN_MINUTES: '30' });
    expect(config.worker.trainTargets).toEqual([
      { role: 'ranking', modelType: 'din' },
      { role: 'recall', modelType: 'twotower' },
    ]);
    expect(config.worker).toMatchObject({ cron: null, lookbackMs: 48 * 3_600_000, alignMs: 30 * 60_000 });
  });

  it('names the variable to fix', () => {
    expect(() => sampleGeneratorConfig({ TRAIN_TARGETS: 'ranker:din' })).toThrow(/TRAIN_TARGETS.*unknown model role "ranker"; use one of recall, ranking/);
    expect(() => sampleGeneratorConfig({ TRAIN_TARGETS: 'recall:two-tower' })).toThrow(/TRAIN_TARGETS.*unknown model kind "two-tower"; use one of mf, neumf, twotower, deepfm, din, dien/);
    expect(() => sampleGeneratorConfig({ LABEL_SOURCE: 'clicks' })).toThrow(/LABEL_SOURCE/);
    expect(() => sampleGeneratorConfig({ FEATURE_VIEWS: '{"ttl":{"item_stats":"soon"}}' })).toThrow(/FEATURE_VIEWS: invalid view catalogue.*\n.*ttl\.item_stats: must be/);
  });

  it('reads every sample setting from its variable, and a flag in its place wins', () => {
    const env = { LABEL_SOURCE: 'exposures', MIN_RATING: '3', IMPLICIT_TYPES: 'rating, purchase', ATTRIBUTION_WINDOW_MS: '60000', SPLIT_STRATEGY: 'leave-latest-out' };
    const config = sampleGeneratorConfig(withFlags(env, { 'label-source': 'implicit', 'train-fraction': '0.7', 'validation-fraction': '0.2', 'coverage-warning-below': '0.9' }));
    expect(config.generator.config).toMatchObject({
      labelSource: 'implicit',
      minRating: 3,
      implicitTypes: ['rating', 'purchase'],
      attributionWindowMs: 60_000,
      splitStrategy: 'leave-latest-out',
      trainFraction: 0.7,
      validationFraction: 0.2,
    });
    expect(config.worker.coverageWarningBelow).toBe(0.9);
    expect(sampleGeneratorConfig({}).generator.config).toMatchObject({ implicitTypes: DEFAULT_GENERATOR_CONFIG.implicitTypes, splitStrategy: 'time' });
    expect(() => sampleGeneratorConfig(withFlags({}, { 'implicit-types': 'rating,stare' }))).toThrow(/IMPLICIT_TYPES/);
    expect(() => sampleGeneratorConfig(withFlags({}, { split: 'random' }))).toThrow(/SPLIT_STRATEGY/);
    expect(() => sampleGeneratorConfig({ ATTRIBUTION_WINDOW_MS: '0' })).toThrow(/ATTRIBUTION_WINDOW_MS/);
  });

  it('has a flag for each sample setting the generator config holds', () => {
    const covered = Object.keys(sampleGeneratorConfig(withFlags({}, {})).generator.config);
    expect(Object.keys(SAMPLE_FLAGS)).toHaveLength(covered.length + 1);
    for (const key of ['labelSource', 'minRating', 'implicitTypes', 'attributionWindowMs', 'splitStrategy', 'trainFraction', 'validationFraction']) expect(covered).toContain(key);
  });
});

it('puts its queues under a hash-tagged prefix on a Redis Cluster', () => {
  expect(sampleGeneratorConfig({}).worker.prefix).toBe(DEFAULT_SAMPLE_JOB_WORKER_OPTIONS.prefix);
  const clustered = sampleGeneratorConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379' });
  expect([clustered.worker.prefix, clustered.redisClusterNodes]).toEqual(['{recstream}', '10.0.0.1:6379']);
});
