import { DEFAULT_TUNE_OPTIONS, SEARCH_SPACES, splitSettings, SuccessiveHalving, type HalvingOptions, type SearchSpace, type Settings } from '@recstream/models';
import { defaultHyperparameters } from './model-specs.js';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from './train.js';

/** A training run as a search sees it: what it trains, and any options it sets. */
export type DatasetRun = Pick<TrainOptions, 'datasetVersion' | 'modelType' | 'role'> & Partial<TrainOptions>;

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
 * The search over `run`'s settings, alike wherever its trials train: trial 0
 * trains `run` as given, the others draw from the kind's space with the run's
 * seed unless `options` sets one; rungs and reduction follow DEFAULT_TUNE_OPTIONS.
 */
export function datasetSearch(run: DatasetRun, options: Pick<HalvingOptions, 'trials'> & Partial<HalvingOptions>): SuccessiveHalving {
  const { minEpochs, reductionFactor } = DEFAULT_TUNE_OPTIONS;
  return new SuccessiveHalving(datasetSearchSpace(run), settingsOfRun(run), {
    minEpochs,
    reductionFactor,
    seed: run.seed ?? DEFAULT_TRAIN_OPTIONS.seed,
    ...options,
  });
}
