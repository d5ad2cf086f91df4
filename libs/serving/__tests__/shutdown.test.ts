/**
 * A shutdown that arrives while serving is still starting: the start stops
 * at its next step, an index build in progress is abandoned, and every
 * Postgres client goes back, so the caller's pool can end and the process exit.
 */
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwoTowerModel, selectBackend, serializeModel, vocabularyId } from '@recstream/models';
import { ModelRegistry } from '@recstream/registry';
import { Catalog } from '../src/catalog.js';
import { ServingService, createServingRedis } from '../src/index.js';
import { createServingMetrics } from '../src/metrics.js';
import { ModelStore } from '../src/models/model-store.js';
import { createHarness, kafkaOptions, logger, REDIS_URL, type Harness } from './harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await createHarness();
  await selectBackend({ preference: ['wasm', 'cpu'] });
}, 60_000);

afterAll(() => harness?.close());

describe('ServingService closed while it starts', () => {
  it('resolves its start without listening, closes, and leaves no Postgres client checked out', async () => {
    const pool = new pg.Pool({ connectionString: harness.database.url, max: 4 });
    const redis = createServingRedis({ redisUrl: REDIS_URL }, logger);
    const service = new ServingService({ pool, redis, kafka: kafkaOptions, logger }, { port: 0, host: '127.0.0.1' });
    const starting = service.start();
    await service.close();
    expect(await starting).toBeUndefined();
    redis.disconnect();
    await pool.end();
    expect(pool.totalCount).toBe(0);
  });
});

describe('ModelStore closed while it builds a recall index', () => {
  it('abandons the build: nothing is loaded, nothing counts as a failed load, and its listener goes back', async () => {
    const model = new TwoTowerModel({ embeddingDim: 8, towerLayers: [8] }, { contextFields: [], historyLength: 2 });
    const registry = new ModelRegistry(harness.pool);
    const version = await registry.register({ role: 'recall', modelType: 'twotower', metrics: {} }, serializeModel(model));
    model.dispose();
    await registry.setProduction(version.versionId);
    const catalog = new Catalog(['a', 'b', 'c'].map((id) => ({ id, vocabId: vocabularyId(id), categories: [], tags: [], available: true, createdMs: null })));
    const metricsRegistry = new Registry();
    const pool = new pg.Pool({ connectionString: harness.database.url, max: 2 });
    let closing: Promise<void> | undefined;
    // The recall build reads the catalogue right before it starts the index build: the close comes then.
    const store: ModelStore = new ModelStore({
      registry: new ModelRegistry(pool),
      pool,
      catalog: () => {
        closing ??= store.close();
        return catalog;
      },
      logger,
      metrics: createServingMetrics(metricsRegistry),
    });
    await store.start();
    expect(closing).toBeDefined();
    await closing;
    expect(store.productionVersion('recall')).toBeUndefined();
    const loads = await metricsRegistry.getSingleMetric('serving_model_loads_total')!.get();
    expect(loads.values.filter((v) => v.value > 0)).toEqual([]);
    await pool.end();
    expect(pool.totalCount).toBe(0);
  });
});
