import type { Batch, FeatureSpec } from '../src/batch.js';
import { encodeRows, type EncodableRow } from '../src/encoding.js';
import type { RecModel } from '../src/model.js';
import { createRandom } from '../src/random.js';
import { plantedSequences, type PlantedOptions } from './planted-data.js';

export interface ColdStartOptions {
  planted: Partial<PlantedOptions>;
  /** Every `coldEvery`-th item is held out of training entirely. */
  coldEvery: number;
  /** Sampled negatives (warm items, with their own attributes) per training positive. */
  negatives: number;
  /** Sequence entries a test case needs before its cold positive. */
  minHistory: number;
  seed: number;
}

export const DEFAULT_COLD_START_OPTIONS: ColdStartOptions = {
  planted: { users: 150, items: 600, categories: 20, interactionsPerUser: 24, favouriteCategories: 3 },
  coldEvery: 6,
  negatives: 4,
  minHistory: 3,
  seed: 5,
};

/** One user's first interaction with a held-out item, to rank against every held-out item the user never touched. */
export interface ColdCase {
  /** The positive first, then the candidates. */
  rows: EncodableRow[];
}

export interface ColdStartData {
  /** Labelled rows on warm items only, positives each followed by their negatives. */
  train: EncodableRow[];
  cases: ColdCase[];
  coldItems: string[];
  categoryOf(itemId: string): string;
}

/**
 * Planted sequences as feature rows (item ids `i<n>`, categories `c<n % categories>`)
 * with some items held out: no training row names them, not even in a
 * sequence, so a model can only place them by their attributes.
 */
export function coldStartData(options: Partial<ColdStartOptions> = {}): ColdStartData {
  const o = { ...DEFAULT_COLD_START_OPTIONS, ...options };
  const categories = o.planted.categories ?? 20;
  const items = o.planted.items ?? 600;
  const interactions = plantedSequences(o.planted);
  const random = createRandom(o.seed);
  const name = (item: number) => `i${item}`;
  const categoryOfIndex = (item: number) => `c${item % categories}`;
  const isCold = (item: number) => item % o.coldEvery === 0;
  const warm = Array.from({ length: items }, (_, i) => i).filter((i) => !isCold(i));
  const cold = Array.from({ length: items }, (_, i) => i).filter(isCold);
  const row = (user: number, item: number, sequence: EncodableRow['sequence'], label?: number): EncodableRow => ({
    userId: `u${user}`,
    itemId: name(item),
    time: 0,
    context: {},
    sequence,
    features: { item_category: categoryOfIndex(item) },
    ...(label !== undefined && { label }),
  });
  const byUser = new Map<number, number[]>();
  for (const { userId, itemId } of interactions) byUser.set(userId, [...(byUser.get(userId) ?? []), itemId]);
  const train: EncodableRow[] = [];
  const cases: ColdCase[] = [];
  for (const [user, sequence] of byUser) {
    const touched = new Set(sequence);
    const warmSequence: { item_id: string; category: string }[] = [];
    let cased = false;
    for (const [t, item] of sequence.entries()) {
      if (isCold(item)) {
        if (!cased && t >= o.minHistory) {
          const history = sequence.slice(0, t).map((i) => ({ item_id: name(i), category: categoryOfIndex(i) }));
          const candidates = cold.filter((i) => i !== item && !touched.has(i));
          cases.push({ rows: [row(user, item, history), ...candidates.map((i) => row(user, i, history))] });
          cased = true;
        }
        continue;
      }
      const history = [...warmSequence];
      train.push(row(user, item, history, 1));
      for (let n = 0; n < o.negatives; n++) {
        let negative = warm[random.int(warm.length)]!;
        while (touched.has(negative)) negative = warm[random.int(warm.length)]!;
        train.push(row(user, negative, history, 0));
      }
      warmSequence.push({ item_id: name(item), category: categoryOfIndex(item) });
    }
  }
  return { train, cases, coldItems: cold.map(name), categoryOf: (itemId) => categoryOfIndex(Number(itemId.slice(1))) };
}

/** Trains `model` on `rows` for `epochs`, in batches of `batchSize` drawn in a seeded shuffled order. */
export function trainOnRows(model: RecModel, spec: FeatureSpec, rows: readonly EncodableRow[], epochs: number, batchSize = 256): void {
  const random = createRandom(3);
  const order = rows.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += batchSize) {
      const batch: Batch = encodeRows(spec, order.slice(start, start + batchSize).map((i) => rows[i]!));
      model.trainStep(batch);
    }
  }
}
