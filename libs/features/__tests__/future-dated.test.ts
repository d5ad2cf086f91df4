/**
 * An event dated in the future must not move a partition's stream time:
 * if it did, every real event after it would count as late and never reach
 * Redis. The builder dead-letters it; a watermark poisoned before that
 * guard existed is pulled back by `repairWatermarks`.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FUTURE_SKEW_MS, type DeadLetter } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { collectMessages } from '@recstream/streams/inspect';
import { FeatureBuilder } from '../src/builder.js';
import { endOffsets, waitForGroupCatchUp } from '../src/catch-up.js';
import { OfflineStore } from '../src/offline-store.js';
import { OnlineFeatureReader } from '../src/online-reader.js';
import { OnlineFeatureWriter } from '../src/online-writer.js';
import { repairWatermarks } from '../src/watermark-repair.js';
import { createTopics, deleteTopics, kafka, logger, newRedis, produce, run } from './harness.js';

const topics = { events: `future-${run}-events`, items: `future-${run}-items`, users: `future-${run}-users`, deadLetter: `future-${run}-dlq` };
const namespace = `future-${run}`;
const groupId = `future-${run}`;
const FUTURE = Date.UTC(2099, 11, 31);
const redis = newRedis();
const admin = kafka.admin();
let database: TestDatabase;
let pool: pg.Pool;
let builder: FeatureBuilder;
let port = 0;

const click = (id: string, user: string, eventTime: number) =>
  JSON.stringify({ event_id: `${run}-${id}`, type: 'click', user_id: user, item_id: `i-${run}`, event_time: eventTime, context: {} });

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  await admin.connect();
  await createTopics({ [topics.events]: 1, [topics.items]: 1, [topics.users]: 1, [topics.deadLetter]: 1 });
  builder = new FeatureBuilder({ kafka, redis, pool, logger }, { topics, namespace, groupId, port: 0, host: '127.0.0.1' });
  port = await builder.start();
});

afterAll(async () => {
  await builder.close();
  await new OnlineFeatureWriter(redis, { namespace }).clear();
  await redis.quit();
  await admin.disconnect();
  await pool.end();
  await database.drop();
  await deleteTopics(Object.values(topics));
});

describe('an event dated in the future', () => {
  it('is dead-lettered without moving the stream time, so the events after it still reach Redis', async () => {
    const now = Date.now();
    // One partition: the current click comes after the future one on it.
    await produce(topics.events, [
      { key: `u-${run}-future`, value: click('future', `u-${run}-future`, FUTURE) },
      { key: `u-${run}-now`, value: click('now', `u-${run}-now`, now) },
    ]);
    await waitForGroupCatchUp(admin, groupId, await endOffsets(admin, [topics.events]));

    const { user } = await new OnlineFeatureReader(redis, { namespace }).read({ userId: `u-${run}-now`, itemIds: [] });
    expect(user.user_activity.counts.click['7d']).toBe(1);
    expect(await new OnlineFeatureWriter(redis, { namespace }).readWatermark(topics.events, 0)).toEqual({ offset: '1', streamTime: now });
    const { rows } = await pool.query('SELECT user_id FROM event_log WHERE event_id LIKE $1', [`${run}-%`]);
    expect(rows).toEqual([{ user_id: `u-${run}-now` }]);

    const [letter] = (await collectMessages(kafka, topics.deadLetter, { done: (all) => all.length >= 1 })).map((m) => JSON.parse(m.value) as DeadLetter);
    expect(letter).toMatchObject({ source: 'feature-builder', raw: { event_id: `${run}-future` } });
    expect(letter!.reasons).toEqual([expect.stringMatching(/^event_time: 2099-12-31T00:00:00.000Z is more than \d+ ms after the event arrived/)]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).not.toMatch(/feature_builder_event_arrivals_total\{arrival="late",app="feature-builder"\} [1-9]/);
  });
});

describe('repairWatermarks', () => {
  it('pulls back a poisoned stream time in Redis and Postgres, and leaves sound partitions alone', async () => {
    const repairNs = `${namespace}-repair`;
    const online = new OnlineFeatureWriter(redis, { namespace: repairNs });
    const offline = new OfflineStore(pool, { namespace: repairNs });
    const now = Date.now();
    const sound = now - 60_000;
    for (const [partition, streamTime] of [[0, FUTURE], [1, sound]] as const) {
      await offline.writeBatch({ events: [], history: [], offset: { topic: 'events', partition, offset: '41', streamTime } });
    }
    await online.setWatermarks([
      { topic: 'events', partition: 0, offset: '41', streamTime: FUTURE },
      { topic: 'events', partition: 1, offset: '41', streamTime: sound },
    ]);

    const options = { namespace: repairNs, topic: 'events', maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS, now };
    const report = await repairWatermarks({ redis, pool }, options);
    expect(report).toEqual({ repaired: [{ topic: 'events', partition: 0, from: FUTURE, to: now }], futureEvents: 0 });
    expect(await online.readWatermark('events', 0)).toEqual({ offset: '41', streamTime: now });
    expect(await online.readWatermark('events', 1)).toEqual({ offset: '41', streamTime: sound });
    expect(await offline.readOffsets()).toEqual([
      { topic: 'events', partition: 0, offset: '41', streamTime: now },
      { topic: 'events', partition: 1, offset: '41', streamTime: sound },
    ]);
    expect((await repairWatermarks({ redis, pool }, options)).repaired).toEqual([]);
    await online.clear();
  });
});
