import { copySample, emptyBatchLike, isItemField, type Batch, type FeatureSpec, type Random } from '@recstream/models';

/**
 * Implicit-feedback training (NCF, He et al. 2017): each positive is joined
 * by `count` items the user has no positive for, drawn uniformly and afresh
 * every epoch, sharing the positive's user, context and history; the item
 * fields of the spec (`isItemField`) are the drawn item's own, as last observed.
 */
export class NegativeSampler {
  private readonly positives = new Map<number, Set<number>>();
  private readonly items: number[] = [];
  private readonly known = new Set<number>();
  /** Context columns that describe the item, by index in the spec's fields. */
  private readonly itemColumns: number[];
  /** Each item's latest values of those columns. */
  private readonly itemValues = new Map<number, Int32Array>();

  constructor(
    private readonly count: number,
    spec: FeatureSpec,
  ) {
    this.itemColumns = spec.contextFields.flatMap((field, f) => (isItemField(field) ? [f] : []));
  }

  /** Positives observed: an epoch trains on this many times (1 + count) samples. */
  positiveCount = 0;

  observe(batch: Batch): void {
    for (let i = 0; i < batch.size; i++) {
      const [user, item] = [batch.userIds[i]!, batch.itemIds[i]!];
      if (!this.known.has(item)) {
        this.known.add(item);
        this.items.push(item);
      }
      if (this.itemColumns.length > 0) this.itemValues.set(item, Int32Array.from(this.itemColumns, (f) => batch.context![f]![i]!));
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
    const out = emptyBatchLike({ ...batch, labels: new Float32Array(0) }, keep.length * (1 + this.count));
    let k = 0;
    for (const i of keep) {
      const user = batch.userIds[i]!;
      const seen = this.positives.get(user);
      for (let n = 0; n <= this.count; n++, k++) {
        copySample(batch, i, out, k);
        out.labels![k] = n === 0 ? 1 : 0;
        if (n === 0) continue;
        out.itemIds[k] = this.draw(seen, random);
        this.itemColumns.forEach((f, c) => (out.context![f]![k] = this.itemValues.get(out.itemIds[k]!)![c]!));
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
