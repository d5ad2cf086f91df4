import { describe, expect, it } from 'vitest';
import { CLUSTER_QUEUE_PREFIX, DEFAULT_QUEUE_PREFIX, MAX_TUNE_TRIALS, TrainJob, TrialJob, queuePrefix } from './jobs.js';

const job = { datasetVersion: 'ds', modelType: 'mf', role: 'recall' } as const;

describe('TrainJob tuning request', () => {
  it('accepts a trial budget and leaves tuning off without one', () => {
    expect(TrainJob.parse({ ...job, tune: { trials: 12 } }).tune).toEqual({ trials: 12 });
    expect(TrainJob.parse({ ...job, tune: { trials: 12, budgetS: 600 } }).tune).toEqual({ trials: 12, budgetS: 600 });
    expect(TrainJob.parse({ ...job, tune: { trials: 4, every: 5 } }).tune).toEqual({ trials: 4, every: 5 });
    expect(TrainJob.parse(job).tune).toBeUndefined();
  });

  it('refuses budgets that are not whole, positive and bounded, and unknown tuning fields', () => {
    for (const trials of [0, -1, 2.5, MAX_TUNE_TRIALS + 1]) {
      expect(TrainJob.safeParse({ ...job, tune: { trials } }).error?.issues[0]?.path).toEqual(['tune', 'trials']);
    }
    expect(TrainJob.safeParse({ ...job, tune: { trials: 3, budget: 9 } }).success).toBe(false);
    expect(TrainJob.safeParse({ ...job, tune: {} }).success).toBe(false);
    expect(TrainJob.safeParse({ ...job, tune: { trials: 3, budgetS: 0 } }).error?.issues[0]?.path).toEqual(['tune', 'budgetS']);
    expect(TrainJob.safeParse({ ...job, tune: { trials: 3, every: 0 } }).error?.issues[0]?.path).toEqual(['tune', 'every']);
    expect(TrainJob.safeParse({ ...job, tune: { trials: 3, trialBudgetS: 0 } }).error?.issues[0]?.path).toEqual(['tune', 'trialBudgetS']);
  });
});

describe('TrialJob', () => {
  const trial = { ...job, hyperparameters: {}, seed: 1, trial: 2, rung: 1, epochs: 6, settings: { dim: 32 }, patience: 3 };

  it('carries a trial request with optional deadlines', () => {
    expect(TrialJob.parse(trial)).toEqual(trial);
    expect(TrialJob.parse({ ...trial, deadline: 1_700_000_000_000, budgetS: 60 })).toMatchObject({ deadline: 1_700_000_000_000, budgetS: 60 });
  });

  it('refuses a request without epochs, with settings that are not numbers, or with unknown fields', () => {
    expect(TrialJob.safeParse({ ...trial, epochs: 0 }).error?.issues[0]?.path).toEqual(['epochs']);
    expect(TrialJob.safeParse({ ...trial, settings: { dim: 'big' } }).error?.issues[0]?.path).toEqual(['settings', 'dim']);
    expect(TrialJob.safeParse({ ...trial, tune: { trials: 2 } }).success).toBe(false);
  });
});

describe('queuePrefix', () => {
  it('defaults to bull on one Redis and to a hash tag on a cluster', () => {
    expect(queuePrefix(undefined, false)).toBe(DEFAULT_QUEUE_PREFIX);
    expect(queuePrefix(undefined, true)).toBe(CLUSTER_QUEUE_PREFIX);
  });

  it('keeps a set prefix, and refuses one without a hash tag on a cluster', () => {
    expect(queuePrefix('jobs', false)).toBe('jobs');
    expect(queuePrefix('{jobs}:prod', true)).toBe('{jobs}:prod');
    expect(() => queuePrefix('jobs', true)).toThrow(/hash tag/);
    expect(() => queuePrefix('{}jobs', true)).toThrow(/hash tag/);
  });
});
