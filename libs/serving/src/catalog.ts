import type pg from 'pg';
import { itemAttributes, type ItemAttributes } from '@recstream/features';
import { RowMap, vocabularyId } from '@recstream/models';

export interface CatalogItem {
  id: string;
  /** The item's row id in model tables (see ids.ts). */
  vocabId: number;
  categories: string[];
  tags: string[];
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
    // Built with the refresh, off the request path and once per catalogue rather than per popularity refresh:
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

export interface CatalogTrackerOptions {
  /** How often every item is read again; refreshes in between read only the attribute rows written since the last read. */
  rebuildEveryMs: number;
  /**
   * Rows written up to this long before the last read started are read
   * again: a row's created_time is its transaction's start, so a write that
   * commits after a read can carry an earlier time. Each write is one
   * statement (OfflineStore.writeBatch), so only lock waits stretch one out.
   */
  overlapMs: number;
}

export const DEFAULT_CATALOG_TRACKER_OPTIONS: CatalogTrackerOptions = { rebuildEveryMs: 3_600_000, overlapMs: 60_000 };

/** Where an item's attributes came from: the history row DISTINCT ON keeps is the latest event time, then the latest write. */
interface Source {
  eventMs: number;
  createdMs: number;
}

interface AttributeRow {
  entity_id: string;
  event_ms: number;
  created_ms: number;
  values: ItemAttributes;
}

/*
 * The latest item_attributes row of every item written after $2 (epoch ms),
 * from the feature history in Postgres (what the feature builder writes from
 * the `items` topic), so the catalogue loads without scanning Redis and
 * survives a Redis outage. A partial index on created_time keeps a read of
 * the few rows written since the last one from touching the others.
 */
const ATTRIBUTES_SQL = `
  SELECT DISTINCT ON (entity_id) entity_id, "values",
         (extract(epoch FROM event_time) * 1000)::float8 AS event_ms, (extract(epoch FROM created_time) * 1000)::float8 AS created_ms
    FROM feature_history
   WHERE feature_view = $1 AND created_time > to_timestamp($2 / 1000.0)
   ORDER BY entity_id, event_time DESC, created_time DESC`;

/**
 * The item catalogue, kept current cheaply: every `rebuildEveryMs` all
 * items are read, and each refresh in between reads only the attribute
 * rows written since the last read started (less `overlapMs`). A refresh that
 * finds no change returns the same Catalog, so nothing built from it is
 * built again. A full read costs serving CPU and p99 in proportion to the
 * catalogue (docs/decisions/incremental-catalog-popularity.md).
 */
export class CatalogTracker {
  private readonly options: CatalogTrackerOptions;
  private current?: { catalog: Catalog; sources: Map<string, Source>; lastReadMs: number; builtAt: number };

  constructor(
    private readonly pool: pg.Pool,
    options: Partial<CatalogTrackerOptions> = {},
  ) {
    this.options = { ...DEFAULT_CATALOG_TRACKER_OPTIONS, ...options };
  }

  async refresh(now = Date.now()): Promise<Catalog> {
    const { current } = this;
    if (!current || now - current.builtAt >= this.options.rebuildEveryMs || now < current.builtAt) {
      const { rows, startedMs } = await this.read(Number.NEGATIVE_INFINITY);
      const sources = new Map(rows.map((row) => [row.entity_id, { eventMs: row.event_ms, createdMs: row.created_ms }]));
      this.current = { catalog: new Catalog(rows.map(catalogItem)), sources, lastReadMs: startedMs, builtAt: now };
      return this.current.catalog;
    }
    const { rows, startedMs } = await this.read(current.lastReadMs - this.options.overlapMs);
    current.lastReadMs = startedMs;
    const changed = rows.filter((row) => {
      const source = current.sources.get(row.entity_id);
      return !source || row.event_ms > source.eventMs || (row.event_ms === source.eventMs && row.created_ms > source.createdMs);
    });
    if (changed.length === 0) return current.catalog;
    const items = [...current.catalog.items];
    const positions = new Map(items.map((item, i) => [item.id, i]));
    for (const row of changed) {
      current.sources.set(row.entity_id, { eventMs: row.event_ms, createdMs: row.created_ms });
      items[positions.get(row.entity_id) ?? items.length] = catalogItem(row);
    }
    current.catalog = new Catalog(items);
    return current.catalog;
  }

  /** The rows written after `writtenAfterMs` (-Infinity: all), and Postgres's clock before the read began. */
  private async read(writtenAfterMs: number): Promise<{ rows: AttributeRow[]; startedMs: number }> {
    // Its own statement, so that it is taken before the read's snapshot.
    const { rows: clock } = await this.pool.query<{ ms: number }>('SELECT (extract(epoch FROM now()) * 1000)::float8 AS ms');
    const { rows } = await this.pool.query<AttributeRow>(ATTRIBUTES_SQL, [itemAttributes.name, writtenAfterMs]);
    return { rows, startedMs: clock[0]!.ms };
  }
}

function catalogItem(row: AttributeRow): CatalogItem {
  return {
    id: row.entity_id,
    vocabId: vocabularyId(row.entity_id),
    categories: row.values.categories ?? [],
    tags: row.values.tags ?? [],
    available: row.values.available ?? true,
    createdMs: row.values.created_time ?? null,
  };
}
