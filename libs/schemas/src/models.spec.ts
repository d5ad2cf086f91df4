import { describe, expect, it } from 'vitest';
import { TrainJob } from './jobs.js';
import { MODEL_KINDS, isModelKind } from './models.js';

describe('model kinds in the job contract', () => {
  it('accepts every model kind the models lib builds', () => {
    for (const modelType of MODEL_KINDS) expect(TrainJob.parse({ datasetVersion: 'ds', modelType, role: 'recall' }).modelType).toBe(modelType);
  });

  it('refuses an unknown kind or role with the valid ones listed', () => {
    const kind = TrainJob.safeParse({ datasetVersion: 'ds', modelType: 'two-tower', role: 'recall' });
    expect(kind.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'modelType: unknown model kind "two-tower"; use one of mf, neumf, twotower, deepfm, din, dien',
    ]);
    const role = TrainJob.safeParse({ datasetVersion: 'ds', modelType: 'mf', role: 'ranker' });
    expect(role.error?.issues.map((issue) => issue.message)).toEqual(['unknown model role "ranker"; use one of recall, ranking']);
  });

  it('narrows command-line values to a kind', () => {
    expect(isModelKind('din')).toBe(true);
    expect(isModelKind('two-tower')).toBe(false);
    expect(isModelKind(undefined)).toBe(false);
  });
});
