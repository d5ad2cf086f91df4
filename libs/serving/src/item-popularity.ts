import { RowMap } from '@recstream/models';
import type { Catalog, CatalogItem } from './catalog.js';

/**
 * Normalized popularity per catalogue item, for re-ranking's boost of every
 * candidate. A lookup by string id in a map of the whole catalogue cost
 * cache misses on the map and both strings (4% of serving CPU at 500
 * requests/s); this one looks the item's model row id up in a RowMap and
 * reads a Float64Array. Catalogue items that share a row id (31-bit hashes)
 * and items the catalogue no longer holds fall back to the string map.
 */
export class ItemPopularity {
  private readonly slots: RowMap;
  private readonly values: Float64Array;

  constructor(
    catalog: Catalog,
    private readonly normalized: ReadonlyMap<string, number>,
  ) {
    this.slots = new RowMap(catalog.size);
    this.values = new Float64Array(catalog.size);
    for (const [slot, item] of catalog.items.entries()) {
      const shared = this.slots.get(item.vocabId);
      if (shared >= 0) this.values[shared] = Number.NaN;
      else {
        this.slots.set(item.vocabId, slot);
        this.values[slot] = normalized.get(item.id) ?? 0;
      }
    }
  }

  of(item: CatalogItem): number {
    const slot = this.slots.get(item.vocabId);
    const value = slot < 0 ? Number.NaN : this.values[slot]!;
    return Number.isNaN(value) ? (this.normalized.get(item.id) ?? 0) : value;
  }
}
