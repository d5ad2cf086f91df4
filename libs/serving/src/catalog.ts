import type pg from 'pg';
import { itemAttributes, type ItemAttributes } from '@recstream/features';
import { vocabularyId } from '@recstream/models';

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
  private byVocab?: Map<number, CatalogItem>;

  constructor(items: CatalogItem[]) {
    this.items = items;
    this.byId = new Map(items.map((item) => [item.id, item]));
  }

  get(id: string): CatalogItem | undefined {
    return this.byId.get(id);
  }

  /** The item behind a model row id (built on first use: only online updates ask). */
  byVocabId(vocabId: number): CatalogItem | undefined {
    this.byVocab ??= new Map(this.items.map((item) => [item.vocabId, item]));
    return this.byVocab.get(vocabId);
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
