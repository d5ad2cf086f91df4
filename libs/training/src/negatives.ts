import type { Batch, Random } from '@recstream/models';

/**
 * Implicit-feedback training (NCF, He et al. 2017): each positive is joined
 * by `count` items the user has no positive for, drawn uniformly and afresh
 * every epoch, sharing the positive's user, context and history.
 */
export class NegativeSampler {
  private readonly positives = new Map<number, Set<number>>();
  private readonly items: number[] = [];
  private readonly known = new Set<number>();

  constructor(private readonly count: number) {}

  /** Positives observed: an epoch trains on this many times (1 + count) samples. */
  positiveCount = 0;

  observe(batch: Batch): void {
    for (let i = 0; i < batch.size; i++) {
      const [user, item] = [batch.userIds[i]!, batch.itemIds[i]!];
      if (!this.known.has(item)) {
        this.known.add(item);
        this.items.push(item);
      }
      if ((batch.labels?.[i] ?? 1) <= 0) continue;
      let items = this.positives.get(user);
      if (!items) this.positives.set(user, (items = new Set()));
      items.add(item);
      this.positiveCount++;
    }
  }

  /** The batch's positives followed by their sampled negatives. */
  augment(batch: Batch, random: Random): Batch {
    const keep: number[] = [];
    for (let i = 0; i < batch.size; i++) if ((batch.labels?.[i] ?? 1) > 0) keep.push(i);
    const size = keep.length * (1 + this.count);
    const length = batch.history ? batch.history.length / batch.size : 0;
    const out: Batch = { size, userIds: new Int32Array(size), itemIds: new Int32Array(size), labels: new Float32Array(size) };
    if (batch.context) out.context = batch.context.map(() => new Int32Array(size));
    if (batch.history) out.history = new Int32Array(size * length);
    let k = 0;
    for (const i of keep) {
      const user = batch.userIds[i]!;
      const seen = this.positives.get(user);
      for (let n = 0; n <= this.count; n++, k++) {
        out.userIds[k] = user;
        out.itemIds[k] = n === 0 ? batch.itemIds[i]! : this.draw(seen, random);
        out.labels![k] = n === 0 ? 1 : 0;
        out.context?.forEach((column, f) => (column[k] = batch.context![f]![i]!));
        if (out.history) out.history.set(batch.history!.subarray(i * length, (i + 1) * length), k * length);
      }
    }
    return out;
  }

  private draw(seen: Set<number> | undefined, random: Random): number {
    // Bounded retries: a user with positives on nearly every item still gets a (rarely seen) negative.
    for (let attempt = 0; attempt < 20; attempt++) {
      const item = this.items[random.int(this.items.length)]!;
      if (!seen?.has(item)) return item;
    }
    return this.items[random.int(this.items.length)]!;
  }
}
