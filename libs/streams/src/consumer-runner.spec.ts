import { EventEmitter } from 'node:events';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@recstream/platform';
import { ConsumerRunner } from './consumer-runner.js';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

/** A kafkajs client whose one consumer relays the instrumentation events a test emits and hands over its eachBatch. */
function fakeKafka() {
  const events = new EventEmitter();
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const consumer = {
    events: EVENTS,
    on: (name: string, listener: (event: unknown) => void) => events.on(name, listener),
    run: async (config: { eachBatch: typeof eachBatch }) => void (eachBatch = config.eachBatch),
    commitOffsets: async () => undefined,
  };
  const kafka = { consumer: () => consumer } as unknown as Kafka;
  const emit = (name: string, payload: object) => events.emit(name, { payload });
  return { kafka, emit, eachBatch: () => eachBatch! };
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

  it('heartbeats while a chunk runs longer than the heartbeat interval', async () => {
    const { kafka, eachBatch } = fakeKafka();
    const chunkMs = 130;
    const options = { groupId: 'g', topics: ['t'], heartbeatIntervalMs: 20, sessionTimeoutMs: 100 };
    const consumer = new ConsumerRunner(kafka, createLogger('spec', 'silent'), options, { handleChunk: () => new Promise((resolve) => setTimeout(resolve, chunkMs)) });
    await consumer.run();
    const beats: number[] = [];
    const started = performance.now();
    const batch = { topic: 't', partition: 0, highWatermark: '1', messages: [{ offset: '0' }] };
    const payload = { batch, resolveOffset: () => undefined, heartbeat: async () => void beats.push(performance.now() - started), isRunning: () => true, isStale: () => false };
    await eachBatch()(payload as unknown as EachBatchPayload);
    const during = beats.filter((at) => at < chunkMs);
    expect(during.length).toBeGreaterThanOrEqual(3);
    // No beat was more than a session timeout after the one before (or the start).
    expect(Math.max(...[0, ...beats].map((at, i, all) => (all[i + 1] ?? at) - at))).toBeLessThan(options.sessionTimeoutMs);
  });
});
