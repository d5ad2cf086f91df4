import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyLayout, OfflineStore, OnlineFeatureWriter, itemStats, userActivity, userProfile, userSequence, type HistoryRow } from '@recstream/features';
import { readSamples, SampleGenerator } from '@recstream/samples';
import { InteractionEvent } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { SyntheticWorld } from '@recstream/synth';
import { erasedUsers, UserEraser } from '../src/index.js';

const world = new SyntheticWorld({ users: 20, items: 30, categories: 4, days: 2, seed: 5 });
const namespace = `erasure-${randomUUID().slice(0, 8)}`;
const keys = new KeyLayout(namespace);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
let database: TestDatabase;
let pool: pg.Pool;
let events: InteractionEvent[];
let datasetVersion: string;
let target: string;

/** One history row per user view and user, and per item (one item shares the target's id), as the builder writes them. */
function historyRows(users: string[], items: string[], time: number): HistoryRow[] {
  return [
    ...users.flatMap((user) => [
      { view: userActivity.name, entityId: user, eventTime: time, values: { last_active_ms: time } },
      { view: userProfile.name, entityId: user, eventTime: time, values: { attributes: { country: 'se' } } },
    ]),
    ...items.map((item) => ({ view: itemStats.name, entityId: item, eventTime: time, values: { impressions: { '24h': 3 } } })),
  ];
}

/** Everything stored about the target, per place. */
async function targetCounts(userId: string) {
  const count = async (sql: string) => Number((await pool.query(sql, [userId])).rows[0].n);
  return {
    event_log: await count('SELECT count(*) AS n FROM event_log WHERE user_id = $1'),
    feature_history: await count(`SELECT count(*) AS n FROM feature_history WHERE entity_id = $1 AND feature_view LIKE 'user%'`),
    samples: await count('SELECT count(*) AS n FROM samples WHERE user_id = $1'),
    sample_features: await count(
      `SELECT count(*) AS n FROM sample_features f WHERE f.entity = 'user'
          AND EXISTS (SELECT 1 FROM samples s WHERE s.user_id = $1 AND s.dataset_version = f.dataset_version AND s.user_key = f.key)`,
    ),
    redis_keys: await redis.exists(...keys.entityKeys('user', userId)),
  };
}

/** A digest of every row and key that is not the target user's, to prove they are untouched. */
async function everythingElse(userId: string) {
  const digest = async (sql: string) => (await pool.query(sql, [userId])).rows[0].digest as string;
  const redisKeys = (await redis.keys(keys.pattern)).filter((key) => !keys.entityKeys('user', userId).includes(key)).sort();
  return {
    event_log: await digest(`SELECT md5(string_agg(payload::text, '' ORDER BY event_id)) AS digest FROM event_log WHERE user_id <> $1`),
    feature_history: await digest(
      `SELECT md5(string_agg(feature_view || entity_id || event_time || "values"::text, '' ORDER BY feature_view, entity_id, event_time)) AS digest
         FROM feature_history WHERE NOT (entity_id = $1 AND feature_view LIKE 'user%')`,
    ),
    samples: await digest(`SELECT md5(string_agg(s::text, '' ORDER BY dataset_version, sample_id)) AS digest FROM samples s WHERE user_id <> $1`),
    sample_features: await digest(
      `SELECT md5(string_agg(f::text, '' ORDER BY dataset_version, entity, key)) AS digest FROM sample_features f
        WHERE NOT EXISTS (SELECT 1 FROM samples s WHERE s.user_id = $1 AND f.entity = 'user' AND s.dataset_version = f.dataset_version AND s.user_key = f.key)`,
    ),
    redis: await Promise.all(redisKeys.map(async (key) => [key, (await redis.dumpBuffer(key))?.toString('hex')])),
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  events = [...world.interactionEvents()].map((event) => InteractionEvent.parse(event));
  const users = [...new Set(events.map((event) => event.user_id))];
  const items = [...new Set(events.map((event) => event.item_id))];
  // The most active user, so every store holds plenty of theirs.
  const perUser = new Map<string, number>();
  for (const event of events) perUser.set(event.user_id, (perUser.get(event.user_id) ?? 0) + 1);
  target = [...perUser].sort((a, b) => b[1] - a[1])[0]![0];
  const start = world.options.start;
  await new OfflineStore(pool).writeBatch({ events, history: historyRows(users, [...items, target], start + 3_600_000) });
  datasetVersion = (await new SampleGenerator(pool).generate({ range: { from: start, to: start + world.options.days * 86_400_000 } })).manifest.datasetVersion;
  const store = new OnlineFeatureWriter(redis, { namespace });
  await store.writeViews([
    ...users.flatMap((id) => [
      { entity: 'user' as const, id, view: userActivity.name, eventTime: start, values: { last_active_ms: start } },
      { entity: 'user' as const, id, view: userSequence.name, eventTime: start, values: { items: [{ item_id: items[0], type: 'click', time: start }] } },
    ]),
    { entity: 'item', id: target, view: itemStats.name, eventTime: start, values: { impressions: { '24h': 1 } } },
  ]);
}, 120_000);

afterAll(async () => {
  await new OnlineFeatureWriter(redis, { namespace }).clear();
  await redis.quit();
  await pool.end();
  await database.drop();
});

describe('UserEraser against Postgres and Redis', () => {
  it('removes everything stored about the user, records what it removed, and leaves everybody else alone', async () => {
    const before = await targetCounts(target);
    for (const [place, count] of Object.entries(before)) expect(count, place).toBeGreaterThan(0);
    const othersBefore = await everythingElse(target);

    const record = await new UserEraser(pool, redis, { namespace }).erase({ userId: target, requestedBy: 'ops@example.com', reason: 'ticket 42' });

    expect(record).toMatchObject({ userId: target, requestedBy: 'ops@example.com', reason: 'ticket 42', removed: before });
    expect(record.completedAt).toBeInstanceOf(Date);
    expect(await targetCounts(target)).toEqual({ event_log: 0, feature_history: 0, samples: 0, sample_features: 0, redis_keys: 0 });
    expect(await everythingElse(target)).toEqual(othersBefore);
  });

  it('leaves a dataset version readable without the user', async () => {
    const read: string[] = [];
    for await (const batch of readSamples(pool, datasetVersion)) read.push(...batch.map((sample) => sample.userId));
    expect(read.length).toBeGreaterThan(0);
    expect(read).not.toContain(target);
  });

  it('keeps the erasure on record for the trainer, and a second erasure finds nothing left', async () => {
    const eraser = new UserEraser(pool, redis, { namespace });
    const again = await eraser.erase({ userId: target, requestedBy: 'ops@example.com' });
    expect(again.removed).toEqual({ event_log: 0, feature_history: 0, samples: 0, sample_features: 0, redis_keys: 0 });
    expect((await eraser.history(target)).map((r) => r.erasureId)).toEqual([again.erasureId - 1, again.erasureId]);
    expect(await erasedUsers(pool)).toEqual({ userIds: [target], throughErasureId: again.erasureId });
  });

  it('refuses an erasure without a requester', async () => {
    await expect(new UserEraser(pool, redis, { namespace }).erase({ userId: 'u1', requestedBy: ' ' })).rejects.toThrow(/requestedBy/);
  });
});
