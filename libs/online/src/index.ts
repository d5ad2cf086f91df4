export { ExampleBuilder, type Example, type ExampleBuilderOptions, type ExampleBuilderState } from './examples/example-builder.js';
export { OnlineLearner, isHoldoutUser, type LearnerOptions, type LearnerModel, type LearnerState } from './learner.js';
export { Guardrail, DEFAULT_GUARDRAIL_OPTIONS, type GuardrailOptions, type GuardrailStatus } from './guardrail.js';
export { DEFAULT_EXAMPLE_BUILDER_OPTIONS, DEFAULT_LEARNER_OPTIONS } from './options.js';
export { OnlineUpdater, DEFAULT_ONLINE_UPDATER_OPTIONS, type OnlineUpdaterOptions, type OnlineUpdaterDeps, type UpdaterStatus } from './updater.js';
export { SnapshotStore, type SavedSnapshot, type StoredSnapshot } from './snapshots.js';
export { modelForUpdating } from './models.js';
