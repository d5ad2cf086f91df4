import { describe, expect, it } from 'vitest';
import { Catalog, type CatalogItem } from './catalog.js';
import { ItemPopularity } from './item-popularity.js';

const item = (id: string, vocabId: number): CatalogItem => ({ id, vocabId, categories: [], tags: [], available: true, createdMs: null });

describe('ItemPopularity', () => {
  const catalog = new Catalog([item('a', 1), item('b', 2), item('quiet', 3), item('twin-1', 7), item('twin-2', 7)]);
  const normalized = new Map([['a', 1], ['b', 0.25], ['twin-1', 0.5], ['twin-2', 0.1], ['gone', 0.75]]);
  const popularity = new ItemPopularity(catalog, normalized);

  it('gives each catalogue item its normalized popularity, 0 without interactions', () => {
    expect(['a', 'b', 'quiet'].map((id) => popularity.of(catalog.get(id)!))).toEqual([1, 0.25, 0]);
  });

  it('tells apart items that share a model row id', () => {
    expect([popularity.of(catalog.get('twin-1')!), popularity.of(catalog.get('twin-2')!)]).toEqual([0.5, 0.1]);
  });

  it('answers for items of an older catalogue too, by id', () => {
    expect([popularity.of(item('gone', 99)), popularity.of(item('a', 1)), popularity.of(item('never', 98))]).toEqual([0.75, 1, 0]);
  });
});
