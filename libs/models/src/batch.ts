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
  /** Whether batches carry the sequence's item categories beside its item ids (`Batch.historyCategories`). */
  historyCategories?: boolean;
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
  /** The vocabulary ids of `history`'s item categories, laid out as `history` (-1: padding or unknown). */
  historyCategories?: Int32Array;
}

/** The behaviour-sequence length the sequence models (DIN, DIEN) read, offline and online alike. */
export const HISTORY_LENGTH = 20;

export const EMPTY_FEATURE_SPEC: FeatureSpec = { contextFields: [], historyLength: 0 };

/** The batch's history, or all padding when it has none. */
export function historyOf(batch: Batch, length: number): Int32Array {
  return batch.history ?? new Int32Array(batch.size * length).fill(-1);
}

/** The batch's history categories, or all unknown when it has none. */
export function historyCategoriesOf(batch: Batch, length: number): Int32Array {
  return batch.historyCategories ?? new Int32Array(batch.size * length).fill(-1);
}

/** A context column, or all unknown (-1, read as a zero vector) when the batch lacks it. */
export function contextOf(batch: Batch, field: number): Int32Array {
  return batch.context?.[field] ?? new Int32Array(batch.size).fill(-1);
}

/** An empty batch of `size` samples with the same columns as `like`. */
export function emptyBatchLike(like: Batch, size: number): Batch {
  const length = like.history ? like.history.length / like.size : 0;
  const out: Batch = { size, userIds: new Int32Array(size), itemIds: new Int32Array(size) };
  if (like.labels) out.labels = new Float32Array(size);
  if (like.context) out.context = like.context.map(() => new Int32Array(size));
  if (like.history) out.history = new Int32Array(size * length);
  if (like.historyCategories) out.historyCategories = new Int32Array(size * length);
  return out;
}

/** Copies sample `i` of `from` into place `k` of `to`, every column `to` has (built by `emptyBatchLike`). */
export function copySample(from: Batch, i: number, to: Batch, k: number): void {
  to.userIds[k] = from.userIds[i]!;
  to.itemIds[k] = from.itemIds[i]!;
  if (to.labels && from.labels) to.labels[k] = from.labels[i]!;
  to.context?.forEach((column, f) => (column[k] = from.context![f]![i]!));
  const length = from.history ? from.history.length / from.size : 0;
  if (to.history) to.history.set(from.history!.subarray(i * length, (i + 1) * length), k * length);
  if (to.historyCategories) to.historyCategories.set(from.historyCategories!.subarray(i * length, (i + 1) * length), k * length);
}
