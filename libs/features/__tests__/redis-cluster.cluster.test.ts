/**
 * The feature store on a 3-master Redis Cluster of its own (Kafka and
 * Postgres are the shared ones): a batch lands slot by slot, and every way
 * of stopping it halfway must leave, after the replay, the store a clean run
 * leaves (docs/decisions/cluster-exactly-once.md).
 */
import type { Cluster } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedis, type RedisClient } from '@recstream/platform';
import { teardown } from '@recstream/platform/testing';
import { startTestRedisCluster, type TestRedisCluster } from '@recstream/platform/test-redis-cluster';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { FeatureBuilder, type FeatureBuilderOptions } from '../src/builder.js';
import { upsertView } from '../src/upserts.js';
import { endOffsets, waitForGroupCatchUp } from '../src/catch-up.js';
import { KeyLayout } from '../src/keys.js';
import { OnlineFeatureReader } from '../src/online-reader.js';
import { OnlineFeatureWriter } from '../src/online-writer.js';
import type { BatchPlan } from '../src/plan.js';
import { rebuildFromOffline } from '../src/rebuild.js';
import { keySlot } from '../src/slots.js';
import { SESSION_GAP_MS, appliedMessages, builderEnv, createTopics, dataset, deleteTopics, kafka, killBuilderMidRun, logger, produce, run, snapshot } from './harness.js';
import { reference } from './reference.js';

const topics = { events: `rc-${run}-events`, items: `rc-${run}-items`, users: `rc-${run}-users`, deadLetter: `rc-${run}-dlq` };
const ns = (name: string) => `rc-${run}-${name}`;
const data = dataset(30, 40, 40);
const expected = reference(data.interactions, data.catalog, SESSION_GAP_MS);
const base: Partial<FeatureBuilderOptions> = { topics, sessionGapMs: SESSION_GAP_MS, port: 0, host: '127.0.0.1', maxBatchEvents: 60, consume: ['events', 'items'] };
const admin = kafka.admin();
let test: TestRedisCluster;
let redis: RedisClient;
let database: TestDatabase;
let pool: pg.Pool;

/** The store's views: without versions and serialized state (they differ between runs) nor fences (they depend on chunking). */
const views = async (namespace: string) =>
  Object.fromEntries(Object.entries(await snapshot(redis, namespace, ['_v', '_s'])).filter(([key]) => !key.startsWith('wm:')));

async function build(namespace: string, online?: OnlineFeatureWriter): Promise<void> {
  await new OnlineFeatureWriter(redis, { namespace }).writeViews(data.catalog.map(upsertView));
  const builder = new FeatureBuilder({ kafka, redis, pool, logger, online }, { ...base, namespace, groupId: `${run}-${namespace}` });
  await builder.start();
  await waitForGroupCatchUp(admin, `${run}-${namespace}`, await endOffsets(admin, [topics.events, topics.items]));
  await builder.close();
}

beforeAll(async () => {
  test = await startTestRedisCluster(3);
  redis = createRedis({ redisUrl: '', redisClusterNodes: test.cluster.addresses.join(',') }, { maxRetriesPerRequest: 3 });
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  await admin.connect();
  await createTopics({ [topics.events]: 4, [topics.items]: 1, [topics.users]: 1, [topics.deadLetter]: 1 });
  // The catalogue is seeded into each namespace before its builder starts, and is in the items topic for the offline store.
  await produce(
    topics.items,
    data.catalog.map((item) => ({ key: item.item_id, value: JSON.stringify(item) })),
  );
  await produce(
    topics.events,
    data.interactions.map((event) => ({ key: event.user_id, value: JSON.stringify(event) })),
  );
});

afterAll(async () => {
  await teardown('redis-cluster test', [
    ['redis', () => redis?.quit()],
    ['admin', () => admin.disconnect()],
    ['pool', () => pool?.end()],
    ['database', () => database?.drop()],
    ['topics', () => deleteTopics(Object.values(topics))],
    ['cluster', () => test?.destroy()],
  ]);
});

it('computes the reference counts, sequences and co-visitation on a cluster', async () => {
  await build(ns('clean'));
  const reader = new OnlineFeatureReader(redis, { namespace: ns('clean') });
  for (const userId of data.users) {
    const { user, items } = await reader.read({ userId, itemIds: data.items });
    const want = expected.users.get(userId)!;
    for (const [type, count] of Object.entries(want.counts)) expect(user.user_activity.counts[type as 'click']['7d']).toBe(count);
    expect(user.user_sequence.items).toEqual(want.sequence);
    for (const item of items) {
      const stats = expected.items.get(item.item_id);
      if (stats) expect([item.item_stats.impressions['7d'], item.item_stats.clicks['7d']]).toEqual([stats.impressions, stats.clicks]);
    }
  }
  for (const [item, others] of expected.covisits) {
    expect(new Map((await reader.covisited(item, 500)).map((entry) => [entry.item_id, entry.count]))).toEqual(others);
  }
  const [first] = data.users;
  const { covisited } = await reader.readUserWithCovisits(first!, 3, 10);
  expect(covisited.map((list) => list.seed)).toEqual(expected.users.get(first!)!.sequence.slice(-3).map((entry) => entry.item_id));
});

it('reads the rows of each node with one script there, and still reads them all when the slot map is stale', async () => {
  const client = createRedis({ redisUrl: '', redisClusterNodes: test.cluster.addresses.join(',') }) as Cluster;
  try {
    const reader = new OnlineFeatureReader(client, { namespace: ns('clean') });
    await client.ping();
    // A user whose row is on the first node: the stale map below sends the read there, and only there does the script find foreign keys.
    const keys = new KeyLayout(ns('clean'), true);
    const first = client.slots[0]!.join(',');
    const userId = data.users.find((id) => client.slots[keySlot(keys.row('user', id))]!.join(',') === first)!;
    const want = await reader.read({ userId, itemIds: data.items });
    const scripts = async () => {
      const infos = await Promise.all(client.nodes('master').map((node) => node.info('commandstats')));
      return infos.reduce((sum, info) => sum + [...info.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)].reduce((calls, match) => calls + Number(match[1]), 0), 0);
    };
    const before = await scripts();
    await reader.read({ userId, itemIds: data.items });
    expect((await scripts()) - before).toBe(3);

    // As after a reshard the client has not heard of: every slot on the first node.
    client.slots.forEach((_, slot) => (client.slots[slot] = first.split(',')));
    expect(await reader.read({ userId, itemIds: data.items })).toEqual(want);
    expect(new Set(client.slots.map((nodes) => nodes.join(','))).size).toBe(3);
  } finally {
    await client.quit();
  }
});

it('neither loses nor double-counts when a batch stops after some of its slots', async () => {
  let partial = 0;
  /** Every third batch, lands two of its slot groups (items first), then fails as a crash would. */
  class PartialStore extends OnlineFeatureWriter {
    private batches = 0;
    private landed = Number.POSITIVE_INFINITY;
    override async apply(...args: Parameters<OnlineFeatureWriter['apply']>) {
      this.landed = ++this.batches % 3 === 0 ? 0 : Number.NEGATIVE_INFINITY;
      return super.apply(...args);
    }
    protected override async applyPart(fence: string, expected: string, plan: BatchPlan, part: Pick<BatchPlan, 'entities' | 'covisits'>) {
      if (this.landed >= 0 && ++this.landed > 2) {
        partial++;
        this.landed = Number.NEGATIVE_INFINITY;
        throw new Error('crashed between slot writes');
      }
      return super.applyPart(fence, expected, plan, part);
    }
  }
  await build(ns('partial'), new PartialStore(redis, { namespace: ns('partial') }));
  expect(partial).toBeGreaterThan(0);
  expect(await views(ns('partial'))).toEqual(await views(ns('clean')));
});

it('leaves the same store as a clean run after a builder is killed mid-batch and another takes over', async () => {
  const namespace = ns('killed');
  await new OnlineFeatureWriter(redis, { namespace }).writeViews(data.catalog.map(upsertView));
  const env = { ...builderEnv({ databaseUrl: database.url, namespace, groupId: `${run}-killed`, topics }), REDIS_CLUSTER_NODES: test.cluster.addresses.join(',') };
  const store = new OnlineFeatureWriter(redis, { namespace });
  const caughtUp = async () => waitForGroupCatchUp(admin, `${run}-killed`, await endOffsets(admin, [topics.events]));
  await killBuilderMidRun(env, () => appliedMessages(store, topics.events, 4), 300, data.interactions.length, caughtUp);
  expect(await views(namespace)).toEqual(await views(ns('clean')));
});

it('restores the store exactly from the offline store after a master restarts empty', async () => {
  const before = await views(ns('clean'));
  const victim = test.cluster.node(2);
  await victim.stop('SIGKILL');
  victim.start();
  await test.cluster.waitUntilFormed();
  const lost = await views(ns('clean'));
  expect(Object.keys(lost).length).toBeLessThan(Object.keys(before).length);
  await rebuildFromOffline({ redis, pool, logger }, { ...base, namespace: ns('clean') });
  expect(await views(ns('clean'))).toEqual(before);
});
