/**
 * What a model may read about each sample. The same spec is stored in the
 * model artifact, so serving builds batches exactly as training did.
 */
export interface FeatureSpec {
  /**
   * The categorical fields read beside the user and item ids, in batch order
   * (see encoding.ts' `encodeField`): request context (device, hour,
   * daypart, surface, position...), model features (item_category,
   * last_category...), numeric model features as buckets, and crosses of
   * any of these joined by `×`.
   */
  contextFields: string[];
  /** Length of the behaviour sequence (0: the model reads no history). */
  historyLength: number;
  /** Per numeric model feature read, the ascending bucket boundaries fitted on the training data. */
  numericBuckets?: Record<string, number[]>;
}

/**
 * A batch of samples, column by column. Ids are raw non-negative integers;
 * tables map them to rows. Scoring ignores `labels`.
 */
export interface Batch {
  size: number;
  userIds: Int32Array;
  itemIds: Int32Array;
  /** 1 for a positive (click, interaction), 0 for a negative. */
  labels?: Float32Array;
  /** One column of `size` raw values per entry of `FeatureSpec.contextFields`. */
  context?: Int32Array[];
  /**
   * Items the user interacted with before this sample, `size * historyLength`
   * ids row-major, oldest first, left-padded with -1 so the latest is last.
   */
  history?: Int32Array;
}

/** The behaviour-sequence length the sequence models (DIN, DIEN) read, offline and online alike. */
export const HISTORY_LENGTH = 20;

export const EMPTY_FEATURE_SPEC: FeatureSpec = { contextFields: [], historyLength: 0 };

/** The batch's history, or all padding when it has none. */
export function historyOf(batch: Batch, length: number): Int32Array {
  return batch.history ?? new Int32Array(batch.size * length).fill(-1);
}

/** A context column, or all unknown (-1, read as a zero vector) when the batch lacks it. */
export function contextOf(batch: Batch, field: number): Int32Array {
  return batch.context?.[field] ?? new Int32Array(batch.size).fill(-1);
}
