import { describe, expect, it } from 'vitest';
import { TrainJob } from '@recstream/schemas';
import { TrainTarget } from './options.js';

describe('TrainTarget', () => {
  it('carries a tuning cadence into the train jobs the chain enqueues', () => {
    const target = TrainTarget.parse({ role: 'recall', modelType: 'mf', tune: { trials: 8, every: 5 } });
    expect(TrainJob.parse({ datasetVersion: 'ds', ...target }).tune).toEqual({ trials: 8, every: 5 });
    expect(() => TrainTarget.parse({ role: 'recall', modelType: 'mf', tune: { trials: 8, every: 0 } })).toThrow(/every/);
  });
});
