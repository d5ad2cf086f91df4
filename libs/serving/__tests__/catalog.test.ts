import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfflineStore, itemAttributes, type ItemAttributes } from '@recstream/features';
import { CatalogTracker, type Catalog } from '../src/catalog.js';
import { createHarness, type Harness } from './harness.js';

const DAY_MS = 86_400_000;
const attributes = (categories: string[], available = true): ItemAttributes => ({ categories, tags: [], available, created_time: null });
const byId = (catalog: Catalog) => Object.fromEntries(catalog.items.map((item) => [item.id, { categories: item.categories, available: item.available }]));

describe('CatalogTracker over the feature history', () => {
  let harness: Harness;
  let offline: OfflineStore;
  const start = Date.parse('2026-11-30T12:00:00Z');
  const write = (rows: { id: string; at: number; values: ItemAttributes }[]) =>
    offline.writeBatch({ events: [], history: rows.map((r) => ({ view: itemAttributes.name, entityId: r.id, eventTime: r.at, values: r.values })) });

  beforeAll(async () => {
    harness = await createHarness();
    offline = new OfflineStore(harness.pool);
    await write([
      { id: 'a', at: start - 2 * DAY_MS, values: attributes(['old']) },
      { id: 'a', at: start - DAY_MS, values: attributes(['books']) },
      { id: 'b', at: start - DAY_MS, values: attributes(['music']) },
    ]);
  });
  afterAll(() => harness.close());

  it('reads only what was written since, keeps the latest event time per item, and matches a full read', async () => {
    const tracker = new CatalogTracker(harness.pool);
    const first = await tracker.refresh(start);
    expect(byId(first)).toEqual({ a: { categories: ['books'], available: true }, b: { categories: ['music'], available: true } });
    expect(await tracker.refresh(start + 60_000)).toBe(first);

    // A new item, a change, and a row for an earlier event time that arrives late: the latest event time still wins.
    await write([
      { id: 'c', at: start, values: attributes(['film']) },
      { id: 'b', at: start, values: attributes(['music'], false) },
      { id: 'a', at: start - 1.5 * DAY_MS, values: attributes(['late']) },
    ]);
    const second = await tracker.refresh(start + 120_000);
    expect(second).not.toBe(first);
    expect(byId(second)).toEqual({ a: { categories: ['books'], available: true }, b: { categories: ['music'], available: false }, c: { categories: ['film'], available: true } });
    expect(second.get('a')).toBe(first.get('a'));
    expect(await tracker.refresh(start + 180_000)).toBe(second);
    expect(byId(await new CatalogTracker(harness.pool).refresh(start + 180_000))).toEqual(byId(second));
  });

  it('reads rows that commit after a read again if their writes started within the overlap, and all of them at the next rebuild', async () => {
    const tracker = new CatalogTracker(harness.pool, { overlapMs: 60_000, rebuildEveryMs: 3_600_000 });
    await tracker.refresh(start);
    // Rows committed after that read, stamped as if their transactions had started 30 s (within the overlap) and 10 min (beyond it) before now.
    await harness.pool.query(
      `INSERT INTO feature_history (feature_view, entity_id, event_time, created_time, "values")
       VALUES ($1, 'slow', $2, now() - interval '30 seconds', $3), ($1, 'slower', $2, now() - interval '10 minutes', $3)`,
      [itemAttributes.name, new Date(start), JSON.stringify(attributes(['slow']))],
    );
    const refreshed = await tracker.refresh(start + 60_000);
    expect(refreshed.get('slow')).toBeDefined();
    expect(refreshed.get('slower')).toBeUndefined();
    expect((await tracker.refresh(start + 3_600_000)).get('slower')).toBeDefined();
  });
});
