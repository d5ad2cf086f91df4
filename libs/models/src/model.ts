import type { Batch, FeatureSpec } from './batch.js';
import type { ModelKind } from '@recstream/schemas';
import type { EmbeddingTable, EmbeddingTableData } from './sparse/embedding-table.js';

// The kinds are the contract's (libs/schemas); re-exported for callers that only speak to this lib.
export type { ModelKind };

/** Dense weights by name, each a flat Float32Array with its shape. */
export type DenseWeights = Record<string, { shape: number[]; values: Float32Array }>;

/** Everything needed to rebuild a model exactly: see `serializeModel`. */
export interface ModelArtifact {
  kind: ModelKind;
  /** The model's full config (its defaults already merged). */
  config: Record<string, unknown>;
  spec: FeatureSpec;
  dense: DenseWeights;
  tables: Record<string, EmbeddingTableData>;
}

/** How one training step moves the dense (tower) parameters. */
export interface TrainStepOptions {
  /**
   * `optimizer`: the model's Adam (offline training). `sgd`: one plain
   * gradient step at `sgdLearningRate`, which keeps no optimizer state, so an
   * online updater restarted from a snapshot continues exactly as one that
   * never stopped. `frozen`: embedding rows only, dense parameters untouched.
   */
  dense: 'optimizer' | 'sgd' | 'frozen';
  sgdLearningRate: number;
  /**
   * `all`: every embedding table. `ids`: only the user and item tables; the
   * tables of shared fields (context, model features, crosses), which every
   * sample reads, stay as offline training left them, so a stream of a few
   * thousand examples served by the model itself cannot drag them off.
   */
  sparse: 'all' | 'ids';
}

export const DEFAULT_TRAIN_STEP_OPTIONS: TrainStepOptions = { dense: 'optimizer', sgdLearningRate: 0.001, sparse: 'all' };

const FIELD_TABLE_PREFIX = 'ctx:';
/** The embedding table of a feature spec field (its `.w` table holds FM's first-order weights). */
export const fieldTable = (field: string) => `${FIELD_TABLE_PREFIX}${field}`;
/** Whether a table embeds a field many samples share, as opposed to a user or item id table. */
export const isFieldTable = (table: string) => table.startsWith(FIELD_TABLE_PREFIX);

/**
 * The one interface the trainer, the online updater and serving use, so a
 * model scores the same offline and online.
 */
export interface RecModel {
  readonly kind: ModelKind;
  readonly spec: FeatureSpec;
  /** One optimizer step on a labelled batch; returns the batch's mean log loss before the step. */
  trainStep(batch: Batch, options?: Partial<TrainStepOptions>): number;
  /** Probability of a positive per sample. Unknown ids read as zero vectors. */
  score(batch: Batch): Float32Array;
  /** Sparse tables by name, e.g. for `touchedSince` deltas in the online updater. */
  tables(): ReadonlyMap<string, EmbeddingTable>;
  toArtifact(): ModelArtifact;
  /** Replaces dense parameters by name (e.g. as an online updater published them); shapes must match. */
  assignDense(weights: DenseWeights): void;
  /** Releases tensors; the model is unusable afterwards. */
  dispose(): void;
}

/** Learning settings every model shares. */
export interface CommonConfig {
  seed: number;
  /** Sparse (embedding) optimizer. */
  sparseOptimizer: 'adagrad' | 'rowwise-adagrad' | 'adam';
  sparseLearningRate: number;
  /** Dense (tower) learning rate, Adam. */
  denseLearningRate: number;
  l2: number;
  /** Sightings an id needs before it gets an embedding row (1: every id); rarer ids read as zeros. */
  minIdCount: number;
}

/** Defaults of the shared settings; each model's defaults start from these. */
export const COMMON_DEFAULTS: CommonConfig = {
  seed: 1,
  sparseOptimizer: 'adagrad',
  sparseLearningRate: 0.1,
  denseLearningRate: 0.005,
  l2: 0,
  minIdCount: 1,
};
