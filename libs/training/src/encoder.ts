import type { Batch, FeatureSpec } from '@recstream/models';
import type { SequenceEntry } from '@recstream/features';
import { Vocabulary } from './vocabulary.js';

/**
 * What a model reads about one (user, item) pair: the same shape for a
 * training sample and for a serving candidate, so both encode identically.
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

/** Context fields a model may read; `hour` falls back to the hour of `time` (UTC). */
export const CONTEXT_FIELDS = ['device', 'hour', 'surface', 'position'] as const;

export interface EncoderState {
  spec: FeatureSpec;
  users: string[];
  items: string[];
  context: Record<string, string[]>;
}

/**
 * Turns rows into model batches through vocabularies. While training it
 * grows them (`grow: true`); when scoring, unknown ids encode as -1, which
 * the models read as zero vectors.
 */
export class SampleEncoder {
  readonly users: Vocabulary;
  readonly items: Vocabulary;
  private readonly context: Map<string, Vocabulary>;

  constructor(
    readonly spec: FeatureSpec,
    state?: Omit<EncoderState, 'spec'>,
  ) {
    this.users = new Vocabulary(state?.users);
    this.items = new Vocabulary(state?.items);
    this.context = new Map(spec.contextFields.map((field) => [field, new Vocabulary(state?.context[field])]));
  }

  encode(rows: readonly EncodableRow[], { grow }: { grow: boolean }): Batch {
    const size = rows.length;
    const batch: Batch = { size, userIds: new Int32Array(size), itemIds: new Int32Array(size) };
    const labels = rows[0]?.label === undefined ? undefined : new Float32Array(size);
    const context = this.spec.contextFields.map(() => new Int32Array(size));
    const length = this.spec.historyLength;
    const history = length > 0 ? new Int32Array(size * length).fill(-1) : undefined;
    rows.forEach((row, i) => {
      batch.userIds[i] = this.users.id(row.userId, grow);
      batch.itemIds[i] = this.items.id(row.itemId, grow);
      if (labels) labels[i] = row.label ?? 0;
      this.spec.contextFields.forEach((field, f) => {
        context[f]![i] = this.context.get(field)!.id(contextValue(row, field), grow);
      });
      if (history) {
        const recent = row.sequence.slice(-length);
        const offset = i * length + (length - recent.length);
        recent.forEach((entry, j) => (history[offset + j] = this.items.id(entry.item_id, grow)));
      }
    });
    if (labels) batch.labels = labels;
    if (context.length > 0) batch.context = context;
    if (history) batch.history = history;
    return batch;
  }

  state(): EncoderState {
    return {
      spec: this.spec,
      users: this.users.keys(),
      items: this.items.keys(),
      context: Object.fromEntries([...this.context].map(([field, vocabulary]) => [field, vocabulary.keys()])),
    };
  }
}

function contextValue(row: EncodableRow, field: string): string {
  const value = row.context[field];
  if (value !== undefined && value !== null) return String(value);
  return field === 'hour' ? String(new Date(row.time).getUTCHours()) : '';
}
