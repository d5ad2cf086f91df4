import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter, InteractionEvent } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { collectMessages } from '@recstream/streams/inspect';
import { DEFAULT_AGGREGATION_OPTIONS } from '../src/entity-state.js';
import { FeatureBuilder, type FeatureBuilderOptions } from '../src/builder.js';
import { upsertView } from '../src/upserts.js';
import { endOffsets, waitForGroupCatchUp } from '../src/catch-up.js';
import { OfflineStore } from '../src/offline-store.js';
import { OnlineFeatureReader } from '../src/online-reader.js';
import { KeyLayout } from '../src/keys.js';
import { OnlineFeatureWriter } from '../src/online-writer.js';
import { rebuildFromKafka, rebuildFromOffline } from '../src/rebuild.js';
import { userActivity } from '../src/views.js';
import { SESSION_GAP_MS, T0, appliedMessages, builderEnv, createTopics, dataset, deleteTopics, kafka, killBuilderMidRun, logger, newRedis, produce, run, snapshot } from './harness.js';
import { reference } from './reference.js';

const topics = { events: `fbt-${run}-events`, items: `fbt-${run}-items`, users: `fbt-${run}-users`, deadLetter: `fbt-${run}-dlq` };
const emptyItems = `fbt-${run}-items-empty`;
const splitEvents = `fbt-${run}-events-split`;
const data = dataset(40, 60, 50);
const expected = reference(data.interactions, data.catalog, SESSION_GAP_MS);
const ns = (name: string) => `fbt-${run}-${name}`;
const base: Partial<FeatureBuilderOptions> = { topics, sessionGapMs: SESSION_GAP_MS, port: 0, host: '127.0.0.1', maxBatchEvents: 500 };
const redis = newRedis();
const admin = kafka.admin();
const builders: FeatureBuilder[] = [];
let database: TestDatabase;
let pool: pg.Pool;
let clean: Record<string, unknown> = {};

/**
 * The interactions as messages, each user's exposures in arrays of up to
 * five as serving logs a response's, then the invalid ones. An array goes
 * out within 4 minutes of its first exposure's event time: with the
 * dataset's own 2 minutes of lateness, inside the builder's allowed 10.
 */
function interactionMessages() {
  const messages: { key: string; value: string }[] = [];
  const exposures = new Map<string, InteractionEvent[]>();
  const send = (user: string) => {
    messages.push({ key: user, value: JSON.stringify(exposures.get(user)) });
    exposures.delete(user);
  };
  for (const event of data.interactions) {
    for (const [user, batch] of exposures) if (batch[0]!.event_time < event.event_time - 240_000) send(user);
    if (event.type !== 'exposure') {
      messages.push({ key: event.user_id, value: JSON.stringify(event) });
      continue;
    }
    const batch = exposures.get(event.user_id) ?? [];
    batch.push(event);
    exposures.set(event.user_id, batch);
    if (batch.length === 5) send(event.user_id);
  }
  for (const user of [...exposures.keys()]) send(user);
  return [...messages, ...data.invalid];
}

async function startBuilder(namespace: string, groupId: string, options: Partial<FeatureBuilderOptions> = {}, onApplied?: () => void) {
  const builder = new FeatureBuilder({ kafka, redis, pool, logger, onApplied }, { ...base, namespace, groupId, ...options });
  builders.push(builder);
  const port = await builder.start();
  return { builder, port };
}

async function catchUp(groupId: string, topicNames: string[]) {
  await waitForGroupCatchUp(admin, groupId, await endOffsets(admin, topicNames));
}

/** Seeds a namespace's item attributes as the catalogue topic would have. */
const seedCatalog = (namespace: string) => new OnlineFeatureWriter(redis, { namespace }).writeViews(data.catalog.map(upsertView));

/** The views of a store, without the bookkeeping that legitimately differs between runs (versions, serialized state). */
const views = async (namespace: string, omitWatermarks = false) => {
  const all = await snapshot(redis, namespace, ['_v', '_s']);
  return omitWatermarks ? Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith('wm:'))) : all;
};

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  await admin.connect();
  await createTopics({ [topics.events]: 4, [topics.items]: 2, [topics.users]: 1, [topics.deadLetter]: 1, [emptyItems]: 1, [splitEvents]: 4 });
  await produce(
    topics.items,
    data.catalog.map((item) => ({ key: item.item_id, value: JSON.stringify(item) })),
  );
});

afterAll(async () => {
  await Promise.allSettled(builders.map((builder) => builder.close()));
  for (const name of ['a', 'b', 'c', 'd']) await new OnlineFeatureWriter(redis, { namespace: ns(name) }).clear();
  await redis.quit();
  await admin.disconnect();
  await pool.end();
  await database.drop();
  await deleteTopics([...Object.values(topics), emptyItems, splitEvents]);
});

describe('feature builder against Kafka, Redis and Postgres', () => {
  it('computes counts, sequences, co-visitation and attributes that match a reference', async () => {
    const { builder, port } = await startBuilder(ns('a'), `${run}-a`);
    await catchUp(`${run}-a`, [topics.items]);
    const messages = interactionMessages();
    // Arrays of several exposures are part of what must match the reference.
    expect(messages.filter((m) => m.value.startsWith('[') && (JSON.parse(m.value) as unknown[]).length > 1).length).toBeGreaterThan(50);
    await produce(topics.events, messages);
    await catchUp(`${run}-a`, [topics.events]);

    const reader = new OnlineFeatureReader(redis, { namespace: ns('a') });
    for (const userId of data.users) {
      const { user, items } = await reader.read({ userId, itemIds: data.items });
      const want = expected.users.get(userId)!;
      expect(user.found).toBe(true);
      for (const [type, count] of Object.entries(want.counts)) {
        expect(user.user_activity.counts[type as 'click']).toEqual({ '1h': count, '24h': count, '7d': count });
      }
      expect(Object.fromEntries(Object.entries(user.user_activity.category_counts).map(([c, sums]) => [c, sums['7d']]))).toEqual(want.categories);
      expect(Object.fromEntries(Object.entries(user.user_activity.tag_counts).map(([t, sums]) => [t, sums['7d']]))).toEqual(want.tags);
      expect(user.user_activity.last_active_ms).toBe(want.lastActive);
      expect(user.user_sequence.items).toEqual(want.sequence);
      for (const item of items) {
        const stats = expected.items.get(item.item_id);
        if (!stats) continue;
        expect([item.item_stats.impressions['1h'], item.item_stats.clicks['24h'], item.item_stats.conversions['7d']]).toEqual([
          stats.impressions,
          stats.clicks,
          stats.conversions,
        ]);
        expect(item.item_stats.ctr_24h).toBeCloseTo(stats.ctr, 12);
        expect(item.item_attributes.categories).toEqual(data.catalog.find((c) => c.item_id === item.item_id)!.categories);
      }
    }
    for (const [item, others] of expected.covisits) {
      const got = await reader.covisited(item, 500);
      expect(new Map(got.map((entry) => [entry.item_id, entry.count]))).toEqual(others);
    }

    const unknown = await reader.read({ userId: 'nobody', itemIds: ['nothing'] });
    expect(unknown.user).toMatchObject({ found: false, user_sequence: { items: [] }, user_activity: { last_active_ms: 0 } });
    expect(unknown.items[0]).toMatchObject({ item_id: 'nothing', found: false, item_stats: { ctr_7d: 0 }, item_attributes: { available: true } });

    const keys = await redis.keys(new KeyLayout(ns('a')).pattern);
    expect(keys.length).toBeGreaterThan(data.users.length + data.items.length);
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
    expect(ttls.filter((ttl) => ttl <= 0)).toEqual([]);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`feature_builder_events_total\\{topic="${topics.events}",outcome="applied",app="feature-builder"\\} ${data.interactions.length}\\b`));
    expect(metrics).toMatch(/feature_builder_event_arrivals_total\{arrival="out_of_order",app="feature-builder"\} [1-9]/);
    expect(metrics).toMatch(/feature_builder_consumer_lag\{topic=/);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    await builder.close();
    clean = await snapshot(redis, ns('a'));
  });

  it('creates monthly partitions ahead, so new rows do not land in the default partition', async () => {
    const { rows } = await pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname IN ('event_log', 'feature_history') ORDER BY 1`,
    );
    const month = (offset: number) => {
      const d = new Date();
      const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
      return `y${m.getUTCFullYear()}m${String(m.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    expect(rows.map((row) => row.name)).toEqual(
      expect.arrayContaining([`event_log_${month(0)}`, `event_log_${month(1)}`, `feature_history_${month(0)}`, `feature_history_${month(1)}`]),
    );
  });

  it('sends invalid messages to the dead-letter topic with the reasons', async () => {
    const [partition] = await admin.fetchTopicOffsets(topics.deadLetter);
    expect(partition?.high).toBe(String(data.invalid.length));
    const letters = (await collectMessages(kafka, topics.deadLetter, { done: (all) => all.length >= data.invalid.length, timeoutMs: 30_000 })).map(
      (message) => JSON.parse(message.value) as DeadLetter,
    );
    // The invalid messages sit in different partitions, so their letters come in any order.
    const described = letters.map((letter) => [letter.source, letter.reasons]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(described).toEqual([
      ['feature-builder', ['[1].item_id: is required']],
      ['feature-builder', ['item_id: is required']],
      ['feature-builder', [expect.stringMatching(/^message: invalid JSON/)]],
    ]);
  });

  it('keeps the event log once per event and feature history for point-in-time reads', async () => {
    const { rows } = await pool.query<{ count: string }>('SELECT count(*) FROM event_log');
    expect(Number(rows[0]!.count)).toBe(data.interactions.length);
    const offline = new OfflineStore(pool, { namespace: ns('a') });
    const user = data.users[0]!;
    const online = (await new OnlineFeatureReader(redis, { namespace: ns('a') }).read({ userId: user, itemIds: [] })).user.user_activity;
    const firstEvent = Math.min(...data.interactions.filter((e) => e.user_id === user).map((e) => e.event_time));
    const [before, after, expired] = await offline.readPointInTime(userActivity, [
      { entityId: user, time: firstEvent - 1 },
      { entityId: user, time: T0 + 3_600_000 },
      { entityId: user, time: T0 + 3_600_000 + userActivity.ttlMs },
    ]);
    expect(before).toBeNull();
    expect(after).toEqual(online);
    expect(expired).toBeNull();

    const [none, sequence] = await offline.readSequencesAt(
      [
        { entityId: user, time: firstEvent - 1 },
        { entityId: user, time: T0 + 3_600_000 },
      ],
      DEFAULT_AGGREGATION_OPTIONS.sequenceLength,
    );
    expect(none).toEqual({ items: [] });
    expect(sequence).toEqual({ items: expected.users.get(user)!.sequence });
  });

  it('changes nothing when the topic is replayed by a new consumer group', async () => {
    const { builder } = await startBuilder(ns('a'), `${run}-a-replay`);
    await catchUp(`${run}-a-replay`, [topics.events, topics.items]);
    await builder.close();
    expect(await snapshot(redis, ns('a'))).toEqual(clean);
  });

  it('leaves the same state as a clean run after a consumer is killed mid-batch and another takes over', async () => {
    await seedCatalog(ns('b'));
    const env = builderEnv({ databaseUrl: database.url, namespace: ns('b'), groupId: `${run}-b`, topics: { ...topics, items: emptyItems } });
    const store = new OnlineFeatureWriter(redis, { namespace: ns('b') });
    await killBuilderMidRun(env, () => appliedMessages(store, topics.events, 4), 400, data.interactions.length, () => catchUp(`${run}-b`, [topics.events]));
    expect(await views(ns('b'))).toEqual(await views(ns('a')));
  });

  it('neither loses nor double-counts when it fails between the Redis write and the offset commit', async () => {
    await seedCatalog(ns('d'));
    let crashes = 0;
    /** Applies the plan, then fails as a crash would before the commit: every fifth chunk. */
    class CrashingStore extends OnlineFeatureWriter {
      private calls = 0;
      override async apply(plan: Parameters<OnlineFeatureWriter['apply']>[0]) {
        const outcome = await super.apply(plan);
        if (outcome === 'applied' && ++this.calls % 5 === 0) {
          crashes++;
          throw new Error('crashed after the Redis write');
        }
        return outcome;
      }
    }
    const online = new CrashingStore(redis, { namespace: ns('d') });
    let replayed = 0;
    const builder = new FeatureBuilder(
      { kafka, redis, pool, logger, online, onApplied: (batch) => void (replayed += batch.replayed) },
      { ...base, namespace: ns('d'), groupId: `${run}-d`, maxBatchEvents: 50, topics: { ...topics, items: emptyItems } },
    );
    builders.push(builder);
    await builder.start();
    await catchUp(`${run}-d`, [topics.events]);
    expect(crashes).toBeGreaterThan(0);
    expect(replayed).toBeGreaterThan(0);
    expect(await views(ns('d'))).toEqual(await views(ns('a')));
  });

  it('gives the same totals when two consumers split the partitions', async () => {
    await seedCatalog(ns('c'));
    const counts: [number, number] = [0, 0];
    const options = { topics: { ...topics, events: splitEvents, items: emptyItems } };
    const group = `${run}-c`;
    await startBuilder(ns('c'), group, options, () => counts[0]++);
    await startBuilder(ns('c'), group, options, () => counts[1]++);
    for (;;) {
      const [description] = (await admin.describeGroups([group])).groups;
      if (description?.state === 'Stable' && description.members.length === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await produce(splitEvents, interactionMessages());
    await catchUp(group, [splitEvents]);
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(await views(ns('c'), true)).toEqual(await views(ns('a'), true));
  });

  it('rebuilds the same online store from the offline store after a Redis loss', async () => {
    const cleanViews = await views(ns('a'));
    const report = await rebuildFromOffline({ redis, pool, logger }, { ...base, namespace: ns('a') });
    expect(report.events).toBe(data.interactions.length);
    expect(await views(ns('a'))).toEqual(cleanViews);
  });

  it('rebuilds the same online store from a Kafka replay', async () => {
    const cleanViews = await views(ns('a'));
    const report = await rebuildFromKafka({ redis, pool, logger, kafka }, { ...base, namespace: ns('a'), groupId: `${run}-rebuild` });
    expect(report.events).toBe(data.interactions.length);
    expect(await views(ns('a'))).toEqual(cleanViews);
  });
});
