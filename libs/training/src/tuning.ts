import type pg from 'pg';
import type { ModelRegistry } from '@recstream/registry';
import type { ModelKind, ModelRole, TrainTuning } from '@recstream/schemas';
import { DEFAULT_TUNE_OPTIONS, type HalvingOptions, type Settings, type TrialReport, type TuningResult } from '@recstream/models';
import { datasetSearch, type DatasetRun } from './run-settings.js';
import { runDatasetTrial } from './trial.js';

export interface DatasetTuneOptions extends Partial<Omit<HalvingOptions, 'trials'>> {
  trials: number;
  /** Seconds: no rung starts after it and running trials are cut between batches. Runs under it are not reproducible. */
  budgetS?: number;
  /** Epochs without a better validation AUC before a trial stops. */
  patience?: number;
  /** Epoch ms; injectable so a budget can be tested without waiting. */
  clock?: () => number;
}

/**
 * Searches `run`'s hyperparameters on the dataset's validation split (AUC)
 * in this process, trial after trial; the trainer spreads the same search
 * over its workers as trial jobs and chooses the same (see trial-jobs.ts).
 * No trial reads the test split (see runDatasetTrial).
 */
export async function tuneOnDataset(pool: pg.Pool, run: DatasetRun, options: DatasetTuneOptions): Promise<TuningResult> {
  const { budgetS, patience = DEFAULT_TUNE_OPTIONS.patience, clock = Date.now, ...halving } = options;
  const search = datasetSearch(run, halving);
  const began = clock();
  const deadline = budgetS === undefined ? undefined : began + budgetS * 1000;
  const reports: TrialReport[] = [];
  for (;;) {
    const step = search.step(reports, deadline !== undefined && clock() >= deadline);
    if ('result' in step) return { ...step.result, seconds: (clock() - began) / 1000 };
    for (const request of step.pending) reports.push(await runDatasetTrial(pool, run, request, { patience, deadline, signal: run.signal, clock }));
  }
}

/** Versions of a role searched back through for the latest tuned one; `every` beyond it always tunes. */
const TUNED_LOOKBACK = 200;

/** Whether this run searches, or reuses the settings a recent run of the same role and kind chose. */
export type TuningPlan = { search: true } | { search: false; settings: Settings; fromVersion: number };

/**
 * A scheduled chain's tuning cadence: search when no trainer-registered
 * version of this role and kind was tuned, or when `every - 1` runs have
 * been trained since the latest tuned one; otherwise reuse its chosen
 * settings. Online-updater snapshots (config `online`) are not runs.
 */
export async function tuningPlan(registry: ModelRegistry, role: ModelRole, modelType: ModelKind, tuning: TrainTuning): Promise<TuningPlan> {
  const every = tuning.every ?? 1;
  if (every <= 1) return { search: true };
  const runs = (await registry.list(role, TUNED_LOOKBACK)).filter((version) => version.modelType === modelType && !('online' in version.config));
  const since = runs.findIndex((version) => isTunedConfig(version.config));
  if (since < 0 || since + 1 >= every) return { search: true };
  const tuned = runs[since]!;
  return { search: false, settings: (tuned.config as { tuning: { chosen: Settings } }).tuning.chosen, fromVersion: tuned.versionId };
}

function isTunedConfig(config: Record<string, unknown>): boolean {
  const tuning = config.tuning as { chosen?: unknown } | undefined;
  return typeof tuning?.chosen === 'object' && tuning.chosen !== null;
}
