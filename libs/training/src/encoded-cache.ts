import type { Batch, Random } from '@recstream/models';

/**
 * Encoded training batches kept in memory after the first pass over the
 * dataset: a few dozen bytes a sample instead of its JSON features, so later
 * epochs need not re-read Postgres. Re-batched in a fresh random order each epoch.
 */
export class EncodedCache {
  private readonly batches: Batch[] = [];
  private samples = 0;

  constructor(private readonly maxSamples: number) {}

  /** Adds a batch; false (and the cache is dropped) once it would exceed its budget. */
  add(batch: Batch): boolean {
    if (this.samples + batch.size > this.maxSamples) {
      this.batches.length = 0;
      this.samples = Number.POSITIVE_INFINITY;
      return false;
    }
    this.batches.push(batch);
    this.samples += batch.size;
    return true;
  }

  /** Whether a first pass has begun filling (or overflowed) the cache. */
  get started(): boolean {
    return this.samples > 0;
  }

  get complete(): boolean {
    return Number.isFinite(this.samples) && this.samples > 0;
  }

  /** All cached samples as new batches of `size`, in a random order. */
  *epoch(size: number, random: Random): Generator<Batch> {
    const refs: [number, number][] = [];
    this.batches.forEach((batch, b) => {
      for (let i = 0; i < batch.size; i++) refs.push([b, i]);
    });
    for (let i = refs.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [refs[i], refs[j]] = [refs[j]!, refs[i]!];
    }
    for (let start = 0; start < refs.length; start += size) yield this.gather(refs.slice(start, start + size));
  }

  private gather(refs: [number, number][]): Batch {
    const first = this.batches[0]!;
    const size = refs.length;
    const length = first.history ? first.history.length / first.size : 0;
    const out: Batch = { size, userIds: new Int32Array(size), itemIds: new Int32Array(size) };
    if (first.labels) out.labels = new Float32Array(size);
    if (first.context) out.context = first.context.map(() => new Int32Array(size));
    if (first.history) out.history = new Int32Array(size * length);
    refs.forEach(([b, i], k) => {
      const source = this.batches[b]!;
      out.userIds[k] = source.userIds[i]!;
      out.itemIds[k] = source.itemIds[i]!;
      if (out.labels) out.labels[k] = source.labels![i]!;
      out.context?.forEach((column, f) => (column[k] = source.context![f]![i]!));
      if (out.history) out.history.set(source.history!.subarray(i * length, (i + 1) * length), k * length);
    });
    return out;
  }
}
