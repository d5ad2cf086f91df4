import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { brokersFrom, createLogger } from '@recstream/platform';
import { TOPICS, type DeadLetter } from '@recstream/schemas';
import { createKafka, ensureTopics } from '@recstream/streams';
import { collectMessages, latestOffsets, type Offsets } from '@recstream/streams/inspect';
import { Ingester } from '../src/index.js';

const logger = createLogger('raw-topic-test', 'silent');
const kafkaOptions = { clientId: 'raw-topic-test', brokers: brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), logger };
const kafka = createKafka(kafkaOptions);
const run = randomUUID().slice(0, 8);
const rawTopic = `test.raw.${run}`;
const ingester = new Ingester(kafkaOptions, logger, { port: 0, host: '127.0.0.1', rawTopic });
let from: Record<string, Offsets> = {};

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ name: rawTopic, partitions: 2, retentionMs: 3_600_000, description: 'test' }]);
  await admin.disconnect();
  from = { events: await latestOffsets(kafka, TOPICS.events.name), dead: await latestOffsets(kafka, TOPICS.deadLetter.name) };
  await ingester.start();
});
afterAll(async () => {
  await ingester.close();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [rawTopic] });
  await admin.disconnect();
});

it('validates raw topic messages, forwards the valid ones and dead-letters the rest', async () => {
  const producer = kafka.producer();
  await producer.connect();
  const valid = Array.from({ length: 20 }, (_, n) => ({ event_id: `${run}-raw-${n}`, type: 'view', user_id: `u${n}`, item_id: 'i1', event_time: 1_772_366_400_000, dwell_ms: 1200 }));
  await producer.send({
    topic: rawTopic,
    messages: [
      ...valid.map((event) => ({ value: JSON.stringify(event) })),
      { value: '{broken' },
      { value: JSON.stringify({ event_id: `${run}-raw-bad`, type: 'view' }) },
      { value: JSON.stringify({ ...valid[0], event_id: `${run}-raw-future`, event_time: '2099-12-31T00:00:00Z' }) },
    ],
  });
  await producer.disconnect();

  const ids = new Set(valid.map((event) => event.event_id));
  const forwarded = (
    await collectMessages(kafka, TOPICS.events.name, {
      from: from.events,
      done: (messages) => messages.filter((m) => ids.has(JSON.parse(m.value).event_id)).length === ids.size,
    })
  ).filter((m) => ids.has(JSON.parse(m.value).event_id));
  expect(forwarded).toHaveLength(20);
  expect(forwarded.every((m) => m.key === JSON.parse(m.value).user_id)).toBe(true);

  const mine = (letter: DeadLetter) => letter.source === `ingester:${rawTopic}`;
  const letters = (
    await collectMessages(kafka, TOPICS.deadLetter.name, {
      from: from.dead,
      done: (messages) => messages.map((m) => JSON.parse(m.value) as DeadLetter).filter(mine).length === 3,
    })
  )
    .map((m) => JSON.parse(m.value) as DeadLetter)
    .filter(mine);
  const broken = letters.find((l) => l.raw === '{broken');
  expect(broken?.reasons).toEqual([expect.stringMatching(/invalid JSON/)]);
  const letterOf = (id: string) => letters.find((l) => (l.raw as { event_id?: string }).event_id === id);
  expect(letterOf(`${run}-raw-bad`)?.reasons).toEqual(expect.arrayContaining(['user_id: is required', 'item_id: is required', 'event_time: is required']));
  expect(letterOf(`${run}-raw-future`)?.reasons).toEqual([expect.stringMatching(/^event_time: 2099-12-31T00:00:00.000Z is more than \d+ ms after the event arrived/)]);
});
