import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { createKafka, ensureTopics, waitForLeaders } from '@recstream/streams';
import { partitionLeaders, startTestCluster, type TestCluster } from '@recstream/streams/test-cluster';
import { FeatureBuilder, type FeatureBuilderOptions } from '../src/builder.js';
import { upsertView } from '../src/upserts.js';
import { endOffsets, waitForGroupCatchUp } from '../src/catch-up.js';
import { OnlineFeatureWriter } from '../src/online-writer.js';
import { SESSION_GAP_MS, dataset, logger, newRedis, run, snapshot } from './harness.js';

const VICTIM = 2;
const PARTITIONS = 4;
/** Catches a builder that stalls: a group that lost its member rejoins once the dead member's session has timed out. */
const CATCH_UP_TIMEOUT_MS = 120_000;
const topics = { events: `lk-${run}-events`, items: `lk-${run}-items`, users: `lk-${run}-users`, deadLetter: `lk-${run}-dlq` };
const ns = (name: string) => `lk-${run}-${name}`;
const data = dataset(30, 40, 40);
const messages = data.interactions.map((event) => ({ key: event.user_id, value: JSON.stringify(event) }));
const redis = newRedis();
let test: TestCluster;
let kafka: Kafka;
let admin: Admin;
let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  test = await startTestCluster({ nodes: 3 });
  // Retries that outlast the dead node's fencing, so the admin's and the builder's requests ride through the failover.
  kafka = createKafka({ clientId: 'leader-kill-test', brokers: test.cluster.addresses, logger, retries: 12 });
  admin = kafka.admin();
  await admin.connect();
  const spec = (name: string) => ({ name, partitions: 1, retentionMs: 3_600_000, description: 'test' });
  await ensureTopics(admin, [spec(topics.items), spec(topics.users), spec(topics.deadLetter)]);
  // Every partition of the events topic led by one node: killing it takes the leaders of all the builder's partitions.
  const others = [1, 2, 3].filter((node) => node !== VICTIM);
  await admin.createTopics({
    waitForLeaders: false,
    topics: [
      {
        topic: topics.events,
        replicaAssignment: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, replicas: [VICTIM, ...(partition % 2 ? others : [...others].reverse())] })),
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ],
  });
  await waitForLeaders(admin, [topics.events]);
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  for (const name of ['clean', 'killed']) await new OnlineFeatureWriter(redis, { namespace: ns(name) }).writeViews(data.catalog.map(upsertView));
});

afterAll(async () => {
  for (const name of ['clean', 'killed']) await new OnlineFeatureWriter(redis, { namespace: ns(name) }).clear();
  await redis.quit();
  await pool?.end();
  await database?.drop();
  await admin?.disconnect();
  await test?.destroy();
});

async function produce(batch: typeof messages): Promise<void> {
  // On a loaded machine the dead node is fenced and its partitions' leaders moved later than the client's retries last.
  const producer = kafka.producer({ retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2_000 } });
  await producer.connect();
  for (let i = 0; i < batch.length; i += 100) await producer.send({ topic: topics.events, acks: -1, messages: batch.slice(i, i + 100) });
  await producer.disconnect();
}

function builder(name: string, onApplied?: () => void): FeatureBuilder {
  const options: Partial<FeatureBuilderOptions> = { topics, namespace: ns(name), groupId: `${run}-${name}`, sessionGapMs: SESSION_GAP_MS, port: 0, host: '127.0.0.1', maxBatchEvents: 20 };
  return new FeatureBuilder({ kafka, redis, pool, logger, onApplied }, options);
}

async function runToEnd(instance: FeatureBuilder, name: string): Promise<void> {
  await waitForGroupCatchUp(admin, `${run}-${name}`, await endOffsets(admin, [topics.events]), { timeoutMs: CATCH_UP_TIMEOUT_MS, failed: instance.failed });
  await instance.close();
}

it('gives the same online features as a clean run when the leader of all its partitions is killed mid-stream', async () => {
  expect(new Set((await partitionLeaders(admin, topics.events)).values())).toEqual(new Set([VICTIM]));
  const half = Math.floor(messages.length / 2);
  await produce(messages.slice(0, half));

  let chunks = 0;
  const killedRun = builder('killed', () => chunks++);
  await killedRun.start();
  while (chunks < 5) await new Promise((r) => setTimeout(r, 20));
  await test.cluster.broker(VICTIM).stop('SIGKILL');
  await produce(messages.slice(half));
  const leaders = [...(await partitionLeaders(admin, topics.events)).values()];
  expect(leaders).toHaveLength(PARTITIONS);
  expect(leaders).not.toContain(VICTIM);
  await runToEnd(killedRun, 'killed');

  const cleanRun = builder('clean');
  await cleanRun.start();
  await runToEnd(cleanRun, 'clean');

  const clean = await snapshot(redis, ns('clean'), ['_v', '_s']);
  expect(Object.keys(clean).filter((key) => data.users.some((user) => key.includes(user))).length).toBeGreaterThanOrEqual(data.users.length);
  expect(await snapshot(redis, ns('killed'), ['_v', '_s'])).toEqual(clean);
});
