import type { FeatureSpec, ModelKind } from '@recstream/models';
import { CONTEXT_FIELDS } from './encoder.js';

/** The behaviour-sequence length DIN and DIEN read. */
export const HISTORY_LENGTH = 20;

/** What each model kind reads: id-only models ignore context and history. */
export function featureSpecFor(kind: ModelKind): FeatureSpec {
  switch (kind) {
    case 'deepfm':
      return { contextFields: [...CONTEXT_FIELDS], historyLength: 0 };
    case 'din':
    case 'dien':
      return { contextFields: [...CONTEXT_FIELDS], historyLength: HISTORY_LENGTH };
    default:
      return { contextFields: [], historyLength: 0 };
  }
}

/**
 * Per-kind hyperparameters that differ from the model library's defaults for
 * our training data (measured on generated logs); job hyperparameters override them.
 */
export function defaultHyperparameters(kind: ModelKind): Record<string, number> {
  return kind === 'mf' ? { dim: 64, sparseLearningRate: 0.05 } : {};
}
