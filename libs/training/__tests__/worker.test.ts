import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OfflineStore } from '@recstream/features';
import { createLogger } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { SampleGenerator } from '@recstream/samples';
import { InteractionEvent, QUEUES } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { SyntheticWorld } from '@recstream/synth';
import { TrainJobWorker } from '../src/index.js';

const world = new SyntheticWorld({ users: 120, items: 150, categories: 6, days: 3, seed: 5 });
const prefix = `test-train-${randomUUID().slice(0, 8)}`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const logger = createLogger('worker-test', 'silent');
let database: TestDatabase;
let pool: pg.Pool;
let datasetVersion = '';
let queue: Queue;
let events: QueueEvents;

const newWorker = () =>
  new TrainJobWorker({ pool, registry: new ModelRegistry(pool), connection: redis, logger, metrics: new Registry(), codeVersion: 'test' }, { prefix });

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  await new OfflineStore(pool).writeBatch({ events: [...world.interactionEvents()].map((event) => InteractionEvent.parse(event)), history: [] });
  const range = { from: world.options.start, to: world.options.start + world.options.days * 86_400_000 };
  datasetVersion = (await new SampleGenerator(pool).generate({ range })).manifest.datasetVersion;
  queue = new Queue(QUEUES.train, { connection: redis, prefix });
  events = new QueueEvents(QUEUES.train, { connection: redis, prefix });
  await events.waitUntilReady();
}, 120_000);

afterAll(async () => {
  await queue.obliterate({ force: true });
  await Promise.all([queue.close(), events.close()]);
  await redis.quit();
  await pool.end();
  await database.drop();
});

it('fails a job with invalid data at once, without retries', async () => {
  const worker = newWorker();
  await worker.start();
  const job = await queue.add('bad', { datasetVersion, modelType: 'transformer', role: 'recall' }, { attempts: 3 });
  await expect(job.waitUntilFinished(events)).rejects.toThrow(/modelType: unknown model kind "transformer"; use one of mf, neumf, twotower/);
  expect((await queue.getJob(job.id!))?.attemptsMade).toBe(1);
  await worker.close();
});

it('fails a job for a dataset that is not ready at once, without retries', async () => {
  const worker = newWorker();
  await worker.start();
  const job = await queue.add('missing', { datasetVersion: 'ds_missing', modelType: 'mf', role: 'recall' }, { attempts: 3 });
  await expect(job.waitUntilFinished(events)).rejects.toThrow(/dataset version ds_missing is not ready/);
  expect((await queue.getJob(job.id!))?.attemptsMade).toBe(1);
  await worker.close();
});

it('a trainer stopped mid-job fails it cleanly; the retry on a new trainer completes it once', async () => {
  const first = newWorker();
  await first.start();
  // Stopped as soon as it reports progress (QueueEvents relays it at once; polling would leave it time to finish),
  // and NeuMF rather than MF: MF trains this small dataset in a few tens of milliseconds.
  const jobId = `stop-mid-job-${randomUUID()}`;
  const progressed = new Promise<void>((resolve) => {
    const onProgress = (event: { jobId: string }) => {
      if (event.jobId !== jobId) return;
      events.off('progress', onProgress);
      resolve();
    };
    events.on('progress', onProgress);
  });
  const job = await queue.add('train', { datasetVersion, modelType: 'neumf', role: 'recall', seed: 2 }, { jobId, attempts: 3, backoff: { type: 'fixed', delay: 200 } });
  await progressed;
  await first.close();
  expect((await queue.getJob(job.id!))?.failedReason).toMatch(/training aborted/);

  const second = newWorker();
  await second.start();
  const result = await job.waitUntilFinished(events, 120_000);
  await second.close();
  expect(result).toMatchObject({ promoted: true, backend: expect.any(String) });
  const { rows } = await pool.query('SELECT version_id FROM model_versions');
  expect(rows.map((row) => Number(row.version_id))).toEqual([result.versionId]);
}, 180_000);
