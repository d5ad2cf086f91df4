import type pg from 'pg';
import { itemAttributes, type ItemAttributes } from '@recstream/features';
import { RowMap, vocabularyId } from '@recstream/models';

export interface CatalogItem {
  id: string;
  /** The item's row id in model tables (see ids.ts). */
  vocabId: number;
  categories: string[];
  available: boolean;
  /** Epoch ms; null when the catalogue did not say. */
  createdMs: number | null;
}

/** The item catalogue as serving sees it: what exists, what may be shown, and how items relate. */
export class Catalog {
  readonly items: readonly CatalogItem[];
  private readonly byId: Map<string, CatalogItem>;
  private readonly positions: RowMap;
  /** Every item, newest first (unknown creation times last). */
  readonly newestFirst: readonly CatalogItem[];

  constructor(items: CatalogItem[]) {
    this.items = items;
    this.byId = new Map(items.map((item) => [item.id, item]));
    // Built with the snapshot, off the request path and once per catalogue rather than per popularity snapshot:
    // each takes tens of ms for 100,000 items.
    this.positions = new RowMap(items.length);
    for (const [position, { vocabId }] of items.entries()) if (this.positions.get(vocabId) < 0) this.positions.set(vocabId, position);
    this.newestFirst = [...items].sort((a, b) => (b.createdMs ?? 0) - (a.createdMs ?? 0));
  }

  get(id: string): CatalogItem | undefined {
    return this.byId.get(id);
  }

  /** The item behind a model row id (the first, where two share it). */
  byVocabId(vocabId: number): CatalogItem | undefined {
    const position = this.positions.get(vocabId);
    return position >= 0 ? this.items[position] : undefined;
  }

  /**
   * The index in `items` of the item with this item's id, found by model
   * row id (numeric lookups miss the cache less than a string map), or -1
   * when there is none and for the later of two items sharing a row id
   * (31-bit hashes). Items of an older catalogue are placed by their id.
   */
  positionOf(item: CatalogItem): number {
    const position = this.positions.get(item.vocabId);
    return position >= 0 && this.items[position]!.id === item.id ? position : -1;
  }

  get size(): number {
    return this.items.length;
  }
}

/**
 * The latest item_attributes of every item from the feature history in
 * Postgres (what the feature builder writes from the `items` topic), so the
 * catalogue loads without scanning Redis and survives a Redis outage.
 */
export async function loadCatalog(pool: pg.Pool): Promise<Catalog> {
  const { rows } = await pool.query<{ entity_id: string; values: ItemAttributes }>(
    `SELECT DISTINCT ON (entity_id) entity_id, "values"
       FROM feature_history
      WHERE feature_view = $1
      ORDER BY entity_id, event_time DESC, created_time DESC`,
    [itemAttributes.name],
  );
  return new Catalog(
    rows.map((row) => ({
      id: row.entity_id,
      vocabId: vocabularyId(row.entity_id),
      categories: row.values.categories ?? [],
      available: row.values.available ?? true,
      createdMs: row.values.created_time ?? null,
    })),
  );
}
