import type { EntityName } from './views.js';

/** Where a partition's applied effects end: the fence between consumers. */
export interface Watermark {
  /** Last offset applied, as Kafka spells offsets (a decimal string). */
  offset: string;
  /** Latest event time applied, epoch ms. */
  streamTime: number;
}

/** One entity's new state and materialized views, and the write token of the state it was computed from. */
export interface EntityWrite {
  entity: EntityName;
  id: string;
  /** The write token (`_v`) read before computing; '' for an entity not stored yet. */
  expectedToken: string;
  /** Serialized aggregation state (`_s`). */
  state: string;
  /** View name -> values; written with the view's event time. */
  views: Record<string, unknown>;
  /** Event time of the values: the entity's latest event in the batch. */
  eventTime: number;
}

/** Everything one partition batch changes, computed before anything is written. */
export interface BatchPlan {
  topic: string;
  partition: number;
  /** The watermark read before computing (undefined when the partition had none). */
  from: Watermark | undefined;
  /** The write token every entity written gets: unique to this attempt at the batch. */
  writeToken: string;
  to: Watermark;
  entities: EntityWrite[];
  /** item -> co-visited item -> increment. */
  covisits: Map<string, Map<string, number>>;
}
