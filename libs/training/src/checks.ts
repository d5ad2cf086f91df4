import { NonRetriableError } from '@recstream/platform';
import type { DatasetManifest } from '@recstream/samples';
import type { DatasetIndex, EvaluationReport } from './evaluate.js';

/** A dataset, or an evaluation of it, that no model should be trained on or judged by; the message says what to do. */
export class DegenerateDatasetError extends NonRetriableError {}

const REBUILD = 'build a version that has them with `npm run samples:generate` (its refusal or its manifest says which label source and range give samples)';

/** The metrics a version is reported and gated by: none may be NaN or infinite. */
const HEADLINE_METRICS = ['hr_at_10', 'ndcg_at_10', 'auc'] as const;

/** Refuses, before training, a version whose manifest shows nothing to learn from or to test on. */
export function refuseUntrainable(manifest: DatasetManifest): void {
  const splits = manifest.splitCounts ?? {};
  const problems: string[] = [];
  if (manifest.sampleCount === 0) problems.push('no samples');
  else if (manifest.positiveCount === 0) problems.push('no positives');
  if (!(Number(splits.train) > 0)) problems.push('an empty train split');
  if (!(Number(splits.test) > 0)) problems.push('an empty test split');
  else if (!(Number(splits.holdout_test) > 0)) problems.push('no held-out test case (no user has a positive)');
  if (problems.length > 0) refuse(manifest.datasetVersion, `it has ${problems.join(', ')}; ${REBUILD}`);
}

/** Refuses training data that, as read, held no positive: nothing to learn and nothing to rank against. */
export function refuseNoTrainingPositives(datasetVersion: string, index: DatasetIndex): void {
  if (index.positives.size === 0) refuse(datasetVersion, `its train split, as read, holds no positive sample; ${REBUILD}`);
}

/**
 * Refuses an evaluation that measures nothing: no test samples, no held-out
 * case, a NaN or infinite headline metric, or held-out cases that the model
 * was trained on (a leak that rewards memorising them).
 */
export function refuseDegenerateEvaluation(datasetVersion: string, report: EvaluationReport): void {
  if (report.test_samples === 0) refuse(datasetVersion, `its test split is empty; ${REBUILD}`);
  if (report.ncf_users === 0) refuse(datasetVersion, `no user has a held-out positive in the test split, so HR@10 and NDCG@10 measure nothing; ${REBUILD}`);
  const broken = HEADLINE_METRICS.filter((metric) => !Number.isFinite(report[metric]));
  if (broken.length > 0) {
    const values = broken.map((metric) => `${metric} ${report[metric]}`).join(', ');
    refuse(datasetVersion, `${values} on ${report.test_samples} test samples: the test split's samples likely all carry one label; ${REBUILD}`);
  }
  if (report.test_cases_seen_in_training > 0) {
    refuse(
      datasetVersion,
      `${report.test_cases_seen_in_training} of ${report.ncf_users} held-out test cases are positives of the training data, so its metrics reward memorising them; rebuild the version with \`npm run samples:generate -- --rebuild\``,
    );
  }
}

function refuse(datasetVersion: string, why: string): never {
  throw new DegenerateDatasetError(`dataset version ${datasetVersion} cannot train or judge a model: ${why}`, { context: { datasetVersion } });
}
