import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokersFrom, createLogger } from '@recstream/platform';
import { DEFAULT_MAX_FUTURE_SKEW_MS, MAX_JSON_DEPTH, TOPICS, type DeadLetter } from '@recstream/schemas';
import { createKafka } from '@recstream/streams';
import { collectMessages, latestOffsets, type CollectedMessage, type Offsets } from '@recstream/streams/inspect';
import { Ingester } from '../src/index.js';

const logger = createLogger('ingester-test', 'silent');
const kafkaOptions = { clientId: 'ingester-test', brokers: brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), logger };
const kafka = createKafka(kafkaOptions);
const ingester = new Ingester(kafkaOptions, logger, { port: 0, host: '127.0.0.1', maxBodyBytes: 64 * 1024, maxBatchEvents: 50 });
let base = '';
let from: Record<string, Offsets> = {};

const run = randomUUID().slice(0, 8);
const click = (n: number, user = `u-${run}-${n % 3}`) => ({
  event_id: `${run}-${n}`,
  type: 'click',
  user_id: user,
  item_id: `i-${n}`,
  event_time: 1_772_366_400_000 + n,
  context: { surface: 'home', position: n },
});

const post = (path: string, body: string, contentType = 'application/json') =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

beforeAll(async () => {
  const topics = [TOPICS.events.name, TOPICS.items.name, TOPICS.deadLetter.name];
  from = Object.fromEntries(await Promise.all(topics.map(async (topic) => [topic, await latestOffsets(kafka, topic)])));
  base = `http://127.0.0.1:${await ingester.start()}`;
});
afterAll(() => ingester.close());

describe('ingester over HTTP into a real Kafka', () => {
  it('produces single, JSON-array and NDJSON events keyed by user, exactly as validated', async () => {
    expect((await post('/v1/events', JSON.stringify(click(0)))).status).toBe(202);
    const batch = await post('/v1/events/batch', JSON.stringify([1, 2, 3].map((n) => click(n))));
    expect(await batch.json()).toEqual({ accepted: 3, rejected: [] });
    const ndjson = [4, 5].map((n) => JSON.stringify(click(n))).join('\n');
    expect((await post('/v1/events/batch', ndjson, 'application/x-ndjson')).status).toBe(200);

    const ids = new Set([0, 1, 2, 3, 4, 5].map((n) => `${run}-${n}`));
    const mine = (messages: CollectedMessage[]) => messages.filter((m) => ids.has(JSON.parse(m.value).event_id));
    const messages = mine(
      await collectMessages(kafka, TOPICS.events.name, { from: from[TOPICS.events.name], done: (all) => mine(all).length === ids.size }),
    );
    expect(messages).toHaveLength(6);
    for (const message of messages) {
      const event = JSON.parse(message.value);
      const n = Number(event.event_id.split('-').at(-1));
      expect(message.key).toBe(event.user_id);
      expect(event).toEqual({ ...click(n), schema_version: 1 });
    }
    // Same user, same partition: per-user order is kept for the feature builder.
    const partitionsOfUser = new Set(messages.filter((m) => m.key === `u-${run}-0`).map((m) => m.partition));
    expect(partitionsOfUser.size).toBe(1);
  });

  it('routes catalogue events to their own topic keyed by item', async () => {
    const item = { event_id: `${run}-item`, type: 'item', item_id: `i-${run}`, event_time: 1_772_366_400_000, categories: ['books'] };
    expect((await post('/v1/events', JSON.stringify(item))).status).toBe(202);
    const [message] = await collectMessages(kafka, TOPICS.items.name, {
      from: from[TOPICS.items.name],
      done: (all) => all.some((m) => m.key === item.item_id),
    }).then((all) => all.filter((m) => m.key === item.item_id));
    expect(JSON.parse(message!.value)).toMatchObject({ item_id: item.item_id, categories: ['books'], available: true });
  });

  it('answers per-index reasons and sends every rejected event to the dead-letter topic', async () => {
    const bad = [{ ...click(10), user_id: undefined }, click(11), { ...click(12), type: 'teleport' }];
    const response = await post('/v1/events/batch', JSON.stringify(bad));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      accepted: 1,
      rejected: [
        { index: 0, reasons: ['user_id: is required'] },
        { index: 2, reasons: [expect.stringMatching(/^type: must be one of/)] },
      ],
    });
    const single = await post('/v1/events', JSON.stringify({ ...click(13), event_time: 'tomorrow' }));
    expect(single.status).toBe(400);
    expect(await single.json()).toEqual({ error: 'event rejected', reasons: ['event_time: must be ISO-8601'] });

    const wanted = new Set([`${run}-10`, `${run}-12`, `${run}-13`]);
    const letters = (
      await collectMessages(kafka, TOPICS.deadLetter.name, {
        from: from[TOPICS.deadLetter.name],
        done: (all) => all.filter((m) => wanted.has(JSON.parse(m.value).raw?.event_id)).length === wanted.size,
      })
    )
      .map((m) => JSON.parse(m.value) as DeadLetter)
      .filter((letter) => wanted.has((letter.raw as { event_id: string }).event_id));
    expect(letters).toHaveLength(3);
    for (const letter of letters) {
      expect(letter.source).toBe('ingester');
      expect(letter.reasons.length).toBeGreaterThan(0);
    }
  });

  it('refuses an event dated past the allowed future skew, naming event_time, and dead-letters it', async () => {
    const future = { ...click(30), event_time: '2099-12-31T00:00:00Z' };
    const single = await post('/v1/events', JSON.stringify(future));
    expect(single.status).toBe(400);
    expect(await single.json()).toEqual({
      error: 'event rejected',
      reasons: [expect.stringMatching(new RegExp(`^event_time: 2099-12-31T00:00:00.000Z is more than ${DEFAULT_MAX_FUTURE_SKEW_MS} ms after the event arrived`))],
    });
    // A clock a minute fast is within the skew; a batch keeps its other events.
    const fast = { ...click(31), event_time: Date.now() + 60_000 };
    const batch = await post('/v1/events/batch', JSON.stringify([fast, { ...future, event_id: `${run}-32` }]));
    expect(await batch.json()).toEqual({ accepted: 1, rejected: [{ index: 1, reasons: [expect.stringMatching(/^event_time: /)] }] });

    const futureIds = new Set([`${run}-30`, `${run}-32`]);
    const isFuture = (letter: DeadLetter) => futureIds.has((letter.raw as { event_id?: string } | null)?.event_id ?? '');
    const letters = await collectMessages(kafka, TOPICS.deadLetter.name, {
      from: from[TOPICS.deadLetter.name],
      done: (all) => all.map((m) => JSON.parse(m.value) as DeadLetter).filter(isFuture).length === futureIds.size,
    });
    expect(letters.map((m) => JSON.parse(m.value) as DeadLetter).filter(isFuture)).toHaveLength(2);
  });

  it('dead-letters an event nested thousands deep and still publishes the valid events beside it', async () => {
    // Written as text: JSON.stringify itself overflows the stack at this depth.
    const deep = (n: number) => JSON.stringify({ ...click(n), context: { deep: 'DEEP' } }).replace('"DEEP"', `${'['.repeat(6_000)}${']'.repeat(6_000)}`);
    const reasons = [`event: must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep`];
    const batch = await post('/v1/events/batch', `[${JSON.stringify(click(20))},${deep(21)},${JSON.stringify(click(22))}]`);
    expect([batch.status, await batch.json()]).toEqual([200, { accepted: 2, rejected: [{ index: 1, reasons }] }]);
    const single = await post('/v1/events', deep(23));
    expect([single.status, await single.json()]).toEqual([400, { error: 'event rejected', reasons }]);

    const published = new Set([`${run}-20`, `${run}-22`]);
    const events = await collectMessages(kafka, TOPICS.events.name, {
      from: from[TOPICS.events.name],
      done: (all) => all.filter((m) => published.has(JSON.parse(m.value).event_id)).length === published.size,
    });
    expect(events.filter((m) => published.has(JSON.parse(m.value).event_id))).toHaveLength(2);
    const lettered = [`${run}-21`, `${run}-23`];
    const isMine = (letter: DeadLetter) => typeof letter.raw === 'string' && lettered.some((id) => (letter.raw as string).includes(`"${id}"`));
    const letters = (
      await collectMessages(kafka, TOPICS.deadLetter.name, {
        from: from[TOPICS.deadLetter.name],
        done: (all) => all.map((m) => JSON.parse(m.value) as DeadLetter).filter(isMine).length === lettered.length,
      })
    )
      .map((m) => JSON.parse(m.value) as DeadLetter)
      .filter(isMine);
    expect(letters.map((letter) => letter.reasons)).toEqual([reasons, reasons]);
  });

  it('rejects bodies it cannot read with a 4xx that says why', async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('/v1/events/batch', '[{"event_id":'), 400, /not valid JSON/],
      [post('/v1/events/batch', '{"event_id":"x"}'), 400, /must be a JSON array/],
      [post('/v1/events', 'a=b', 'application/x-www-form-urlencoded'), 415, /unsupported content-type/],
      [post('/v1/events/batch', JSON.stringify(Array.from({ length: 51 }, (_, n) => click(n)))), 413, /limit is 50/],
      [post('/v1/events/batch', JSON.stringify([{ pad: 'x'.repeat(70_000) }])), 413, /exceeds 65536 bytes/],
      [post('/v1/nowhere', '{}'), 404, /no route/],
    ];
    for (const [request, status, message] of cases) {
      const response = await request;
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
  });

  it('reports health, readiness and metrics', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/ingest_events_accepted_total\{topic="events",app="ingester"\} \d+/);
    expect(metrics).toMatch(/ingest_events_rejected_total\{app="ingester"\} [1-9]/);
    expect(metrics).toContain('ingest_produce_latency_seconds_bucket');
  });
});
