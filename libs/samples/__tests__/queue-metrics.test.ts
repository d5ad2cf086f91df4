import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, expect, it } from 'vitest';
import { QUEUES } from '@recstream/schemas';
import { registerQueueDepths } from '../src/index.js';

const prefix = `test-queue-metrics-${randomUUID().slice(0, 8)}`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queues = [QUEUES.samples, QUEUES.train].map((name) => new Queue(name, { connection: redis, prefix }));

afterAll(async () => {
  for (const queue of queues) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await redis.quit();
});

it('reports the jobs of the samples and train queues per state at scrape time', async () => {
  const registry = new Registry();
  const depths = registerQueueDepths(registry, redis, prefix);
  const [samples, train] = queues;
  await samples!.add('a', {});
  await samples!.add('b', {});
  await train!.add('c', {}, { delay: 60_000 });
  const text = await registry.metrics();
  expect(text).toContain('bullmq_queue_jobs{queue="samples",state="waiting"} 2');
  expect(text).toContain('bullmq_queue_jobs{queue="train",state="delayed"} 1');
  expect(text).toContain('bullmq_queue_jobs{queue="train",state="waiting"} 0');
  await depths.close();
});
