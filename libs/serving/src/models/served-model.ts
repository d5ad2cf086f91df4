import type { RecModel } from '@recstream/models';
import type { ModelVersion } from '@recstream/registry';
import type { ModelRole } from '@recstream/schemas';
import type { HnswIndex } from '../ann/hnsw-index.js';
import type { CatalogItem } from '../catalog.js';
import type { RecallEmbedder } from './recall-embedder.js';

export interface ServedModel {
  role: ModelRole;
  version: ModelVersion;
  model: RecModel;
}

/** A recall model with its index over the catalogue items the model has vectors for. */
export interface ServedRecall extends ServedModel {
  embedder: RecallEmbedder;
  index: HnswIndex;
  /** The item behind each index label; online updates append items the model learns. */
  items: CatalogItem[];
  /** Each indexed item's label, by model row id. */
  labels: Map<number, number>;
}

/**
 * A loaded version with a lease count: once retired (no longer production or
 * pinned) it is disposed when the last request holding it finishes, so
 * in-flight requests complete on the version they started with.
 */
export class ModelEntry<T extends ServedModel = ServedModel> {
  private leases = 0;
  private retired = false;

  constructor(readonly served: T) {}

  acquire(): T {
    this.leases++;
    return this.served;
  }

  release(): void {
    this.leases--;
    this.disposeIfIdle();
  }

  retire(): void {
    this.retired = true;
    this.disposeIfIdle();
  }

  private disposeIfIdle(): void {
    if (this.retired && this.leases === 0) this.served.model.dispose();
  }
}

/** Places `items` in the recall index at their current vectors, appending those it does not hold yet. */
export function upsertItems(served: ServedRecall, items: readonly CatalogItem[]): void {
  const { embedder, index, labels } = served;
  for (const item of items) {
    if (labels.has(item.vocabId)) continue;
    labels.set(item.vocabId, served.items.length);
    served.items.push(item);
  }
  const vectors = embedder.itemVectors(items);
  items.forEach((item, i) => index.upsert(labels.get(item.vocabId)!, vectors.subarray(i * embedder.dim, (i + 1) * embedder.dim)));
}

/** The catalogue items a recall model can place (`RecallEmbedder.knows`) that its index does not hold yet. */
export function unindexedItems(served: ServedRecall, catalog: readonly CatalogItem[]): CatalogItem[] {
  return catalog.filter((item) => !served.labels.has(item.vocabId) && served.embedder.knows(item));
}
