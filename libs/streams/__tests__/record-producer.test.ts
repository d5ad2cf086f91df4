import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokersFrom, createLogger } from '@recstream/platform';
import { createKafka, createRecordProducer, ensureTopics, MAX_PRODUCE_REQUEST_BYTES, PRODUCER_CLIENTS, type RecordProducer } from '../src/index.js';
import { collectMessages, type CollectedMessage } from '../src/inspect.js';

const logger = createLogger('record-producer-test', 'silent');
const options = { clientId: 'record-producer-test', brokers: brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), logger };
const kafka = createKafka(options);
const topic = `test.record-producer.${randomUUID().slice(0, 8)}`;
const producers = new Map<string, RecordProducer>(PRODUCER_CLIENTS.map((client) => [client, createRecordProducer(client, kafka, options)]));

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ name: topic, partitions: 6, retentionMs: 3_600_000, description: 'record-producer test' }]);
  await admin.disconnect();
  for (const producer of producers.values()) await producer.connect();
});
afterAll(() => Promise.all([...producers.values()].map((producer) => producer.disconnect())));

const KEYS = Array.from({ length: 40 }, (_, n) => `user-${n}-ü`);
/** Three rounds over every key, then a value that alone fills more than one bounded request, then unkeyed ones. */
function messagesOf(client: string) {
  const keyed = [0, 1, 2].flatMap((round) => KEYS.map((key) => ({ key, value: JSON.stringify({ client, key, round }) })));
  const large = { key: KEYS[0]!, value: JSON.stringify({ client, key: KEYS[0], round: 3, pad: 'x'.repeat(MAX_PRODUCE_REQUEST_BYTES / 2) }) };
  const unkeyed = Array.from({ length: 12 }, (_, n) => ({ key: null, value: JSON.stringify({ client, unkeyed: n }) }));
  return [...keyed, large, { ...large, value: large.value.replace('"round":3', '"round":4') }, ...unkeyed];
}

/** Each distinct value once, where it first landed; a keyed copy must land on its key's partition too. */
function firstCopies(messages: CollectedMessage[]): CollectedMessage[] {
  const byValue = new Map<string, CollectedMessage>();
  for (const message of messages) {
    const first = byValue.get(message.value);
    if (first === undefined) byValue.set(message.value, message);
    else if (message.key !== null) expect(message.partition, `a copy of ${message.value.slice(0, 60)} on another partition`).toBe(first.partition);
  }
  return [...byValue.values()];
}

describe('RecordProducer', () => {
  it('sends through either client to the partition Java chooses for a key, in the order given', async () => {
    for (const [client, producer] of producers) {
      expect(producer.connected).toBe(true);
      await producer.send([{ topic, messages: messagesOf(client) }]);
    }
    const expected = PRODUCER_CLIENTS.length * messagesOf('').length;
    const arrived = await collectMessages(kafka, topic, { done: (messages) => new Set(messages.map((m) => m.value)).size === expected });
    // At-least-once: a request retried after a lost acknowledgement lands twice, so each value is judged by its first copy.
    const all = firstCopies(arrived);
    expect(all).toHaveLength(expected);
    const of = (client: string) => all.filter((m) => (JSON.parse(m.value) as { client: string }).client === client);
    const partitionOfKey = (messages: CollectedMessage[]) => new Map(messages.filter((m) => m.key !== null).map((m) => [m.key, m.partition]));
    const [first, ...others] = PRODUCER_CLIENTS.map((client) => partitionOfKey(of(client)));
    for (const other of others) expect(other).toEqual(first);
    expect(new Set(first!.values()).size).toBeGreaterThan(1);
    for (const client of PRODUCER_CLIENTS) {
      const rounds = of(client).filter((m) => m.key === KEYS[0]).map((m) => (JSON.parse(m.value) as { round: number }).round);
      expect(rounds).toEqual([0, 1, 2, 3, 4]);
      expect(new Set(of(client).filter((m) => m.key === null).map((m) => m.partition)).size).toBeGreaterThan(1);
    }
  });
});
