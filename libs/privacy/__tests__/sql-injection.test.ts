/**
 * Every field that reaches SQL, filled with injection attempts and unusual
 * Unicode: each value must come back verbatim, act only on its own rows, and
 * leave every table in place. The platform only ever passes values as query
 * parameters; this test is what keeps it so.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '@recstream/auth';
import { upsertView, OfflineStore, OnlineFeatureWriter, userActivity } from '@recstream/features';
import { ModelRegistry } from '@recstream/registry';
import { readSamples, SampleGenerator } from '@recstream/samples';
import { InteractionEvent, ItemEvent, UserEvent, type ModelKind } from '@recstream/schemas';
import { INJECTION_STRINGS } from '@recstream/schemas/hostile-input';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { UserEraser } from '../src/index.js';

const T0 = Date.UTC(2026, 2, 1, 12);
const MINUTE = 60_000;
// Labels (surface, experiment, variant, categories) hold at most 64 characters; every hostile string fits.
const hostile = INJECTION_STRINGS;
const namespace = `injection-${randomUUID().slice(0, 8)}`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
let database: TestDatabase;
let pool: pg.Pool;
let tablesBefore: string[];
let events: InteractionEvent[];

/** Each hostile string is one user, one item, one request, one experiment, one custom context key and value. */
function hostileEvents(): InteractionEvent[] {
  return hostile.flatMap((s, i) => {
    const common = { user_id: s, item_id: s, request_id: s, experiment: s, variant: s, context: { surface: s, page: s, [s]: s } };
    return [
      InteractionEvent.parse({ ...common, event_id: s, type: 'exposure', event_time: T0 + i * MINUTE }),
      InteractionEvent.parse({ ...common, event_id: `${s}#click`, type: 'click', event_time: T0 + i * MINUTE + 1_000 }),
    ];
  });
}

const tables = async () =>
  (await pool.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`)).rows.map(
    (row) => row.name,
  );

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  tablesBefore = await tables();
  events = hostileEvents();
  await new OfflineStore(pool).writeBatch({
    events,
    history: hostile.map((s, i) => ({ view: userActivity.name, entityId: s, eventTime: T0 + i * MINUTE, values: { note: s } })),
  });
});

afterAll(async () => {
  // Every table the migrations made is still there; new ones are only the dataset version's partitions.
  const after = await tables();
  expect(after).toEqual(expect.arrayContaining(tablesBefore));
  expect(after.filter((name) => !tablesBefore.includes(name)).every((name) => /^(samples|sample_features)_ds_/.test(name))).toBe(true);
  await new OnlineFeatureWriter(redis, { namespace }).clear();
  await redis.quit();
  await pool.end();
  await database.drop();
});

describe('hostile strings in every field that reaches SQL', () => {
  it('round-trips interaction events through the offline store verbatim', async () => {
    const { rows } = await pool.query('SELECT event_id, user_id, item_id, request_id, experiment, variant, context, payload FROM event_log');
    expect(rows).toHaveLength(events.length);
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    for (const event of events) {
      const row = byId.get(event.event_id);
      expect(row, event.event_id).toMatchObject({ user_id: event.user_id, item_id: event.item_id, request_id: event.request_id, experiment: event.experiment });
      expect(row.context).toEqual(event.context);
      expect(row.payload).toEqual({ schema_version: 1 });
    }
    const store = new OfflineStore(pool);
    const scanned: InteractionEvent[] = [];
    for await (const page of store.scanEvents()) scanned.push(...page);
    expect(new Map(scanned.map((event) => [event.event_id, event]))).toEqual(new Map(events.map((event) => [event.event_id, event])));
    const labels = hostile.map((s, i) => ({ entityId: s, time: T0 + i * MINUTE + 2_000 }));
    expect(await store.readPointInTime(userActivity, labels)).toEqual(hostile.map((s) => ({ note: s })));
    const sequences = await store.readSequencesAt(labels, 5);
    expect(sequences.map((sequence) => sequence.items.map((entry) => entry.item_id))).toEqual(hostile.map((s) => [s]));
  });

  it('round-trips item and user upserts (catalogue views) verbatim', async () => {
    const upserts = hostile.flatMap((s, i) => [
      ItemEvent.parse({ event_id: `item-${i}`, type: 'item', item_id: s, event_time: T0, categories: [s], tags: [s] }),
      UserEvent.parse({ event_id: `user-${i}`, type: 'user', user_id: s, event_time: T0, attributes: { [s]: s } }),
    ]);
    const writes = upserts.map(upsertView);
    await new OfflineStore(pool).writeBatch({ events: [], history: writes.map((w) => ({ view: w.view, entityId: w.id, eventTime: w.eventTime, values: w.values })) });
    await new OnlineFeatureWriter(redis, { namespace }).writeViews(writes);
    const { rows } = await pool.query(`SELECT feature_view, entity_id, "values" FROM feature_history WHERE feature_view IN ('item_attributes', 'user_profile')`);
    const stored = new Map(rows.map((row) => [`${row.feature_view}|${row.entity_id}`, row.values]));
    for (const write of writes) expect(stored.get(`${write.view}|${write.id}`), write.id).toEqual(write.values);
  });

  it('builds and reads training samples of hostile users, items, requests and contexts verbatim', async () => {
    const { manifest } = await new SampleGenerator(pool).generate({ range: { from: T0, to: T0 + hostile.length * MINUTE } });
    const samples = [];
    for await (const batch of readSamples(pool, manifest.datasetVersion)) samples.push(...batch);
    expect(samples.map((sample) => sample.userId).sort()).toEqual([...hostile].sort());
    for (const sample of samples) {
      expect(sample.itemId).toBe(sample.userId);
      expect(sample.label).toBe(1);
      expect(sample.context).toMatchObject({ surface: sample.userId, [sample.userId]: sample.userId });
    }
  });

  it('refuses hostile generator settings and dataset versions with errors naming them', async () => {
    expect(() => new SampleGenerator(pool, { config: { labelSource: hostile[0] as 'exposures' } })).toThrow(/labelSource/);
    expect(() => new SampleGenerator(pool, { config: { implicitTypes: [hostile[1] as 'click'] } })).toThrow(/implicitTypes/);
    await expect(readSamples(pool, hostile[0]!).next()).rejects.toThrow(/unknown/);
  });

  it('stores and lists API key names verbatim', async () => {
    const store = new ApiKeyStore(pool);
    const created = [];
    for (const name of hostile) created.push((await store.create(name, ['ingest'])).record);
    const listed = await store.list();
    expect(listed.map((key) => key.name).sort()).toEqual([...hostile].sort());
    expect(await store.revoke(hostile[1]!)).toBe(false);
    expect((await store.list()).every((key) => key.revokedAt === null)).toBe(true);
    await expect(store.create('k'.repeat(101), ['ingest'])).rejects.toThrow(/name must be 1 to 100 characters/);
  });

  it('stores registry metadata verbatim', async () => {
    const registry = new ModelRegistry(pool);
    for (const s of hostile) {
      const version = await registry.register(
        // The type keeps callers to known kinds; the column must still store any text verbatim.
        { role: 'ranking', modelType: s as ModelKind, datasetVersion: s, codeVersion: s, backend: s, metrics: { [s]: 0.5 }, config: { [s]: s }, lineage: { [s]: s } },
        new Uint8Array([1, 2, 3]),
      );
      expect(await registry.get(version.versionId)).toMatchObject({ modelType: s, datasetVersion: s, codeVersion: s, backend: s, metrics: { [s]: 0.5 }, config: { [s]: s } });
    }
    expect((await registry.list('ranking', 100)).map((version) => version.modelType).sort()).toEqual([...hostile].sort());
  });

  it('erases exactly the user a hostile id names, recording the request verbatim', async () => {
    const eraser = new UserEraser(pool, redis, { namespace });
    const count = async () => Number((await pool.query('SELECT count(*) AS n FROM event_log')).rows[0].n);
    let remaining = await count();
    for (const s of ["' OR '1'='1", "'; DROP TABLE event_log; --"]) {
      const record = await eraser.erase({ userId: s, requestedBy: s, reason: s });
      expect(record).toMatchObject({ userId: s, requestedBy: s, reason: s, removed: { event_log: 2, samples: 1, sample_features: 1 } });
      remaining -= 2;
      expect(await count()).toBe(remaining);
    }
    await expect(eraser.erase({ userId: 'u'.repeat(129), requestedBy: 'ops' })).rejects.toThrow(/userId: must be 1 to 128 characters/);
  });
});
