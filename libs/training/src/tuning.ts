import type pg from 'pg';
import type { ModelRegistry } from '@recstream/registry';
import type { ModelKind, ModelRole, TrainTuning } from '@recstream/schemas';
import { SEARCH_SPACES, splitSettings, tune, type SearchSpace, type Settings, type TrialRunner, type TuneOptions, type TuningResult } from '@recstream/models';
import { NonRetriableError, RecstreamError } from '@recstream/platform';
import { defaultHyperparameters } from './model-specs.js';
import { DEFAULT_TRAIN_OPTIONS, trainOnDataset, type TrainOptions } from './train.js';

type DatasetRun = Pick<TrainOptions, 'datasetVersion' | 'modelType' | 'role'> & Partial<TrainOptions>;

/**
 * A kind's search space as the platform can train it: the rankers' history
 * length is fixed by their feature spec (HISTORY_LENGTH in libs/models), so it is not searched.
 */
export function datasetSearchSpace(run: DatasetRun): SearchSpace {
  const space = SEARCH_SPACES[run.modelType];
  return { ...space, params: Object.fromEntries(Object.entries(space.params).filter(([name]) => name !== 'historyLength')) };
}

/** What a run's options amount to as settings: trial 0 of a search (numeric hyperparameters only). */
export function settingsOfRun(run: DatasetRun): Settings {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...run };
  const numeric = Object.entries({ ...defaultHyperparameters(run.modelType), ...o.hyperparameters }).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number',
  );
  return { ...Object.fromEntries(numeric), negatives: o.negatives, batchSize: o.batchSize, epochs: o.maxEpochs };
}

/** `run` with `settings` applied: model config as hyperparameters, the fit keys as train options. */
export function runWithSettings(run: DatasetRun, settings: Settings): DatasetRun {
  const { config, fit } = splitSettings(settings);
  return {
    ...run,
    hyperparameters: { ...run.hyperparameters, ...config },
    ...(fit.negatives === undefined ? {} : { negatives: fit.negatives }),
    ...(fit.batchSize === undefined ? {} : { batchSize: fit.batchSize }),
    ...(fit.epochs === undefined ? {} : { maxEpochs: fit.epochs }),
  };
}

/**
 * Searches `run`'s hyperparameters on the dataset's validation split (AUC):
 * trial 0 trains `run` as given, the others draw from the kind's space. No
 * trial reads the test split: each ends by being aborted after the epoch the
 * search stops it at, before trainOnDataset would evaluate.
 */
export async function tuneOnDataset(pool: pg.Pool, run: DatasetRun, options: Partial<TuneOptions> = {}): Promise<TuningResult> {
  const space = datasetSearchSpace(run);
  return tune(
    space,
    settingsOfRun(run),
    (settings) => new DatasetTrial(pool, { ...runWithSettings(run, settings), maxEpochs: space.maxEpochs, onProgress: undefined }),
    { seed: run.seed ?? DEFAULT_TRAIN_OPTIONS.seed, ...options },
  );
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

/**
 * One trial as the search pulls it: trainOnDataset runs in the background and
 * waits after each epoch's validation until the search asks for the next
 * epoch or disposes the trial, which aborts it.
 */
class DatasetTrial implements TrialRunner {
  private readonly controller = new AbortController();
  private disposed = false;
  private scored?: number;
  private failure?: unknown;
  private waiting?: { resolve: (auc: number) => void; reject: (error: unknown) => void };
  private resume?: () => void;

  constructor(pool: pg.Pool, run: DatasetRun) {
    const parent = run.signal;
    parent?.addEventListener('abort', () => this.controller.abort(parent.reason), { once: true });
    const maxEpochs = run.maxEpochs ?? DEFAULT_TRAIN_OPTIONS.maxEpochs;
    void trainOnDataset(pool, {
      ...run,
      // One epoch more than the search allows and no patience: the run only ends by the search's abort.
      maxEpochs: maxEpochs + 1,
      patience: Number.POSITIVE_INFINITY,
      signal: this.controller.signal,
      afterValidation: (_epoch, auc) =>
        new Promise<void>((resume) => {
          this.resume = resume;
          if (Number.isNaN(auc)) this.fail(new NonRetriableError(`dataset version ${run.datasetVersion} has no validation split to tune on`));
          else this.deliver(auc);
        }),
    }).then(
      (result) => {
        result.model.dispose();
        this.fail(new RecstreamError('a tuning trial finished without the search stopping it'));
      },
      (error: unknown) => {
        if (!this.disposed) this.fail(error);
      },
    );
  }

  epoch(): Promise<{ score: number; secondary: number }> {
    return new Promise<number>((resolve, reject) => {
      this.waiting = { resolve, reject };
      const resume = this.resume;
      this.resume = undefined;
      resume?.();
      if (this.scored !== undefined) this.deliver(this.scored);
      else if (this.failure !== undefined) this.fail(this.failure);
    }).then((auc) => ({ score: auc, secondary: 0 }));
  }

  dispose(): void {
    this.disposed = true;
    this.controller.abort('tuning trial ended');
    this.resume?.();
  }

  private deliver(auc: number): void {
    const waiting = this.waiting;
    this.scored = waiting ? undefined : auc;
    this.waiting = undefined;
    waiting?.resolve(auc);
  }

  private fail(error: unknown): void {
    const waiting = this.waiting;
    this.failure = waiting ? undefined : error;
    this.waiting = undefined;
    waiting?.reject(error);
  }
}
