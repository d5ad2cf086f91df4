import { DEFAULT_GENERATOR_CONFIG } from '@recstream/samples';
import { HISTORY_LENGTH } from '@recstream/models';
import type { ExampleBuilderOptions } from './examples/example-builder.js';
import { DEFAULT_GUARDRAIL_OPTIONS } from './guardrail.js';
import type { LearnerOptions } from './learner.js';

/** Labels as the sample generator builds them offline, so online and offline examples mean the same. */
export const DEFAULT_EXAMPLE_BUILDER_OPTIONS: ExampleBuilderOptions = {
  attributionWindowMs: DEFAULT_GENERATOR_CONFIG.attributionWindowMs,
  positiveTypes: DEFAULT_GENERATOR_CONFIG.implicitTypes,
  minRating: DEFAULT_GENERATOR_CONFIG.minRating,
  negativesPerPositive: DEFAULT_GENERATOR_CONFIG.negativesPerPositive,
  historyLength: HISTORY_LENGTH,
  dedupWindowMs: 5 * 60_000,
  seed: DEFAULT_GENERATOR_CONFIG.seed,
};

export const DEFAULT_LEARNER_OPTIONS: LearnerOptions = {
  batchSize: 256,
  denseEvery: 20,
  denseLearningRate: 0.001,
  holdoutFraction: 0.05,
  guardrail: DEFAULT_GUARDRAIL_OPTIONS,
};
