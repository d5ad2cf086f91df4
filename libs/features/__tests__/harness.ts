/**
 * Shared setup for the feature store tests: uniquely named Kafka topics, Redis under a
 * unique namespace, and deterministic events with a reference computed
 * independently of the lib.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { brokersFrom, createLogger } from '@recstream/platform';
import type { InteractionEvent, InteractionType, ItemEvent } from '@recstream/schemas';
import { createKafka } from '@recstream/streams';
import { KeyLayout } from '../src/keys.js';
import { rowSegments } from '../src/rows.js';

export const logger = createLogger('features-test', 'silent');
export const kafka = createKafka({ clientId: 'features-test', brokers: brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), logger });
export const run = randomUUID().slice(0, 8);

export const newRedis = () => new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

export async function createTopics(names: Record<string, number>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: Object.entries(names).map(([topic, numPartitions]) => ({ topic, numPartitions })) });
  await admin.disconnect();
}

export async function deleteTopics(names: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: names }).catch(() => undefined);
  await admin.disconnect();
}

export async function produce(topic: string, messages: { key: string; value: string }[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  await producer.disconnect();
}

/** Every key of a namespace with its contents, for comparing whole stores. */
export async function snapshot(redis: Redis, namespace: string, omitFields: readonly string[] = []): Promise<Record<string, unknown>> {
  const keys = (await redis.keys(new KeyLayout(namespace).pattern)).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const name = key.slice(new KeyLayout(namespace).prefix.length);
    const type = await redis.type(key);
    if (type === 'hash') {
      const hash = await redis.hgetall(key);
      for (const field of omitFields) delete hash[field];
      out[name] = Object.fromEntries(Object.entries(hash).map(([field, value]) => [field, field.startsWith('_') ? value : JSON.parse(value)]));
    } else if (type === 'string') {
      out[name] = rowSegments(await redis.get(key)).map((segment) => (segment === '' ? null : JSON.parse(segment)));
    } else if (type === 'zset') {
      out[name] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    }
  }
  return out;
}

export const T0 = Date.UTC(2026, 2, 1, 12);
export const SESSION_GAP_MS = 60_000;
const MINUTE = 60_000;

/** A small deterministic PRNG, so every run produces the same events. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Dataset {
  users: string[];
  items: string[];
  catalog: ItemEvent[];
  interactions: InteractionEvent[];
  /** Messages that fail validation, for the dead-letter topic. */
  invalid: { key: string; value: string }[];
}

/**
 * Users act every 20-60 s of event time for under 55 minutes (so every
 * window holds all of it); a tenth of the events arrive up to 2 minutes out of order (within
 * the allowed lateness).
 */
export function dataset(userCount: number, itemCount: number, perUser: number): Dataset {
  const random = mulberry32(42);
  const users = Array.from({ length: userCount }, (_, i) => `u-${run}-${i}`);
  const items = Array.from({ length: itemCount }, (_, i) => `i-${run}-${i}`);
  const categories = ['books', 'music', 'garden', 'toys'];
  const catalog = items.map(
    (item, i): ItemEvent => ({
      schema_version: 1,
      event_id: `${run}-item-${i}`,
      type: 'item',
      item_id: item,
      event_time: T0 - 86_400_000,
      categories: [categories[i % 4]!, ...(i % 3 === 0 ? ['sale'] : [])],
      tags: [],
      available: true,
    }),
  );
  const types: InteractionType[] = ['exposure', 'exposure', 'exposure', 'click', 'click', 'view', 'add_to_cart', 'purchase'];
  const emitted: { at: number; event: InteractionEvent }[] = [];
  for (const [u, user] of users.entries()) {
    let at = T0;
    for (let n = 0; n < perUser; n++) {
      at += Math.floor(20_000 + random() * 40_000);
      const late = random() < 0.1 ? Math.floor(random() * 2 * MINUTE) : 0;
      const event: InteractionEvent = {
        schema_version: 1,
        event_id: `${run}-${u}-${n}`,
        type: types[Math.floor(random() * types.length)]!,
        user_id: user,
        item_id: items[Math.floor(random() * items.length)]!,
        event_time: at - late,
        context: {},
      };
      emitted.push({ at, event });
    }
  }
  // Interleave users as a live stream would: by emission time, so the events
  // emitted late arrive out of event-time order.
  emitted.sort((a, b) => a.at - b.at || (a.event.event_id < b.event.event_id ? -1 : 1));
  const interactions = emitted.map((e) => e.event);
  const invalid = [
    { key: users[0]!, value: '{"event_id": "broken' },
    { key: users[1]!, value: JSON.stringify({ event_id: `${run}-bad`, type: 'click', user_id: users[1], event_time: T0 }) },
    // An array message (as serving logs a response's exposures) is rejected whole when one event is bad.
    {
      key: users[2]!,
      value: JSON.stringify([
        { event_id: `${run}-batch-0`, type: 'exposure', user_id: users[2], item_id: items[0], event_time: T0 },
        { event_id: `${run}-batch-1`, type: 'exposure', user_id: users[2], event_time: T0 },
      ]),
    },
  ];
  return { users, items, catalog, interactions, invalid };
}
