import { encodeContext, historyRow, type Batch } from '@recstream/models';
import type { ServedModel } from './models/served-model.js';
import type { Candidate } from './recall.js';

export interface RankingInput {
  userVocabId: number;
  /** The user's latest interactions as vocabulary ids, oldest first. */
  history: readonly number[];
  context: Record<string, unknown>;
  time: number;
  candidates: readonly Candidate[];
}

/**
 * Scores candidates with the ranking model exactly as training batches
 * are built: user and item ids, the spec's context columns, and the last
 * `historyLength` interactions left-padded with -1.
 */
export function scoreCandidates(served: ServedModel, input: RankingInput): Float32Array {
  const { spec } = served.model;
  const size = input.candidates.length;
  const batch: Batch = {
    size,
    userIds: new Int32Array(size).fill(input.userVocabId),
    itemIds: Int32Array.from(input.candidates, (c) => c.item.vocabId),
  };
  if (spec.contextFields.length > 0) {
    batch.context = encodeContext(spec.contextFields, input.context, input.time).map((value) => new Int32Array(size).fill(value));
  }
  if (spec.historyLength > 0) {
    const row = historyRow(input.history, spec.historyLength);
    batch.history = new Int32Array(size * spec.historyLength);
    for (let i = 0; i < size; i++) batch.history.set(row, i * spec.historyLength);
  }
  return served.model.score(batch);
}
