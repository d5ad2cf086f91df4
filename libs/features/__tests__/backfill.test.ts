import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@recstream/platform';
import type { DeadLetter, InteractionEvent } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { collectMessages } from '@recstream/streams/inspect';
import { createProducer } from '@recstream/streams';
import { RangeAlreadyBuiltError, backfill, type BackfillReport } from '../src/backfill.js';
import { readNdjsonRecords } from '../src/backfill-input.js';
import { FeatureBuilder, type FeatureBuilderOptions } from '../src/builder.js';
import { endOffsets, waitForGroupCatchUp } from '../src/catch-up.js';
import { kafkaDeadLetterSink } from '../src/dead-letters.js';
import type { AppliedBatch } from '../src/interactions.js';
import { OnlineFeatureWriter } from '../src/online-writer.js';
import { ensurePartitions } from '../src/partitions.js';
import { SESSION_GAP_MS, createTopics, dataset, deleteTopics, kafka, logger, newRedis, produce, run, snapshot } from './harness.js';

const topics = { events: `bft-${run}-events`, items: `bft-${run}-items`, users: `bft-${run}-users`, deadLetter: `bft-${run}-dlq` };
const namespaces = { stream: `bft-${run}-stream`, backfill: `bft-${run}-backfill` };
const data = dataset(25, 40, 40);
const byTime = (a: InteractionEvent, b: InteractionEvent) => a.event_time - b.event_time || (a.event_id < b.event_id ? -1 : 1);
const timeOrdered = [...data.interactions].sort(byTime);
const redis = newRedis();
const admin = kafka.admin();
const producer = createProducer(kafka);
const databases: TestDatabase[] = [];
const pools: pg.Pool[] = [];
const dir = mkdtempSync(join(tmpdir(), 'backfill-test-'));
const file = join(dir, 'history.ndjson');
const invalidLines = ['{"event_id": "cut off', JSON.stringify({ event_id: `${run}-no-item`, type: 'click', user_id: data.users[0], event_time: timeOrdered[0]!.event_time })];

async function newPool(): Promise<pg.Pool> {
  const database = await createTestDatabase();
  databases.push(database);
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  pools.push(pool);
  return pool;
}

/** Feature history as comparable rows: everything but when the row was written. */
async function history(pool: pg.Pool): Promise<unknown[]> {
  const { rows } = await pool.query(
    `SELECT feature_view, entity_id, (extract(epoch FROM event_time) * 1000)::bigint::text AS t, "values"
       FROM feature_history ORDER BY feature_view, entity_id, event_time`,
  );
  return rows;
}

/** The namespace's feature rows and writer state, without versions, serialized aggregation state and watermarks (stream bookkeeping). */
async function onlineRows(namespace: string): Promise<Record<string, unknown>> {
  const all = await snapshot(redis, namespace, ['_v', '_s']);
  return Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith('wm:')));
}

/** Runs a builder on some topics from the beginning until it has consumed them. */
async function consume(pool: pg.Pool, groupId: string, consume: FeatureBuilderOptions['consume'], onApplied?: (batch: AppliedBatch) => void) {
  const options: Partial<FeatureBuilderOptions> = { topics, namespace: namespaces.stream, groupId, consume, sessionGapMs: SESSION_GAP_MS, port: 0, host: '127.0.0.1', maxBatchEvents: 50_000 };
  const builder = new FeatureBuilder({ kafka, redis, pool, logger, onApplied }, options);
  try {
    await builder.start();
    await waitForGroupCatchUp(admin, groupId, await endOffsets(admin, consume.map((name) => topics[name])));
  } finally {
    await builder.close();
  }
}

const runBackfill = (pool: pg.Pool, rebuild = false): Promise<BackfillReport> =>
  backfill(
    { pool, redis, logger, sendDeadLetters: kafkaDeadLetterSink(producer, topics.deadLetter) },
    readNdjsonRecords(file),
    // Runs far shorter than the input, so the interactions load through the merge of sorted runs on disk.
    { namespace: namespaces.backfill, sessionGapMs: SESSION_GAP_MS, rebuild, runEvents: 64 },
  );

let streamPool: pg.Pool;
let backfillPool: pg.Pool;

beforeAll(async () => {
  [streamPool, backfillPool] = await Promise.all([newPool(), newPool()]);
  await admin.connect();
  await producer.connect();
  await createTopics({ [topics.events]: 1, [topics.items]: 1, [topics.users]: 1, [topics.deadLetter]: 1 });
  // The history file holds the same catalogue and interactions in no particular order, and two bad records.
  const shuffled = [...data.catalog, ...data.interactions].map((event, i) => ({ event, key: (i * 7919) % 10_007 })).sort((a, b) => a.key - b.key);
  writeFileSync(file, [...shuffled.map(({ event }) => JSON.stringify(event)), ...invalidLines].join('\n') + '\n');
});

afterAll(async () => {
  for (const namespace of Object.values(namespaces)) await new OnlineFeatureWriter(redis, { namespace }).clear();
  await redis.quit();
  await producer.disconnect();
  await admin.disconnect();
  await Promise.all(pools.map((pool) => pool.end()));
  await Promise.all(databases.map((database) => database.drop()));
  await deleteTopics(Object.values(topics));
  rmSync(dir, { recursive: true, force: true });
});

describe('backfill', () => {
  it('gives the feature history and online rows a time-ordered stream through the builder gives', async () => {
    await produce(topics.items, data.catalog.map((item) => ({ key: item.item_id, value: JSON.stringify(item) })));
    await consume(streamPool, `${run}-catalog`, ['items', 'users']);
    await produce(topics.events, timeOrdered.map((event) => ({ key: event.user_id, value: JSON.stringify(event) })));
    const batches: AppliedBatch[] = [];
    await consume(streamPool, `${run}-events`, ['events'], (batch) => batches.push(batch));
    // History rows are cut per applied chunk as well as per interval: one chunk is the stream a backfill equals.
    expect(batches.map((batch) => batch.applied)).toEqual([timeOrdered.length]);
    expect(batches[0]!.arrivals.late).toBe(0);

    const report = await runBackfill(backfillPool);
    expect(report).toMatchObject({ events: timeOrdered.length, catalog: data.catalog.length, rejected: invalidLines.length, duplicates: 0 });
    expect(report.online.events).toBe(timeOrdered.length);

    const streamed = await history(streamPool);
    expect(streamed.length).toBeGreaterThan(data.users.length + data.items.length);
    expect(await history(backfillPool)).toEqual(streamed);
    const rows = await onlineRows(namespaces.stream);
    expect(Object.keys(rows).length).toBeGreaterThan(data.users.length + data.items.length);
    expect(await onlineRows(namespaces.backfill)).toEqual(rows);

    const stored = await backfillPool.query<{ n: number }>('SELECT count(*)::int AS n FROM event_log');
    expect(stored.rows[0]!.n).toBe(timeOrdered.length);
    const inDefault = await backfillPool.query<{ n: number }>(
      'SELECT (SELECT count(*)::int FROM event_log_default) + (SELECT count(*)::int FROM feature_history_default) AS n',
    );
    expect(inDefault.rows[0]!.n).toBe(0);
  });

  it('dead-letters each bad record with its reasons', async () => {
    const letters = (await collectMessages(kafka, topics.deadLetter, { done: (all) => all.length >= invalidLines.length, timeoutMs: 30_000 })).map(
      (message) => JSON.parse(message.value) as DeadLetter,
    );
    expect(letters.map((letter) => letter.source)).toEqual(['backfill', 'backfill']);
    expect(letters[0]!.reasons[0]).toMatch(/^line \d+: invalid JSON/);
    expect(letters[1]!.reasons).toEqual(['item_id: is required']);
  });

  it('refuses a range already built, and replaces it with --rebuild', async () => {
    const before = await history(backfillPool);
    await expect(runBackfill(backfillPool)).rejects.toThrow(RangeAlreadyBuiltError);
    await expect(runBackfill(backfillPool)).rejects.toThrow(/already built: event_log holds \d+ events .* Pass --rebuild/);
    const report = await runBackfill(backfillPool, true);
    expect(report.events).toBe(timeOrdered.length);
    expect(await history(backfillPool)).toEqual(before);
    const stored = await backfillPool.query<{ n: number }>('SELECT count(*)::int AS n FROM event_log');
    expect(stored.rows[0]!.n).toBe(timeOrdered.length);
  });
});

describe('late events on the streaming path', () => {
  it('stay out of the features, with a warning of the counts per partition and a counter on /metrics', async () => {
    const lines: { msg: string; partition: number; late: number; lateSinceStart: number }[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => void (lines.push(JSON.parse(chunk.toString())), done()) });
    const late = timeOrdered.slice(0, 3).map((event) => ({ ...event, event_id: `${event.event_id}-late`, event_time: event.event_time - 86_400_000 }));
    await produce(topics.events, late.map((event) => ({ key: event.user_id, value: JSON.stringify(event) })));
    const before = await onlineRows(namespaces.stream);
    const groupId = `${run}-events`;
    const options: Partial<FeatureBuilderOptions> = { topics, namespace: namespaces.stream, groupId, consume: ['events'], port: 0, host: '127.0.0.1' };
    const builder = new FeatureBuilder({ kafka, redis, pool: streamPool, logger: createLogger('late-test', 'warn', sink) }, options);
    try {
      const port = await builder.start();
      await waitForGroupCatchUp(admin, groupId, await endOffsets(admin, [topics.events]));
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^feature_builder_late_events_total\\{topic="${topics.events}",partition="0"[^}]*\\} 3$`, 'm'));
    } finally {
      await builder.close();
    }
    expect(await onlineRows(namespaces.stream)).toEqual(before);
    const warnings = lines.filter((line) => line.msg.startsWith('late events left out'));
    expect(warnings.map(({ partition, late, lateSinceStart }) => ({ partition, late, lateSinceStart }))).toEqual([{ partition: 0, late: 3, lateSinceStart: 3 }]);
    expect(warnings[0]!.msg).toContain('npm run backfill');
  });
});

describe('ensurePartitions', () => {
  it("creates every month of a range, moving a month's rows out of the default partition when asked", async () => {
    const at = Date.UTC(2001, 4, 17);
    await backfillPool.query(`INSERT INTO event_log (event_time, event_id, type, user_id, item_id, payload) VALUES ($1, 'early', 'click', 'u', 'i', '{}')`, [new Date(at).toISOString()]);
    const where = async () => (await backfillPool.query<{ t: string }>(`SELECT tableoid::regclass::text AS t FROM event_log WHERE event_id = 'early'`)).rows.map((row) => row.t);
    expect(await where()).toEqual(['event_log_default']);

    const kept = await ensurePartitions(backfillPool, Date.UTC(2001, 2, 3), at, { moveDefaultRows: false });
    expect(kept).toEqual(['event_log_y2001m03', 'event_log_y2001m04', 'feature_history_y2001m03', 'feature_history_y2001m04', 'feature_history_y2001m05']);
    expect(await where()).toEqual(['event_log_default']);

    const moved = await ensurePartitions(backfillPool, Date.UTC(2001, 2, 3), at, { moveDefaultRows: true });
    expect(moved).toContain('event_log_y2001m05');
    expect(await where()).toEqual(['event_log_y2001m05']);
  });
});
