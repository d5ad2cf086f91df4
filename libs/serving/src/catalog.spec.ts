import { describe, expect, it } from 'vitest';
import { Catalog, type CatalogItem } from './catalog.js';

const item = (id: string, vocabId: number, createdMs: number | null = null): CatalogItem => ({ id, vocabId, categories: [], tags: [], available: true, createdMs });

describe('Catalog', () => {
  const items = [item('old', 1, 10), item('twin-1', 7, 30), item('undated', 2), item('twin-2', 7, 20)];
  const catalog = new Catalog(items);

  it('places items by model row id, the first of two sharing one, and an older catalogue’s by their id', () => {
    expect(items.map((i) => catalog.positionOf(i))).toEqual([0, 1, 2, -1]);
    expect(catalog.positionOf(item('old', 1, 99))).toBe(0);
    expect(catalog.positionOf(item('stranger', 1))).toBe(-1);
    expect(catalog.byVocabId(7)).toBe(items[1]);
    expect(catalog.byVocabId(99)).toBeUndefined();
  });

  it('lists its items newest first, unknown creation times last', () => {
    expect(catalog.newestFirst.map((i) => i.id)).toEqual(['twin-1', 'twin-2', 'old', 'undated']);
  });
});
