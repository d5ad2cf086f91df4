/**
 * Poison messages on the events topic: random bytes, tombstones, JSON of the
 * wrong shape, huge fields, strings Postgres cannot store, and mutations of
 * valid events, from a seeded generator so a failure repeats. The builder
 * must dead-letter each invalid one with a reason, apply the valid ones, and
 * go on: a valid event sent after the poison is applied.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@recstream/platform';
import { DEFAULT_MAX_FUTURE_SKEW_MS, MAX_DEAD_LETTER_RAW_CHARS, validateEvent, type DeadLetter } from '@recstream/schemas';
import { hostileString, mutateEvent, randomBytes, UNSTORABLE_STRINGS } from '@recstream/schemas/hostile-input';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { collectMessages } from '@recstream/streams/inspect';
import { FeatureBuilder } from '../src/builder.js';
import { endOffsets, waitForGroupCatchUp } from '../src/catch-up.js';
import { OnlineFeatureReader } from '../src/online-reader.js';
import { OnlineFeatureWriter } from '../src/online-writer.js';
import { T0, createTopics, deleteTopics, kafka, logger, newRedis, run } from './harness.js';

const SEED = 20_260_301;
const topics = { events: `poison-${run}-events`, items: `poison-${run}-items`, users: `poison-${run}-users`, deadLetter: `poison-${run}-dlq` };
const namespace = `poison-${run}`;
const groupId = `poison-${run}`;
const sentinel = `sentinel-${run}`;
const redis = newRedis();
const admin = kafka.admin();
let database: TestDatabase;
let pool: pg.Pool;
let builder: FeatureBuilder;
let port = 0;

const validEvent = (n: number) => ({
  event_id: `${run}-valid-${n}`,
  type: 'click',
  user_id: `u-${run}`,
  item_id: `i-${n}`,
  event_time: T0 + n * 1_000,
  context: { surface: 'home', position: n },
});

/** The poison, in the order it is produced; `null` is a tombstone (no value). */
function poison(): (string | Buffer | null)[] {
  const random = mulberry32(SEED);
  const messages: (string | Buffer | null)[] = [null, '', '123', '"text"', '[]', 'null', '{"event_id": "cut', '\u0000\u0000'];
  for (let i = 0; i < 20; i++) messages.push(randomBytes(random, Math.floor(random() * 2_000)));
  // Escaped as JSON in its dead letter, this grows past Kafka's message size.
  messages.push(randomBytes(random, 600_000));
  for (const s of UNSTORABLE_STRINGS) {
    messages.push(JSON.stringify({ ...validEvent(100), event_id: `${run}-unstorable-user-${messages.length}`, user_id: s }));
    messages.push(JSON.stringify({ ...validEvent(101), event_id: `${run}-unstorable-context-${messages.length}`, context: { [s]: s } }));
  }
  // Fields of 300 KB: far past every bound, each message within Kafka's message size, together not.
  for (let i = 0; i < 4; i++) messages.push(JSON.stringify({ ...validEvent(102), event_id: `${run}-huge-${i}`, item_id: 'x'.repeat(300_000) }));
  messages.push(JSON.stringify({ ...validEvent(103), type: 'item' }));
  for (let i = 0; i < 60; i++) messages.push(JSON.stringify(mutateEvent(random, { ...validEvent(200 + i), event_id: `${run}-mutant-${i}` })));
  for (let i = 0; i < 10; i++) messages.push(JSON.stringify({ ...validEvent(300 + i), context: { note: hostileString(random).slice(0, 256) } }));
  return messages;
}

/** Whether the contract accepts a message as an interaction (the builder's own rule, stated independently). */
function isValidInteraction(message: string | Buffer | null): boolean {
  try {
    const result = validateEvent(JSON.parse(message?.toString() ?? ''), { arrivedAt: Date.now(), maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS });
    return result.ok && result.event.type !== 'item' && result.event.type !== 'user';
  } catch {
    return false;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  await admin.connect();
  await createTopics({ [topics.events]: 2, [topics.items]: 1, [topics.users]: 1, [topics.deadLetter]: 1 });
  builder = new FeatureBuilder({ kafka, redis, pool, logger }, { topics, namespace, groupId, port: 0, host: '127.0.0.1', maxBatchEvents: 50 });
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

describe('feature builder fed poison messages', () => {
  it('dead-letters every invalid message with a reason, applies the rest, and still applies what follows', async () => {
    const messages = poison();
    const invalid = messages.filter((message) => !isValidInteraction(message));
    expect(invalid.length).toBeGreaterThan(40);
    // One key: the poison and the sentinel share a partition, so the sentinel can only be applied after the poison.
    // One message per request: the huge ones together exceed Kafka's request limit.
    const producer = kafka.producer();
    await producer.connect();
    for (const value of [...messages, JSON.stringify({ ...validEvent(999), user_id: sentinel })]) {
      await producer.send({ topic: topics.events, acks: -1, messages: [{ key: sentinel, value }] });
    }
    await producer.disconnect();
    await waitForGroupCatchUp(admin, groupId, await endOffsets(admin, [topics.events]));

    const { user } = await new OnlineFeatureReader(redis, { namespace }).read({ userId: sentinel, itemIds: [] });
    expect(user.user_activity.counts.click['7d']).toBe(1);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM event_log WHERE user_id = $1', [sentinel]);
    expect(rows[0].n).toBe(1);

    const letters = (await collectMessages(kafka, topics.deadLetter, { done: (all) => all.length >= invalid.length, timeoutMs: 30_000 })).map(
      (message) => JSON.parse(message.value) as DeadLetter,
    );
    expect(letters).toHaveLength(invalid.length);
    for (const letter of letters) {
      expect(letter.source).toBe('feature-builder');
      expect(letter.reasons.length).toBeGreaterThan(0);
      // `where: what`: a field (its path may hold the hostile key itself), the message, or the event as a whole.
      for (const reason of letter.reasons) expect(reason).toMatch(/^[^:]+: \S/s);
    }
    // The huge messages' dead letters keep the start of their input, so they fit in Kafka.
    const truncated = letters.filter((letter) => letter.raw_truncated);
    expect(truncated.length).toBeGreaterThanOrEqual(5);
    for (const letter of truncated) expect((letter.raw as string).length).toBe(MAX_DEAD_LETTER_RAW_CHARS);
    const unstorable = letters.filter((letter) => String((letter.raw as { event_id?: string } | null)?.event_id).includes('unstorable'));
    expect(unstorable).toHaveLength(2 * UNSTORABLE_STRINGS.length);
    for (const letter of unstorable) expect(letter.reasons.join()).toMatch(/U\+0000 or unpaired UTF-16 surrogates/);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(`feature_builder_events_total{topic="${topics.events}",outcome="invalid",app="feature-builder"} ${invalid.length}`);
  });
});
