import { describe, expect, it } from 'vitest';
import type { DatasetManifest } from '@recstream/samples';
import { DegenerateDatasetError, refuseDegenerateEvaluation, refuseNoTrainingPositives, refuseUntrainable } from './checks.js';
import { DatasetIndex, type EvaluationReport } from './evaluate.js';

const manifest = (over: Partial<DatasetManifest>) =>
  ({ datasetVersion: 'ds_x', sampleCount: 100, positiveCount: 20, splitCounts: { train: 80, validation: 10, test: 10, holdout_test: 5 }, ...over }) as DatasetManifest;

const report: EvaluationReport = {
  auc: 0.7,
  gauc: 0.6,
  logloss: 0.5,
  test_samples: 10,
  hr_at_10: 0.4,
  ndcg_at_10: 0.2,
  recall_at_10: 0.4,
  coverage_at_10: 0.1,
  ncf_users: 5,
  recall_users: 5,
  test_cases_seen_in_training: 0,
};

describe('dataset checks', () => {
  it('refuse a manifest with nothing to learn from or to test on, and say why', () => {
    expect(() => refuseUntrainable(manifest({}))).not.toThrow();
    expect(() => refuseUntrainable(manifest({ sampleCount: 0, positiveCount: 0, splitCounts: {} }))).toThrow(/ds_x .*no samples, an empty train split, an empty test split; build a version/);
    expect(() => refuseUntrainable(manifest({ positiveCount: 0 }))).toThrow(/no positives/);
    expect(() => refuseUntrainable(manifest({ splitCounts: { train: 90, test: 10, holdout_test: 0 } }))).toThrow(/no held-out test case/);
    expect(() => refuseUntrainable(manifest({ splitCounts: { train: 0, test: 100, holdout_test: 5 } }))).toThrow(DegenerateDatasetError);
  });

  it('refuse training data that held no positive as read', () => {
    const index = new DatasetIndex();
    expect(() => refuseNoTrainingPositives('ds_x', index)).toThrow(/holds no positive/);
    index.observe({ userId: 'u', itemId: 'i', label: 1, labelTime: 0, features: {} } as never);
    expect(() => refuseNoTrainingPositives('ds_x', index)).not.toThrow();
  });

  it('refuse an empty or NaN evaluation and one that scored cases the model was trained on', () => {
    expect(() => refuseDegenerateEvaluation('ds_x', report)).not.toThrow();
    expect(() => refuseDegenerateEvaluation('ds_x', { ...report, test_samples: 0 })).toThrow(/test split is empty/);
    expect(() => refuseDegenerateEvaluation('ds_x', { ...report, ncf_users: 0 })).toThrow(/no user has a held-out positive/);
    expect(() => refuseDegenerateEvaluation('ds_x', { ...report, auc: Number.NaN })).toThrow(/auc NaN on 10 test samples: .*one label/);
    expect(() => refuseDegenerateEvaluation('ds_x', { ...report, hr_at_10: Number.POSITIVE_INFINITY })).toThrow(/hr_at_10 Infinity/);
    expect(() => refuseDegenerateEvaluation('ds_x', { ...report, test_cases_seen_in_training: 3 })).toThrow(/3 of 5 held-out test cases are positives of the training data.*--rebuild/);
  });
});
