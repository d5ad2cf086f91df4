import { encodeContext, historyRow, vocabularyId, type Batch, type FeatureSpec, type RecModel } from '@recstream/models';
import type { SequenceEntry } from '@recstream/features';

/**
 * What a model reads about one (user, item) pair: the same shape for a
 * training sample and for a serving candidate, encoded by the same functions
 * serving uses (libs/models' encoding), so both score identically.
 */
export interface EncodableRow {
  userId: string;
  itemId: string;
  /** Epoch ms of the moment scored (label time offline, request time online). */
  time: number;
  context: Record<string, unknown>;
  /** The user's latest interactions before `time`, oldest first. */
  sequence: readonly SequenceEntry[];
  label?: number;
}

/** Context fields the context-aware models read; `hour` comes from the row's time. */
export const CONTEXT_FIELDS = ['device', 'hour', 'surface', 'position'] as const;

/** Rows as one model batch for `spec`: hashed ids, encoded context columns, left-padded history. */
export function encodeRows(spec: FeatureSpec, rows: readonly EncodableRow[]): Batch {
  const size = rows.length;
  const batch: Batch = {
    size,
    userIds: Int32Array.from(rows, (row) => vocabularyId(row.userId)),
    itemIds: Int32Array.from(rows, (row) => vocabularyId(row.itemId)),
  };
  if (rows[0]?.label !== undefined) batch.labels = Float32Array.from(rows, (row) => row.label ?? 0);
  if (spec.contextFields.length > 0) {
    const columns = spec.contextFields.map(() => new Int32Array(size));
    rows.forEach((row, i) => encodeContext(spec.contextFields, row.context, row.time).forEach((value, f) => (columns[f]![i] = value)));
    batch.context = columns;
  }
  const length = spec.historyLength;
  if (length > 0) {
    const history = new Int32Array(size * length);
    rows.forEach((row, i) => history.set(historyRow(row.sequence.map((entry) => vocabularyId(entry.item_id)), length), i * length));
    batch.history = history;
  }
  return batch;
}

/** A model as a scorer of rows. */
export function modelScorer(model: RecModel): { score(rows: readonly EncodableRow[]): Float32Array } {
  return { score: (rows) => model.score(encodeRows(model.spec, rows)) };
}
