import type pg from 'pg';
import type { TrialReport, TrialRequest } from '@recstream/models';
import { NonRetriableError } from '@recstream/platform';
import { trainOnDataset } from './train.js';
import { runWithSettings, type DatasetRun } from './run-settings.js';

export interface TrialRunOptions {
  /** Epochs without a better validation AUC before the trial stops. */
  patience: number;
  /** Epoch ms after which the trial is cut; checked after every batch. */
  deadline?: number;
  /** Aborting fails the trial (shutdown): it is retried, unlike a cut. */
  signal?: AbortSignal;
  /** Epoch ms; injectable so a cut can be tested without waiting. */
  clock?: () => number;
}

/** Why a trial's training run was stopped: its epochs are done, or its time is. */
const DONE = 'trial done';
const CUT = 'trial cut';

/**
 * Trains one tuning trial on the dataset's train split from scratch, up to
 * `request.epochs` epochs, scoring each on the validation split (AUC), and
 * reports the best. It never reaches the test split: the run is aborted after
 * the validation of its last epoch, before trainOnDataset would evaluate. A
 * trial past its deadline is cut between batches and reports what it had.
 */
export async function runDatasetTrial(pool: pg.Pool, run: DatasetRun, request: TrialRequest, options: TrialRunOptions): Promise<TrialReport> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const report: TrialReport = { trial: request.trial, rung: request.rung, score: -Infinity, secondary: 0, bestEpochs: 0, epochs: 0, outcome: 'completed', seconds: 0 };
  const finish = (outcome: TrialReport['outcome']) => ({ ...report, outcome, seconds: (clock() - started) / 1000 });
  const overDeadline = () => options.deadline !== undefined && clock() >= options.deadline;
  if (overDeadline()) return finish('cut');
  const controller = new AbortController();
  const parent = options.signal;
  const relay = () => controller.abort(parent?.reason);
  if (parent?.aborted) relay();
  parent?.addEventListener('abort', relay, { once: true });
  try {
    await trainOnDataset(pool, {
      ...runWithSettings(run, request.settings),
      // One epoch more and no patience of its own: the run ends only by this trial's abort.
      maxEpochs: request.epochs + 1,
      patience: Number.POSITIVE_INFINITY,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.phase === 'train' && overDeadline()) controller.abort(CUT);
      },
      afterValidation: (_epoch, auc) => {
        if (Number.isNaN(auc)) throw new NonRetriableError(`dataset version ${run.datasetVersion} has no validation split to tune on`);
        report.epochs++;
        if (auc > report.score) Object.assign(report, { score: auc, bestEpochs: report.epochs });
        if (report.epochs >= request.epochs) controller.abort(DONE);
        else if (report.epochs - report.bestEpochs >= options.patience) {
          report.outcome = 'early-stopped';
          controller.abort(DONE);
        }
      },
    }).then((result) => result.model.dispose());
  } catch (error) {
    if (controller.signal.reason === DONE) return finish(report.outcome);
    if (controller.signal.reason === CUT) return finish('cut');
    throw error;
  } finally {
    parent?.removeEventListener('abort', relay);
  }
  throw new Error(`tuning trial ${request.trial} finished without being stopped; this is a bug in runDatasetTrial`);
}
