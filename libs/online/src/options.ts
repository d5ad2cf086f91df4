import { DEFAULT_DELTA_CHANNEL_OPTIONS, type DeltaChannelOptions } from '@recstream/deltas';
import { HISTORY_LENGTH } from '@recstream/models';
import { APP_PORTS, DEFAULT_HTTP_OPTIONS } from '@recstream/platform';
import { DEFAULT_ERASURE_WATCHER_OPTIONS, type ErasureWatcherOptions } from '@recstream/privacy';
import { DEFAULT_GENERATOR_CONFIG } from '@recstream/samples';
import { DEFAULT_MAX_FUTURE_SKEW_MS, MODEL_ROLES, TOPICS, type ModelRole } from '@recstream/schemas';
import type { ExampleBuilderOptions } from './examples/example-builder.js';
import { DEFAULT_GUARDRAIL_OPTIONS } from './guardrail.js';
import type { LearnerOptions } from './learner.js';

/** Labels as the sample generator builds them offline, so online and offline examples mean the same. */
export const DEFAULT_EXAMPLE_BUILDER_OPTIONS: ExampleBuilderOptions = {
  attributionWindowMs: DEFAULT_GENERATOR_CONFIG.attributionWindowMs,
  positiveTypes: DEFAULT_GENERATOR_CONFIG.implicitTypes,
  minRating: DEFAULT_GENERATOR_CONFIG.minRating,
  negativesPerPositive: DEFAULT_GENERATOR_CONFIG.negativesPerPositive,
  // Clicks come within seconds; waiting out the window would give the ranker positives half an hour before their negatives (docs/decisions/quality-round-decay.md).
  negativeAfterMs: 60_000,
  historyLength: HISTORY_LENGTH,
  dedupWindowMs: 5 * 60_000,
  seed: DEFAULT_GENERATOR_CONFIG.seed,
};

export const DEFAULT_LEARNER_OPTIONS: LearnerOptions = {
  batchSize: 256,
  denseEvery: 20,
  denseLearningRate: 0.001,
  holdoutFraction: 0.05,
  followPeers: false,
  guardrail: DEFAULT_GUARDRAIL_OPTIONS,
};

export interface OnlineUpdaterOptions {
  /** Names the updater's lineage of snapshots; also its default consumer group. */
  name: string;
  /** Kafka consumer group; instances of one deployment share it and split the partitions. */
  groupId: string;
  /** The interaction topic (exposures and outcomes, keyed by user). */
  topic: string;
  /** Production models to update; a role without a production version is skipped. */
  roles: readonly ModelRole[];
  /** Where a partition starts when no snapshot has an offset for it. */
  startFrom: 'earliest' | 'latest';
  /** How far past its message's timestamp an event's time may lie; a message with an event dated later is skipped. */
  maxFutureSkewMs: number;
  examples: ExampleBuilderOptions;
  learner: LearnerOptions;
  /**
   * Per role, replaces the offline sparse learning rate while updating
   * online (see models.ts); a role without one keeps its offline rate, the
   * default for both. A faster rate reacts sooner and costs list quality
   * (docs/decisions/online-sparse-rates.md).
   */
  sparseLearningRates: Partial<Record<ModelRole, number>>;
  /**
   * A partial batch is trained once its first example has waited this long,
   * so a quiet stream still reaches serving within seconds. null: full
   * batches only, which makes the batches (and so batched models such as
   * DeepFM) independent of timing: an interrupted run then ends exactly
   * where an uninterrupted one does. MF learns sample by sample either way.
   */
  flushAfterMs: number | null;
  /** Touched rows are published at most this often. */
  publishIntervalMs: number;
  /** A new model version is snapshotted into the registry this often. */
  snapshotIntervalMs: number;
  deltas: DeltaChannelOptions;
  /** How erasures (`npm run erase-user`) reach the updater: a NOTIFY, and polling as a fallback. */
  erasures: ErasureWatcherOptions;
  /** Messages applied between yields to timers (publishing, heartbeats). */
  chunkSize: number;
  maxFetchWaitMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Recorded with each snapshot version. */
  codeVersion: string;
  port: number;
  host: string;
}

export const DEFAULT_ONLINE_UPDATER_OPTIONS: OnlineUpdaterOptions = {
  name: 'online-updater',
  groupId: 'online-updater',
  topic: TOPICS.events.name,
  roles: MODEL_ROLES,
  startFrom: 'latest',
  maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
  examples: DEFAULT_EXAMPLE_BUILDER_OPTIONS,
  learner: DEFAULT_LEARNER_OPTIONS,
  sparseLearningRates: {},
  flushAfterMs: 250,
  publishIntervalMs: 200,
  snapshotIntervalMs: 5 * 60_000,
  deltas: DEFAULT_DELTA_CHANNEL_OPTIONS,
  erasures: DEFAULT_ERASURE_WATCHER_OPTIONS,
  chunkSize: 500,
  maxFetchWaitMs: 100,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  codeVersion: 'dev',
  port: APP_PORTS.onlineUpdater,
  host: DEFAULT_HTTP_OPTIONS.host,
};
