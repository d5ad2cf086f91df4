export type { Batch, FeatureSpec } from './batch.js';
export type { ModelKind, RecModel, ModelArtifact } from './model.js';
export { createModel, deserializeModel, serializeModel, modelFromArtifact, MODEL_KINDS } from './models/registry.js';
export { selectBackend, type BackendName } from './backend.js';
export { MfModel } from './models/mf.js';
export { TwoTowerModel } from './models/two-tower.js';
export { fit, DEFAULT_FIT_OPTIONS, type FitOptions } from './training/fit.js';
export type { Interaction } from './data/interactions.js';
