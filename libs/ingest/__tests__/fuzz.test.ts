/**
 * Fuzzed request bodies against the ingester's HTTP API, from a seeded
 * generator so a failure repeats: random bytes, JSON of the wrong shape,
 * mutated events, huge fields and strings Postgres cannot store. Every
 * answer must be a 2xx or a 4xx that says what was wrong, never a 5xx, and
 * the ingester must keep accepting valid events afterwards.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokersFrom, createLogger, mulberry32 } from '@recstream/platform';
import { MAX_DEAD_LETTER_RAW_CHARS, TOPICS, type DeadLetter } from '@recstream/schemas';
import { mutateEvent, randomBytes, UNSTORABLE_STRINGS } from '@recstream/schemas/hostile-input';
import { createKafka } from '@recstream/streams';
import { collectMessages, latestOffsets, type Offsets } from '@recstream/streams/inspect';
import { Ingester } from '../src/index.js';

const SEED = 7_340_033;
const logger = createLogger('ingester-fuzz', 'silent');
const kafkaOptions = { clientId: 'ingester-fuzz', brokers: brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), logger };
const kafka = createKafka(kafkaOptions);
// Production limits: bodies up to 5 MiB, batches up to 5,000 events.
const ingester = new Ingester(kafkaOptions, logger, { port: 0, host: '127.0.0.1' });
const run = randomUUID().slice(0, 8);
let base = '';
let deadLettersFrom: Offsets;

const click = (n: number, user = `u-${run}`) => ({
  event_id: `${run}-${n}`,
  type: 'click',
  user_id: user,
  item_id: `i-${n}`,
  event_time: 1_772_366_400_000 + n,
  context: { surface: 'home', position: n % 100 },
});

const post = async (path: string, body: string | Buffer, contentType = 'application/json') => {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** `where: what`, where `where` is a field, `event`, `line N` or the hostile key itself. */
const namesWhatWasWrong = (reason: unknown) => expect(reason).toEqual(expect.stringMatching(/^[^:]+: \S/s));

beforeAll(async () => {
  deadLettersFrom = await latestOffsets(kafka, TOPICS.deadLetter.name);
  base = `http://127.0.0.1:${await ingester.start()}`;
});
afterAll(() => ingester.close());

describe('ingester HTTP API under fuzzed bodies', () => {
  it('answers every fuzzed body with a 2xx or a 4xx saying what was wrong', async () => {
    const random = mulberry32(SEED);
    const seen = new Set<number>();
    for (let i = 0; i < 120; i++) {
      const kind = Math.floor(random() * 6);
      if (kind === 0) {
        const answer = await post('/v1/events', randomBytes(random, Math.floor(random() * 3_000)));
        expect(answer.status, `case ${i}`).toBe(400);
        expect(answer.body.error).toMatch(/^request body (is empty|is not valid JSON)/);
      } else if (kind === 1) {
        const answer = await post('/v1/events', JSON.stringify(mutateEvent(random, click(i))));
        expect([202, 400], `case ${i}`).toContain(answer.status);
        if (answer.status === 400) (answer.body.reasons as string[]).forEach(namesWhatWasWrong);
      } else if (kind === 2 || kind === 3) {
        const events = Array.from({ length: 1 + Math.floor(random() * 30) }, (_, n) => mutateEvent(random, click(i * 100 + n)));
        const ndjson = kind === 3;
        const body = ndjson ? events.map((event) => (random() < 0.2 ? randomBytes(random, 40).toString('latin1') : JSON.stringify(event))).join('\n') : JSON.stringify(events);
        const answer = await post('/v1/events/batch', body, ndjson ? 'application/x-ndjson' : 'application/json');
        expect(answer.status, `case ${i}`).toBe(200);
        const rejected = answer.body.rejected as { index: number; reasons: string[] }[];
        expect((answer.body.accepted as number) + rejected.length).toBe(ndjson ? body.split('\n').filter((line) => line.trim() !== '').length : events.length);
        for (const { reasons } of rejected) reasons.forEach(namesWhatWasWrong);
      } else if (kind === 4) {
        // A batch body that is one event (or whatever a mutation made of it) rather than an array.
        const value = mutateEvent(random, click(i));
        const answer = await post('/v1/events/batch', JSON.stringify(value));
        expect(answer.status, `case ${i}`).toBe(Array.isArray(value) ? 200 : 400);
        if (answer.status === 400) expect(answer.body.error).toMatch(/must be a JSON array/);
      } else {
        const answer = await post('/v1/events', JSON.stringify(click(i)), ['text/plain', 'application/xml', ''][Math.floor(random() * 3)]);
        expect(answer.status, `case ${i}`).toBe(415);
      }
      seen.add(kind);
    }
    expect(seen.size).toBe(6);
  });

  it('refuses strings Postgres cannot store, naming the field', async () => {
    for (const s of UNSTORABLE_STRINGS) {
      const answer = await post('/v1/events', JSON.stringify({ ...click(900), user_id: s }));
      expect(answer).toEqual({ status: 400, body: { error: 'event rejected', reasons: ['user_id: must not contain U+0000 or unpaired UTF-16 surrogates'] } });
    }
  });

  it('rejects a huge field, dead-lettering the start of it', async () => {
    // event_id stays the first key, so the kept start of the dead letter names it.
    const event = { ...click(901), event_id: `${run}-huge`, item_id: 'x'.repeat(2_000_000) };
    const answer = await post('/v1/events', JSON.stringify(event));
    expect(answer).toEqual({ status: 400, body: { error: 'event rejected', reasons: ['item_id: must be at most 128 characters'] } });
    const [letter] = (
      await collectMessages(kafka, TOPICS.deadLetter.name, { from: deadLettersFrom, done: (all) => all.some((m) => m.value.includes(`${run}-huge`)) })
    )
      .filter((message) => message.value.includes(`${run}-huge`))
      .map((message) => JSON.parse(message.value) as DeadLetter);
    expect(letter!.raw_truncated!.json_chars).toBeGreaterThan(2_000_000);
    expect((letter!.raw as string).length).toBe(MAX_DEAD_LETTER_RAW_CHARS);
  });

  it('accepts a batch larger than Kafka takes in one request for one partition', async () => {
    // 5,000 events of one user with long custom context (about 3 MB, within the body limit) all go to one partition.
    const batch = Array.from({ length: 5_000 }, (_, n) => {
      const event = click(10_000 + n, `u-${run}-bulk`);
      return { ...event, context: { ...event.context, note: 'n'.repeat(256), campaign: 'c'.repeat(200) } };
    });
    const answer = await post('/v1/events/batch', JSON.stringify(batch));
    expect(answer).toEqual({ status: 200, body: { accepted: 5_000, rejected: [] } });
  });

  it('still accepts a valid event and reports healthy after all of it', async () => {
    expect((await post('/v1/events', JSON.stringify(click(999)))).status).toBe(202);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
