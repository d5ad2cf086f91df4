import type { Catalog, CatalogItem } from './catalog.js';

/**
 * Normalized popularity per catalogue item, for re-ranking's boost of every
 * candidate. A lookup by string id in a map of the whole catalogue cost
 * cache misses on the map and both strings; this one reads a Float64Array
 * at the item's catalogue position, filled in as items are first asked for,
 * since filling it all when a refresh arrives holds up one request
 * (docs/decisions/incremental-catalog-popularity.md). Items the catalogue
 * cannot place fall back to the string map.
 */
export class ItemPopularity {
  /** By catalogue position; NaN until asked for. */
  private readonly values: Float64Array;

  constructor(
    private readonly catalog: Catalog,
    private readonly normalized: ReadonlyMap<string, number>,
  ) {
    this.values = new Float64Array(catalog.size).fill(Number.NaN);
  }

  of(item: CatalogItem): number {
    const position = this.catalog.positionOf(item);
    if (position < 0) return this.normalized.get(item.id) ?? 0;
    let value = this.values[position]!;
    if (Number.isNaN(value)) this.values[position] = value = this.normalized.get(item.id) ?? 0;
    return value;
  }
}
