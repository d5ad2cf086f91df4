/**
 * Shared setup for the feature store tests: uniquely named Kafka topics, Redis under a
 * unique namespace, and deterministic events with a reference computed
 * independently of the lib.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { Redis } from 'ioredis';
import { brokersFrom, createLogger, isCluster, type RedisClient } from '@recstream/platform';
import type { InteractionEvent, InteractionType, ItemEvent } from '@recstream/schemas';
import { createKafka } from '@recstream/streams';
import { KeyLayout } from '../src/keys.js';
import type { OnlineFeatureWriter } from '../src/online-writer.js';
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

/** Every key of a namespace with its contents, for comparing whole stores (a cluster's key names without their hash tags' braces). */
export async function snapshot(redis: RedisClient, namespace: string, omitFields: readonly string[] = []): Promise<Record<string, unknown>> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  const keys = (await Promise.all(nodes.map((node) => node.keys(new KeyLayout(namespace).pattern)))).flat().sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const name = key.slice(new KeyLayout(namespace).prefix.length).replace(/[{}]/g, '');
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
      tags: i % 2 === 0 ? ['new'] : [],
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

/** Messages of `topic` applied so far in `store`, by its partitions' watermarks. */
export async function appliedMessages(store: OnlineFeatureWriter, topic: string, partitions: number): Promise<number> {
  const marks = await Promise.all(Array.from({ length: partitions }, (_, p) => store.readWatermark(topic, p)));
  return marks.reduce((sum, mark) => sum + (mark ? Number(mark.offset) + 1 : 0), 0);
}

/** The feature-builder app's environment for a kill test: small chunks, and the broker's shortest session so a killed member's partitions move on sooner. */
export function builderEnv(settings: { databaseUrl: string; namespace: string; groupId: string; topics: { events: string; items: string; users: string; deadLetter: string } }): NodeJS.ProcessEnv {
  const { databaseUrl, namespace, groupId, topics } = settings;
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    FEATURE_NAMESPACE: namespace,
    GROUP_ID: groupId,
    EVENTS_TOPIC: topics.events,
    ITEMS_TOPIC: topics.items,
    USERS_TOPIC: topics.users,
    DEAD_LETTER_TOPIC: topics.deadLetter,
    MAX_BATCH_EVENTS: '20',
    SESSION_TIMEOUT_MS: '6000',
    HEARTBEAT_INTERVAL_MS: '1000',
    SESSION_GAP_MS: String(SESSION_GAP_MS),
    PORT: '0',
    LOG_LEVEL: 'silent',
  };
}

/**
 * Runs the feature-builder app with `env` until `applied()` reaches
 * `killAt`, kills it mid-run (SIGKILL), then runs another one until
 * `caughtUp()` resolves and stops it cleanly.
 */
export async function killBuilderMidRun(env: NodeJS.ProcessEnv, applied: () => Promise<number>, killAt: number, total: number, caughtUp: () => Promise<void>): Promise<void> {
  const first = spawnBuilder(env);
  while ((await applied()) < killAt) await new Promise((r) => setTimeout(r, 20));
  const killed = exited(first);
  first.kill('SIGKILL');
  expect((await killed).signal).toBe('SIGKILL');
  expect(await applied()).toBeLessThan(total);
  const second = spawnBuilder(env);
  await caughtUp();
  const stopped = exited(second);
  second.kill('SIGTERM');
  expect((await stopped).code).toBe(0);
}

function spawnBuilder(env: NodeJS.ProcessEnv): ChildProcess {
  const root = resolve(import.meta.dirname, '../../..');
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=@recstream/source', 'apps/feature-builder/src/main.ts'], { cwd: root, env, stdio: 'ignore' });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
