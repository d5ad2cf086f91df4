import type { Batch } from '../batch.js';
import type { Interaction } from '../data/interactions.js';
import type { Scorer } from './ncf-protocol.js';

/** Scores an item by its share of training interactions: the baseline every model must beat. */
export class PopularityScorer implements Scorer {
  private readonly counts = new Map<number, number>();
  private readonly total: number;

  constructor(train: Iterable<Interaction>) {
    let total = 0;
    for (const { itemId, label } of train) {
      if (label === 0) continue;
      this.counts.set(itemId, (this.counts.get(itemId) ?? 0) + 1);
      total++;
    }
    this.total = Math.max(total, 1);
  }

  score(batch: Batch): Float32Array {
    return Float32Array.from(batch.itemIds, (item) => (this.counts.get(item) ?? 0) / this.total);
  }
}
