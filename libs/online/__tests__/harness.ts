/**
 * Shared setup for the online updater's integration tests: a fresh database
 * with production models trained on the taste-shift world before its shift,
 * uniquely named single-partition topics, a Redis key prefix of their own,
 * and updaters started against them.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createModel, fit, selectBackend, serializeModel, vocabularyId, type Interaction } from '@recstream/models';
import { brokersFrom, createLogger } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import type { InteractionEvent } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { createKafka, createProducer } from '@recstream/streams';
import { latestOffsets } from '@recstream/streams/inspect';
import { OnlineUpdater, type LearnerOptions, type OnlineUpdaterOptions } from '../src/index.js';
import { TasteShiftWorld } from '../testing/taste-shift.js';

export const logger = createLogger('online-test', process.env.TEST_LOG_LEVEL ?? 'silent');
export const kafka = createKafka({ clientId: 'online-test', brokers: brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), logger });
export const run = randomUUID().slice(0, 8);
export const RANKING_SPEC = { contextFields: ['device', 'position'], historyLength: 0 };

export interface Harness {
  database: TestDatabase;
  pool: pg.Pool;
  redis: Redis;
  registry: ModelRegistry;
  world: TasteShiftWorld;
  versions: { recall: number; ranking: number };
  topics: string[];
  close(): Promise<void>;
}

/** Production MF (recall) and DeepFM (ranking) models trained on the world before its shift. */
export async function createHarness(): Promise<Harness> {
  await selectBackend();
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 6 });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const registry = new ModelRegistry(pool);
  const world = new TasteShiftWorld({ users: 60, seed: 21 });
  const clicks = world.events(1_500, false).filter((e) => e.type === 'click');
  const interactions: Interaction[] = clicks.map((e) => ({ userId: vocabularyId(e.user_id), itemId: vocabularyId(e.item_id), timestamp: e.event_time }));
  const recall = createModel('mf', { contextFields: [], historyLength: 0 }, { dim: 8, seed: 3 });
  await fit(recall, interactions, recall.spec, { epochs: 4, seed: 3 });
  const ranking = createModel('deepfm', RANKING_SPEC, { embeddingDim: 4, deepLayers: [8], seed: 3 });
  await fit(ranking, interactions, ranking.spec, { epochs: 1, seed: 3 });
  const registered = {
    recall: await registry.register({ role: 'recall', modelType: 'mf' }, serializeModel(recall)),
    ranking: await registry.register({ role: 'ranking', modelType: 'deepfm' }, serializeModel(ranking)),
  };
  await registry.setProduction(registered.recall.versionId);
  await registry.setProduction(registered.ranking.versionId);
  recall.dispose();
  ranking.dispose();
  const topics: string[] = [];
  return {
    database,
    pool,
    redis,
    registry,
    world,
    versions: { recall: registered.recall.versionId, ranking: registered.ranking.versionId },
    topics,
    close: async () => {
      await deleteTopics(topics);
      const keys = await redis.keys(`online-test-${run}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await pool.end();
      await database.drop();
    },
  };
}

export async function createTopic(harness: Harness, name: string, numPartitions = 1): Promise<string> {
  const topic = `online-test-${run}-${name}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions }] });
  await admin.disconnect();
  harness.topics.push(topic);
  return topic;
}

async function deleteTopics(topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

export async function produce(topic: string, events: InteractionEvent[], options: { servedListsAsOne?: boolean } = {}): Promise<void> {
  const values = options.servedListsAsOne ? servedLists(events) : events;
  const producer = createProducer(kafka);
  await producer.connect();
  for (let i = 0; i < values.length; i += 500) {
    const messages = values.slice(i, i + 500).map((value) => ({ key: (Array.isArray(value) ? value[0]! : value).user_id, value: JSON.stringify(value) }));
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

/** The events in order, each served list's exposures (consecutive, of one request) as one array, as serving logs them. */
function servedLists(events: InteractionEvent[]): (InteractionEvent | InteractionEvent[])[] {
  const out: (InteractionEvent | InteractionEvent[])[] = [];
  for (const event of events) {
    const last = out.at(-1);
    if (event.type === 'exposure' && Array.isArray(last) && last[0]!.request_id === event.request_id) last.push(event);
    else out.push(event.type === 'exposure' ? [event] : event);
  }
  return out;
}

/** An updater on the harness's database and Redis, started; options default to a test-sized, exactly replayable setup. */
export async function startUpdater(
  harness: Harness,
  options: Partial<Omit<OnlineUpdaterOptions, 'learner'>> & Pick<OnlineUpdaterOptions, 'name' | 'topic'> & { learner?: Partial<LearnerOptions> },
): Promise<OnlineUpdater & { port: number }> {
  const updater = new OnlineUpdater(
    { kafka, redis: harness.redis, pool: harness.pool, logger },
    {
      groupId: `${options.name}-${run}`,
      startFrom: 'earliest',
      flushAfterMs: null,
      snapshotIntervalMs: 3_600_000,
      publishIntervalMs: 100,
      chunkSize: 100,
      maxFetchWaitMs: 50,
      port: 0,
      host: '127.0.0.1',
      deltas: { prefix: `online-test-${run}`, maxEntries: 10_000, ttlMs: 600_000 },
      ...options,
      learner: { ...DEFAULT_TEST_LEARNER, ...options.learner },
    },
  );
  return Object.assign(updater, { port: await updater.start() });
}

const DEFAULT_TEST_LEARNER = { batchSize: 64, denseEvery: 4, denseLearningRate: 0.01, holdoutFraction: 0.1, followPeers: false, guardrail: { window: 2_000, minExamples: 200, margin: 0.02 } };

/** Waits until the updater's positions are at the end of every partition of its topic (with followPeers, those another instance read count too). */
export async function caughtUp(updater: OnlineUpdater, topic: string, timeoutMs = 30_000): Promise<void> {
  const ends = await latestOffsets(kafka, topic);
  const deadline = Date.now() + timeoutMs;
  const behind = () => [...ends].filter(([partition, end]) => end !== '0' && updater.status().positions[partition] !== end);
  while (behind().length > 0) {
    if (Date.now() > deadline) throw new Error(`updater stuck at ${JSON.stringify(updater.status().positions)} of ${JSON.stringify(Object.fromEntries(ends))} on ${topic}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the updater has trained its partial batch (it must run with `flushAfterMs`). */
export async function flushed(updater: OnlineUpdater, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (updater.status().pending > 0) {
    if (Date.now() > deadline) throw new Error(`updater still holds ${updater.status().pending} untrained examples`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
