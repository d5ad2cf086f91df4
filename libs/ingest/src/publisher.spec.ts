import { describe, expect, it } from 'vitest';
import { HttpError, createLogger } from '@recstream/platform';
import { validateEvent, type AnyEvent } from '@recstream/schemas';
import type { OutgoingTopicMessages, RecordProducer } from '@recstream/streams';
import { EventPublisher } from './publisher.js';

/** A producer whose acknowledgements the test releases by hand. */
function manualProducer() {
  const pending: { resolve: () => void; reject: (e: Error) => void; topicMessages: readonly OutgoingTopicMessages[] }[] = [];
  const producer: RecordProducer = {
    connected: true,
    connect: async () => {},
    disconnect: async () => {},
    send: (topicMessages) => new Promise<void>((resolve, reject) => pending.push({ resolve, reject, topicMessages })),
  };
  return { producer, pending };
}

const event = (n: number): AnyEvent => {
  const result = validateEvent({ event_id: `e${n}`, type: 'click', user_id: `u${n}`, item_id: 'i', event_time: 1_772_366_400_000 });
  if (!result.ok) throw new Error(result.reasons.join());
  return result.event;
};
const logger = createLogger('publisher-spec', 'silent');

const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: HttpError) => `${error.status} retry-after=${error.headers['retry-after']}`,
  );

describe('EventPublisher', () => {
  it('answers only after the acknowledgement, keyed and routed by topic', async () => {
    const { producer, pending } = manualProducer();
    const publisher = new EventPublisher(producer, logger);
    let answered = false;
    const publishing = publisher.publish([event(1), event(2)], []).then((result) => ((answered = true), result));
    await new Promise((r) => setTimeout(r, 10));
    expect(answered).toBe(false);
    expect(pending[0]!.topicMessages).toMatchObject([{ topic: 'events', messages: [{ key: 'u1' }, { key: 'u2' }] }]);
    pending[0]!.resolve();
    expect((await publishing).perTopic).toEqual(new Map([['events', 2]]));
  });

  it('refuses with 429 past its buffering limit and frees the room once Kafka acknowledges', async () => {
    const { producer, pending } = manualProducer();
    const publisher = new EventPublisher(producer, logger, { maxBufferedEvents: 3, retryAfterSeconds: 7 });
    const first = publisher.publish([event(1), event(2)], []);
    expect(await statusOf(publisher.publish([event(3), event(4)], []))).toBe('429 retry-after=7');
    expect(publisher.bufferedEvents).toBe(2);
    pending[0]!.resolve();
    await first;
    expect(publisher.bufferedEvents).toBe(0);
    const second = publisher.publish([event(3), event(4)], []);
    pending[1]!.resolve();
    expect(await statusOf(second)).toBe('ok');
  });

  it('answers 503 when Kafka fails or does not acknowledge in time', async () => {
    const { producer, pending } = manualProducer();
    const publisher = new EventPublisher(producer, logger, { produceTimeoutMs: 50, retryAfterSeconds: 2 });
    expect(await statusOf(publisher.publish([event(1)], []))).toBe('503 retry-after=2');
    const failing = publisher.publish([event(2)], []);
    pending[1]!.reject(new Error('broker gone'));
    expect(await statusOf(failing)).toBe('503 retry-after=2');
  });

  it('waits for sends in flight on close and refuses new ones', async () => {
    const { producer, pending } = manualProducer();
    const publisher = new EventPublisher(producer, logger);
    const inFlight = publisher.publish([event(1)], []);
    const closed = publisher.close();
    expect(await statusOf(publisher.publish([event(2)], []))).toBe('503 retry-after=2');
    pending[0]!.resolve();
    await Promise.all([inFlight, closed]);
    expect(publisher.ready).toBe(false);
  });

  it('produces to the topic names it is given', async () => {
    const { producer, pending } = manualProducer();
    const topics = { events: 'bench.events', items: 'bench.items', users: 'bench.users', deadLetter: 'bench.dlq' };
    const publisher = new EventPublisher(producer, logger, { topics });
    const publishing = publisher.publish([event(1)], [{ reasons: ['type: bad'], source: 'spec', received_at: 0, raw: {} }]);
    await new Promise((r) => setImmediate(r));
    pending[0]!.resolve();
    expect([...(await publishing).perTopic.keys()]).toEqual(['bench.events', 'bench.dlq']);
    expect(pending[0]!.topicMessages.map((t) => t.topic)).toEqual(['bench.events', 'bench.dlq']);
  });
});
