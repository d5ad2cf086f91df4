import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { FeatureBuilder, type FeatureBuilderOptions } from '../src/builder.js';
import { upsertView } from '../src/upserts.js';
import { endOffsets, waitForGroupCatchUp } from '../src/catch-up.js';
import { OnlineFeatureWriter } from '../src/online-writer.js';
import { SESSION_GAP_MS, createTopics, dataset, deleteTopics, kafka, logger, newRedis, produce, run, snapshot } from './harness.js';

/**
 * Several feature builders in one consumer group, joining and leaving while
 * the stream flows, against one builder reading it all: the online store
 * must end the same.
 */
const topics = { items: `fbi-${run}-items`, users: `fbi-${run}-users`, deadLetter: `fbi-${run}-dlq` };
/** Each run reads a copy of the stream of its own. */
const events = (name: string) => `fbi-${run}-events-${name}`;
const data = dataset(40, 60, 50);
const ns = (name: string) => `fbi-${run}-${name}`;
const redis = newRedis();
const admin = kafka.admin();
const builders: FeatureBuilder[] = [];
let database: TestDatabase;
let pool: pg.Pool;

const messages = data.interactions.map((event) => ({ key: event.user_id, value: JSON.stringify(event) }));
/** The stream in three parts, each user's events in order across them. */
const thirds = [0, 1, 2].map((i) => messages.slice(Math.floor((i * messages.length) / 3), Math.floor(((i + 1) * messages.length) / 3)));

async function startBuilder(name: string, onApplied: () => void) {
  const options: Partial<FeatureBuilderOptions> = { topics: { ...topics, events: events(name) }, namespace: ns(name), groupId: `${run}-${name}`, sessionGapMs: SESSION_GAP_MS, port: 0, host: '127.0.0.1', maxBatchEvents: 20 };
  const builder = new FeatureBuilder({ kafka, redis, pool, logger, onApplied }, options);
  builders.push(builder);
  await builder.start();
  return builder;
}

async function waitForMembers(group: string, members: number): Promise<void> {
  for (;;) {
    const [description] = (await admin.describeGroups([group])).groups;
    if (description?.state === 'Stable' && description.members.length === members) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const catchUp = async (name: string) => waitForGroupCatchUp(admin, `${run}-${name}`, await endOffsets(admin, [events(name)]));

/** A store's views, without the bookkeeping that legitimately differs between runs (versions, serialized state, watermarks). */
const views = async (name: string) =>
  Object.fromEntries(Object.entries(await snapshot(redis, ns(name), ['_v', '_s'])).filter(([key]) => !key.startsWith('wm:')));

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  await admin.connect();
  await createTopics({ [events('one')]: 4, [events('two')]: 4, [topics.items]: 1, [topics.users]: 1, [topics.deadLetter]: 1 });
  for (const name of ['one', 'two']) await new OnlineFeatureWriter(redis, { namespace: ns(name) }).writeViews(data.catalog.map(upsertView));
});

afterAll(async () => {
  await Promise.allSettled(builders.map((builder) => builder.close()));
  for (const name of ['one', 'two']) await new OnlineFeatureWriter(redis, { namespace: ns(name) }).clear();
  await redis.quit();
  await admin.disconnect();
  await pool.end();
  await database.drop();
  await deleteTopics([...Object.values(topics), events('one'), events('two')]);
});

describe('feature builders in one consumer group', () => {
  it('leave the online store as one builder does while a second joins and the first leaves mid-stream', async () => {
    const alone = await startBuilder('one', () => undefined);
    await produce(events('one'), thirds.flat());
    await catchUp('one');
    await alone.close();

    const chunks: [number, number] = [0, 0];
    const first = await startBuilder('two', () => chunks[0]++);
    await produce(events('two'), thirds[0]!);
    // The second joins while the first may still be reading; once both hold partitions, the next third goes to both.
    const second = await startBuilder('two', () => chunks[1]++);
    await waitForMembers(`${run}-two`, 2);
    await produce(events('two'), thirds[1]!);
    await catchUp('two');
    const shared = [...chunks];
    // The first leaves while the last third flows: its partitions move to the second, which reads its own share either way.
    await produce(events('two'), thirds[2]!);
    await first.close();
    await waitForMembers(`${run}-two`, 1);
    await catchUp('two');
    await second.close();

    expect(shared.every((count) => count > 0)).toBe(true);
    expect(chunks[1]).toBeGreaterThan(shared[1]!);
    const clean = await views('one');
    expect(Object.keys(clean).length).toBeGreaterThan(data.users.length + data.items.length);
    expect(await views('two')).toEqual(clean);
  });
});
