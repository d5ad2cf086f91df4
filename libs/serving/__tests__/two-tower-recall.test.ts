/**
 * Serving's recall with a two-tower model that reads item fields: items a
 * reloaded catalogue adds, which the model never trained on, enter the
 * index with vectors computed from their attributes.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_VIEWS } from '@recstream/features';
import { TwoTowerModel, selectBackend, serializeModel, vocabularyId, type FeatureSpec } from '@recstream/models';
import { coldStartData, trainOnRows } from '@recstream/models/testing';
import { ModelRegistry } from '@recstream/registry';
import { Catalog, type CatalogItem } from '../src/catalog.js';
import { createServingMetrics } from '../src/metrics.js';
import { ModelStore } from '../src/models/model-store.js';
import { createHarness, logger, type Harness } from './harness.js';

const data = coldStartData();
const SPEC: FeatureSpec = { contextFields: ['item_category'], historyLength: 4, historyCategories: true };
const catalogItem = (id: string): CatalogItem => ({ id, vocabId: vocabularyId(id), categories: [data.categoryOf(id)], tags: [], available: true, createdMs: null });
const warmItems = [...new Set(data.train.map((row) => row.itemId))].map(catalogItem);
const newItems = data.coldItems.map(catalogItem);
let harness: Harness;
let store: ModelStore;
let catalog = new Catalog(warmItems);

beforeAll(async () => {
  harness = await createHarness();
  await selectBackend({ preference: ['wasm', 'cpu'] });
  const model = new TwoTowerModel({ embeddingDim: 16, towerLayers: [32, 16] }, SPEC);
  trainOnRows(model, SPEC, data.train, 2);
  const registry = new ModelRegistry(harness.pool);
  const version = await registry.register({ role: 'recall', modelType: 'twotower', metrics: {} }, serializeModel(model));
  model.dispose();
  await registry.setProduction(version.versionId);
  store = new ModelStore({ registry, pool: harness.pool, catalog: () => catalog, logger, metrics: createServingMetrics(new Registry()) });
  await store.start();
}, 120_000);

afterAll(async () => {
  await store?.close();
  await harness?.close();
});

describe('ModelStore with a two-tower recall model', () => {
  it('indexes the items a reloaded catalogue adds, at the vectors their attributes give', async () => {
    const lease = store.lease();
    const recall = lease.recall!;
    expect(recall.index.size).toBe(warmItems.length);
    expect(newItems.some((item) => recall.labels.has(item.vocabId))).toBe(false);

    catalog = new Catalog([...warmItems, ...newItems]);
    await store.refresh();
    expect(recall.index.size).toBe(warmItems.length + newItems.length);
    expect(newItems.every((item) => recall.items[recall.labels.get(item.vocabId)!]?.id === item.id)).toBe(true);
    // Searched for a user who only touched category c, the first new item the index answers is often of category c (chance: 1 in 10 categories).
    const categories = [...new Set(newItems.map((item) => item.categories[0]!))];
    const firstNew = (category: string) => {
      const items = warmItems.filter((item) => item.categories[0] === category).slice(0, 4).map((item, t) => ({ item_id: item.id, type: 'click' as const, time: t, category }));
      const query = recall.embedder.userVector({ userId: 'fresh', userVocabId: vocabularyId('fresh'), time: 0, context: {}, user: { ...DEFAULT_USER_VIEWS, user_sequence: { items } } });
      const labels = recall.index.search(query, recall.index.size).labels;
      return recall.items[labels.find((label) => label >= warmItems.length)!]!;
    };
    const matching = categories.filter((category) => firstNew(category).categories[0] === category).length;
    expect(matching / categories.length).toBeGreaterThan(0.4);
    lease.release();
  });
});
