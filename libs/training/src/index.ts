export { featureSpecFor, defaultHyperparameters } from './model-specs.js';
export { tuneOnDataset, tuningPlan, type TuningPlan, type DatasetTuneOptions } from './tuning.js';
export { settingsOfRun, runWithSettings, datasetSearchSpace, datasetSearch, type DatasetRun } from './run-settings.js';
export { runDatasetTrial, type TrialRunOptions } from './trial.js';
export { DatasetIndex, PopularityBaseline, evaluateOnDataset, toRow, DEFAULT_EVALUATION_OPTIONS, type EvaluationReport, type RowScorer } from './evaluate.js';
export { trainOnDataset, DEFAULT_TRAIN_OPTIONS, type TrainOptions, type TrainProgress, type TrainResult } from './train.js';
export { registerAndPromote, type RegisterOptions, type RegisterOutcome } from './promote.js';
export { TrainJobWorker, DEFAULT_TRAIN_WORKER_OPTIONS, type TrainWorkerDeps, type TrainWorkerOptions, type TrainJobResult } from './worker.js';
