import type { Batch, FeatureSpec } from '../batch.js';
import { createRandom } from '../random.js';
import { groupByUser, writeHistory, type Interaction } from '../data/interactions.js';

export interface TrainingBatchOptions {
  batchSize: number;
  /** Sampled unseen items per positive, labelled 0 (NCF uses 4). Ignored for labelled data. */
  negatives: number;
  seed: number;
}

export const DEFAULT_TRAINING_BATCH_OPTIONS: TrainingBatchOptions = { batchSize: 2048, negatives: 4, seed: 1 };

interface Sample {
  user: number;
  item: number;
  label: number;
  /** The interaction whose history and context the sample shares. */
  source: Interaction;
  /** Position of `source` in its user's sequence. */
  position: number;
}

/**
 * One epoch of shuffled training batches. Implicit interactions become
 * positives with `negatives` sampled items the user never touched (sharing the
 * positive's history and context); interactions with a `label` are used as is.
 */
export function* trainingBatches(
  interactions: Interaction[],
  spec: FeatureSpec,
  options: Partial<TrainingBatchOptions> = {},
): Generator<Batch> {
  const { batchSize, negatives, seed } = { ...DEFAULT_TRAINING_BATCH_OPTIONS, ...options };
  const random = createRandom(seed);
  const byUser = groupByUser(interactions);
  const items = [...new Set(interactions.map((i) => i.itemId))];
  const samples: Sample[] = [];
  for (const [user, sequence] of byUser) {
    const seen = new Set(sequence.map((i) => i.itemId));
    sequence.forEach((source, position) => {
      samples.push({ user, item: source.itemId, label: source.label ?? 1, source, position });
      if (source.label !== undefined) return;
      for (let n = 0; n < negatives && seen.size < items.length; n++) {
        let item = items[random.int(items.length)]!;
        while (seen.has(item)) item = items[random.int(items.length)]!;
        samples.push({ user, item, label: 0, source, position });
      }
    });
  }
  for (let i = samples.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [samples[i], samples[j]] = [samples[j]!, samples[i]!];
  }
  for (let start = 0; start < samples.length; start += batchSize) {
    const chunk = samples.slice(start, start + batchSize);
    yield assemble(chunk, spec, byUser);
  }
}

function assemble(chunk: Sample[], spec: FeatureSpec, byUser: Map<number, Interaction[]>): Batch {
  const size = chunk.length;
  const batch: Batch = {
    size,
    userIds: Int32Array.from(chunk, (s) => s.user),
    itemIds: Int32Array.from(chunk, (s) => s.item),
    labels: Float32Array.from(chunk, (s) => s.label),
  };
  if (spec.contextFields.length > 0) {
    batch.context = spec.contextFields.map((_, f) => Int32Array.from(chunk, (s) => s.source.context?.[f] ?? -1));
  }
  if (spec.historyLength > 0) {
    const history = new Int32Array(size * spec.historyLength);
    chunk.forEach((s, i) => writeHistory(byUser.get(s.user)!, s.position, spec.historyLength, history, i * spec.historyLength));
    batch.history = history;
  }
  return batch;
}
