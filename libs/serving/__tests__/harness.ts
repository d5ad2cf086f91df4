/**
 * Shared setup for serving's integration tests: a fresh database, a Redis
 * namespace of their own, the shared Kafka `events` topic read from offsets
 * taken before the test, and a started ServingService on an ephemeral port.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DeltaChannel } from '@recstream/deltas';
import { deserializeModel, vocabularyId, type RecModel } from '@recstream/models';
import pg from 'pg';
import { brokersFrom, createLogger, type RedisClient, type RedisConnection } from '@recstream/platform';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { createKafka } from '@recstream/streams';
import { Random } from '@recstream/synth';
import { ServingService, createServingRedis, type ServingOptions } from '../src/index.js';
import type { RecommendationResponse } from '../src/recommender.js';
import type { Scenario } from '../testing/scenario.js';

export const logger = createLogger('serving-test', process.env.TEST_LOG_LEVEL ?? 'silent');
export const kafkaOptions = { clientId: 'serving-test', brokers: brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), logger };
export const kafka = createKafka(kafkaOptions);
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const namespace = () => `serving-test-${randomUUID().slice(0, 8)}`;

export interface Harness {
  database: TestDatabase;
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 6 });
  return {
    database,
    pool,
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}

export interface RunningService {
  service: ServingService;
  url: string;
  redis: RedisClient;
  close(): Promise<void>;
}

/** A ServingService on its own pool and Redis client, with seeded exploration draws. */
/** `redis`: a URL, or where a Redis Cluster is. */
export async function startService(databaseUrl: string, options: Partial<ServingOptions>, redis: string | RedisConnection = REDIS_URL): Promise<RunningService> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const client = createServingRedis(typeof redis === 'string' ? { redisUrl: redis } : redis, logger);
  const random = new Random(3);
  const service = new ServingService({ pool, redis: client, kafka: kafkaOptions, logger, random: () => random.next() }, { port: 0, host: '127.0.0.1', ...options });
  const port = await service.start();
  return {
    service,
    url: `http://127.0.0.1:${port}`,
    redis: client,
    close: async () => {
      await service.close();
      client.disconnect();
      await pool.end();
    },
  };
}

/** Serving on a scenario seeded in namespace `ns`, following the online deltas published there, with exploration off. */
export function followingDeltas(ns: string): Partial<ServingOptions> {
  return {
    featureNamespace: ns,
    models: { pollIntervalMs: 60_000, hnsw: {} },
    recommender: { featureTimeoutMs: 1_000, rerank: { explorationRate: 0 } },
    onlineDeltas: { follow: true, prefix: ns, blockMs: 200, batchEntries: 100, catalogReloadMs: 1_000 },
  };
}

/** Closes the service, removes the namespace's Redis keys and drops the database. */
export async function tearDown(running: RunningService | undefined, redis: Redis, ns: string, harness: Harness | undefined): Promise<void> {
  await running?.close();
  const keys = await redis.keys(`${ns}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await harness?.close();
}

export async function recommend(url: string, body: unknown): Promise<{ status: number; body: RecommendationResponse & { errors?: { field: string }[] } }> {
  const response = await fetch(`${url}/v1/recommendations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as RecommendationResponse & { errors?: { field: string }[] } };
}

/** Resolves with the first value `probe` gives that is not undefined, looking every 50 ms; fails after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A row of `table` in `model`, as the model holds it. */
export function rowOf(model: RecModel, table: string, id: number): Float32Array {
  const t = model.tables().get(table)!;
  const row = t.row(id, false);
  return t.vectors().slice(t.offsetOf(row), t.offsetOf(row) + t.dim);
}

/** Everything serving would show `user` on the home page. */
export const everything = (url: string, user: string) => recommend(url, { user_id: user, k: 200, context: { surface: 'home', device: 'mobile' } });

/**
 * Publishes to the recall lineage a row for `user` that points straight at an
 * item recall never proposed to them; resolves with that item and the first
 * answer that recommends it.
 */
export async function steerToUnseen(url: string, channel: DeltaChannel, scenario: Scenario, recallLineage: string, user: string) {
  const recall = deserializeModel(scenario.recallArtifact);
  try {
    const before = await everything(url, user);
    const unseen = scenario.items.find((item, i) => i % 37 !== 36 && !before.body.items.some((x) => x.item_id === item) && !scenario.sequences.get(user)!.includes(item))!;
    const target = rowOf(recall, 'item', vocabularyId(unseen)).map((x) => 50 * x);
    await channel.publish(recallLineage, { tables: { user: { ids: Int32Array.of(vocabularyId(user)), vectors: target } }, dense: {} });
    const after = await until(async () => {
      const response = await everything(url, user);
      return response.body.items.find((item) => item.item_id === unseen) ? response : undefined;
    });
    return { unseen, after };
  } finally {
    recall.dispose();
  }
}
