import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_VIEWS } from '@recstream/features';
import { TwoTowerModel, selectBackend, vocabularyId, type FeatureSpec } from '@recstream/models';
import { coldStartData, trainOnRows } from '@recstream/models/testing';
import type { ModelVersion } from '@recstream/registry';
import { HnswIndex } from '../ann/hnsw-index.js';
import type { CatalogItem } from '../catalog.js';
import { recallEmbedder, type RecallQuery } from './recall-embedder.js';
import { unindexedItems, upsertItems, type ServedRecall } from './served-model.js';

const data = coldStartData();
const SPEC: FeatureSpec = { contextFields: ['item_category'], historyLength: 4, historyCategories: true };
const CONFIG = { embeddingDim: 16, towerLayers: [32, 16] };
const catalogItem = (id: string, category: string): CatalogItem => ({ id, vocabId: vocabularyId(id), categories: [category], tags: [], available: true, createdMs: null });
const warmItems = [...new Set(data.train.map((row) => row.itemId))].map((id) => catalogItem(id, data.categoryOf(id)));
const newItems = data.coldItems.map((id) => catalogItem(id, data.categoryOf(id)));
/** A user whose every interaction so far was in `category`. */
const queryIn = (category: string): RecallQuery => {
  const items = warmItems.filter((item) => item.categories[0] === category).slice(0, 4);
  const sequence = items.map((item, t) => ({ item_id: item.id, type: 'click' as const, time: t, category }));
  return { userId: `fresh-${category}`, userVocabId: vocabularyId(`fresh-${category}`), time: 0, context: {}, user: { ...DEFAULT_USER_VIEWS, user_sequence: { items: sequence } } };
};
let model: TwoTowerModel;

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
  model = new TwoTowerModel(CONFIG, SPEC);
  trainOnRows(model, SPEC, data.train, 2);
}, 120_000);

describe('recallEmbedder for a two-tower model reading item fields', () => {
  it('places a catalogue item it never trained on by its attributes', () => {
    const embedder = recallEmbedder(model);
    const [a, b, c] = [catalogItem('brand-new-1', 'c3'), catalogItem('brand-new-2', 'c3'), catalogItem('brand-new-3', 'c4')];
    expect([a, b, c].every((item) => embedder.knows(item))).toBe(true);
    const vectors = embedder.itemVectors([a, b, c]);
    const at = (i: number) => Array.from(vectors.subarray(i * embedder.dim, (i + 1) * embedder.dim));
    expect(at(0)).toEqual(at(1));
    expect(at(0)).not.toEqual(at(2));
    // An ids-only two-tower has nothing to place it by.
    const idsOnly = new TwoTowerModel(CONFIG, { contextFields: [], historyLength: 4 });
    expect(recallEmbedder(idsOnly).knows(a)).toBe(false);
    idsOnly.dispose();
  });

  it('indexes new catalogue items from their attributes, where a user of their category finds them', async () => {
    const embedder = recallEmbedder(model);
    const index = await HnswIndex.build(embedder.itemVectors(warmItems), embedder.dim);
    const served: ServedRecall = {
      role: 'recall',
      version: {} as ModelVersion,
      model,
      embedder,
      index,
      items: [...warmItems],
      labels: new Map(warmItems.map((item, label) => [item.vocabId, label])),
    };
    const fresh = unindexedItems(served, [...warmItems, ...newItems]);
    expect(fresh.map((item) => item.id).sort()).toEqual([...data.coldItems].sort());
    upsertItems(served, fresh);
    expect(unindexedItems(served, [...warmItems, ...newItems])).toEqual([]);
    expect(served.index.size).toBe(warmItems.length + newItems.length);

    // Among the new items alone, the nearest to a user who only touched category c is often of category c (chance: 1 in 10 categories).
    const categories = [...new Set(newItems.map((item) => item.categories[0]!))];
    const newVectors = embedder.itemVectors(newItems);
    let inCategory = 0;
    for (const category of categories) {
      const query = embedder.userVector(queryIn(category));
      const scores = newItems.map((_, i) => newVectors.subarray(i * embedder.dim, (i + 1) * embedder.dim).reduce((sum, x, d) => sum + x * query[d]!, 0));
      const best = newItems[scores.indexOf(Math.max(...scores))]!;
      if (best.categories[0] === category) inCategory++;
    }
    expect(inCategory / categories.length).toBeGreaterThan(0.4);
  });
});
