/**
 * Erasure on a 3-master Redis Cluster of its own (Postgres is the shared
 * one): a user's row and state share their id's hash tag, so one UNLINK
 * removes both, on whichever master holds them, and nobody else's keys move.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeyLayout, OnlineFeatureReader, OnlineFeatureWriter, itemStats, userActivity, userSequence } from '@recstream/features';
import { createRedis, type RedisClient } from '@recstream/platform';
import { teardown } from '@recstream/platform/testing';
import { startTestRedisCluster, type TestRedisCluster } from '@recstream/platform/test-redis-cluster';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { UserEraser } from '../src/index.js';

const namespace = `erasure-cluster-${randomUUID().slice(0, 8)}`;
const keys = new KeyLayout(namespace, true);
const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
const target = users[5]!;
const time = Date.UTC(2026, 0, 1);
let test: TestRedisCluster;
let redis: RedisClient;
let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  test = await startTestRedisCluster(3);
  redis = createRedis({ redisUrl: '', redisClusterNodes: test.cluster.addresses.join(',') }, { maxRetriesPerRequest: 1 });
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  await new OnlineFeatureWriter(redis, { namespace }).writeViews([
    ...users.flatMap((id) => [
      { entity: 'user' as const, id, view: userActivity.name, eventTime: time, values: { last_active_ms: time } },
      { entity: 'user' as const, id, view: userSequence.name, eventTime: time, values: { items: [{ item_id: 'item-1', type: 'click', time }] } },
    ]),
    // An item that shares the target's id is not the target's.
    { entity: 'item', id: target, view: itemStats.name, eventTime: time, values: { impressions: { '24h': 1 } } },
  ]);
});

afterAll(async () => {
  await teardown('erasure redis-cluster test', [
    ['redis', () => redis?.quit()],
    ['pool', () => pool?.end()],
    ['database', () => database?.drop()],
    ['cluster', () => test?.destroy()],
  ]);
});

it("removes the user's keys on a cluster and leaves every other user's and the same-id item's", async () => {
  const reader = new OnlineFeatureReader(redis, { namespace });
  const others = users.filter((id) => id !== target);
  const othersBefore = await Promise.all(others.map((userId) => reader.read({ userId, itemIds: [target] })));
  expect(await redis.exists(...keys.entityKeys('user', target))).toBe(2);

  const record = await new UserEraser(pool, redis, { namespace }).erase({ userId: target, requestedBy: 'ops@example.com' });

  expect(record.removed.redis_keys).toBe(2);
  expect(await redis.exists(keys.row('user', target))).toBe(0);
  expect(await redis.exists(keys.state('user', target))).toBe(0);
  expect(await Promise.all(others.map((userId) => reader.read({ userId, itemIds: [target] })))).toEqual(othersBefore);
  expect(othersBefore.every((read) => read.user.found && read.items[0]!.found)).toBe(true);
  expect((await reader.read({ userId: target, itemIds: [] })).user.found).toBe(false);
});
