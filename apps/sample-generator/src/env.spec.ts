import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATOR_CONFIG, DEFAULT_SAMPLE_JOB_WORKER_OPTIONS } from '@recstream/samples';
import { sampleGeneratorConfig } from './env.js';

describe('sample generator environment', () => {
  it("defaults to the lib's defaults", () => {
    const config = sampleGeneratorConfig({});
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
  });
});
