import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@recstream/platform';
import { ConsumerRunner } from './consumer-runner.js';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

/** A kafkajs client whose one consumer only relays the instrumentation events a test emits. */
function fakeKafka() {
  const events = new EventEmitter();
  const consumer = { events: EVENTS, on: (name: string, listener: (event: unknown) => void) => events.on(name, listener) };
  const kafka = { consumer: () => consumer } as unknown as Kafka;
  const emit = (name: string, payload: object) => events.emit(name, { payload });
  return { kafka, emit };
}

const runner = (kafka: Kafka) => new ConsumerRunner(kafka, createLogger('spec', 'silent'), { groupId: 'g', topics: ['t'] }, { handleChunk: async () => undefined });
const settled = (promise: Promise<unknown>) => Promise.race([promise.then(() => true), new Promise((resolve) => setImmediate(() => resolve(false)))]);

describe('ConsumerRunner', () => {
  it('reports a crash kafkajs will not restart from as failed, and the member as gone', async () => {
    const { kafka, emit } = fakeKafka();
    const consumer = runner(kafka);
    emit(EVENTS.GROUP_JOIN, { memberId: 'm', memberAssignment: { t: [0] } });
    expect(consumer.joined).toBe(true);
    const error = new Error('Failed to find group coordinator');
    emit(EVENTS.CRASH, { error, restart: false });
    expect(consumer.joined).toBe(false);
    await expect(consumer.failed).resolves.toBe(error);
  });

  it('does not report a crash kafkajs restarts from', async () => {
    const { kafka, emit } = fakeKafka();
    const consumer = runner(kafka);
    emit(EVENTS.CRASH, { error: new Error('Connection error'), restart: true });
    expect(await settled(consumer.failed)).toBe(false);
  });
});
