import { copySample, emptyBatchLike, type Batch, type Random } from '@recstream/models';

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
    const out = emptyBatchLike(this.batches[0]!, refs.length);
    refs.forEach(([b, i], k) => copySample(this.batches[b]!, i, out, k));
    return out;
  }
}
