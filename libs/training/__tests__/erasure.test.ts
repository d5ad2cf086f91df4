import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OfflineStore } from '@recstream/features';
import { deserializeModel, isUserTable, vocabularyId } from '@recstream/models';
import { UserEraser } from '@recstream/privacy';
import { ModelRegistry } from '@recstream/registry';
import { SampleGenerator } from '@recstream/samples';
import { InteractionEvent } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { SyntheticWorld } from '@recstream/synth';
import { registerAndPromote, trainOnDataset, type TrainResult } from '../src/index.js';

const world = new SyntheticWorld({ users: 40, items: 40, categories: 4, days: 2, seed: 9 });
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
let database: TestDatabase;
let pool: pg.Pool;
let datasetVersion: string;
let trained: TrainResult;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  await new OfflineStore(pool).writeBatch({ events: [...world.interactionEvents()].map((event) => InteractionEvent.parse(event)), history: [] });
  const start = world.options.start;
  datasetVersion = (await new SampleGenerator(pool).generate({ range: { from: start, to: start + world.options.days * 86_400_000 } })).manifest.datasetVersion;
  trained = await trainOnDataset(pool, { datasetVersion, modelType: 'mf', role: 'recall', maxEpochs: 1, seed: 2 });
}, 120_000);

afterAll(async () => {
  trained.model.dispose();
  await redis.quit();
  await pool.end();
  await database.drop();
});

it('registers a snapshot without the embedding rows of users erased while it trained', async () => {
  const userTable = (model: typeof trained.model) => [...model.tables()].find(([name]) => isUserTable(name))![1];
  const { rows } = await pool.query<{ user_id: string }>(`SELECT DISTINCT user_id FROM samples WHERE label > 0 AND split = 'train' ORDER BY user_id LIMIT 2`);
  const [erased, kept] = rows.map((row) => vocabularyId(row.user_id));
  expect(userTable(trained.model).row(erased!, false)).toBeGreaterThanOrEqual(0);

  const erasure = await new UserEraser(pool, redis, { namespace: `erasure-${randomUUID().slice(0, 8)}` }).erase({ userId: rows[0]!.user_id, requestedBy: 'test' });
  const registry = new ModelRegistry(pool);
  const { version } = await registerAndPromote(registry, pool, trained, { role: 'recall', modelType: 'mf', datasetVersion, codeVersion: 'test', config: {} });

  const snapshot = deserializeModel(await registry.loadArtifact(version.versionId));
  expect(userTable(snapshot).row(erased!, false)).toBe(-1);
  expect(userTable(snapshot).row(kept!, false)).toBeGreaterThanOrEqual(0);
  expect(version.lineage).toEqual({ erasures: { through_erasure_id: erasure.erasureId, rows_removed: 1 } });
  snapshot.dispose();
});
