import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { QUEUES } from '@recstream/schemas';
import type { TestDatabase } from '@recstream/schemas/test-database';
import { SyntheticWorld } from '@recstream/synth';
import { TrainJobWorker } from '../src/index.js';
import { worldDataset } from './world-dataset.js';

const world = new SyntheticWorld({ users: 120, items: 150, categories: 6, days: 3, seed: 5 });
const prefix = `test-train-${randomUUID().slice(0, 8)}`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const logger = createLogger('worker-test', 'silent');
let database: TestDatabase;
let pool: pg.Pool;
let datasetVersion = '';
let queue: Queue;
let events: QueueEvents;

const newWorker = (metrics = new Registry(), workerPool = pool) =>
  new TrainJobWorker({ pool: workerPool, registry: new ModelRegistry(workerPool), connection: redis, logger, metrics, codeVersion: 'test' }, { prefix });

/** The pool, awaiting `beforeRead` before each read of the samples. */
function poolBefore(beforeRead: () => Promise<void>): pg.Pool {
  return new Proxy({} as pg.Pool, {
    get(_target, property) {
      if (property === 'query') {
        return async (text: string, params?: unknown[]) => {
          if (/FROM samples\b/.test(text)) await beforeRead();
          return pool.query(text, params);
        };
      }
      const value: unknown = Reflect.get(pool, property);
      return typeof value === 'function' ? value.bind(pool) : value;
    },
  });
}

/** The pool, with reads of the samples held until `release`: a trial that reaches one is surely mid-run. */
function heldPool() {
  let release = () => {};
  let reached = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const hit = new Promise<void>((resolve) => (reached = resolve));
  const held = poolBefore(async () => {
    reached();
    await gate;
  });
  return { held, hit, release };
}

/**
 * One pool per worker, whose reads of the samples wait until every worker
 * has reached one: a worker (concurrency 1) holds its first trial job until
 * each of the others has taken one, so every worker trains trials, whatever the timing.
 */
function meetingPools(count: number): pg.Pool[] {
  const arrivals = Array.from({ length: count }, () => {
    let arrive = () => {};
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    return { arrive, arrived };
  });
  const everyone = Promise.all(arrivals.map(({ arrived }) => arrived));
  return arrivals.map(({ arrive }) =>
    poolBefore(async () => {
      arrive();
      await everyone;
    }),
  );
}

/** Tuning trials a worker trained, from its metrics. */
async function trialsTrained(metrics: Registry): Promise<number> {
  const { values } = await metrics.getSingleMetric('trainer_trials_total')!.get();
  return values.reduce((sum, { value }) => sum + value, 0);
}

/** A version's trial log without the timings. */
async function trialLog(versionId: number): Promise<unknown[]> {
  const { rows } = await pool.query('SELECT config FROM model_versions WHERE version_id = $1', [versionId]);
  return rows[0]!.config.tuning.trials.map(({ seconds: _seconds, ...trial }: { seconds: number }) => trial);
}

beforeAll(async () => {
  ({ database, pool, datasetVersion } = await worldDataset(world));
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

it('a job that asks for tuning trains with the chosen settings and records them and the trial log', async () => {
  const worker = newWorker();
  await worker.start();
  const job = await queue.add('tuned', { datasetVersion, modelType: 'mf', role: 'recall', seed: 2, tune: { trials: 3 } });
  const result = await job.waitUntilFinished(events, 120_000);
  await worker.close();
  expect(result.tunedSettings).toMatchObject({ dim: expect.any(Number), sparseLearningRate: expect.any(Number), epochs: expect.any(Number) });
  const { rows } = await pool.query('SELECT config FROM model_versions WHERE version_id = $1', [result.versionId]);
  const config = rows[0]!.config;
  expect(config).toMatchObject({ seed: 2, ...result.tunedSettings, tuning: { chosen: result.tunedSettings } });
  expect(config.tuning.trials).toHaveLength(3);
  expect(config.tuning.trials[0]).toMatchObject({ trial: 0, outcome: expect.any(String), score: expect.any(Number) });
}, 180_000);

describe('trials as jobs', () => {
  const tuned = () => ({ datasetVersion, modelType: 'mf', role: 'recall', seed: 4, tune: { trials: 6 } });
  const retried = { attempts: 3, backoff: { type: 'fixed', delay: 200 } };
  let alone: { versionId: number; tunedSettings: Record<string, number> };

  it('two workers share the trials of one tuning job and choose what one worker chooses', async () => {
    const single = new Registry();
    const worker = newWorker(single);
    await worker.start();
    alone = await (await queue.add('alone', tuned(), retried)).waitUntilFinished(events, 240_000);
    await worker.close();

    const [a, b] = [new Registry(), new Registry()];
    const [poolA, poolB] = meetingPools(2);
    const workers = [newWorker(a, poolA), newWorker(b, poolB)];
    await Promise.all(workers.map((w) => w.start()));
    const shared = await (await queue.add('shared', tuned(), retried)).waitUntilFinished(events, 240_000);
    await Promise.all(workers.map((w) => w.close()));

    expect(shared.tunedSettings).toEqual(alone.tunedSettings);
    expect(await trialLog(shared.versionId)).toEqual(await trialLog(alone.versionId));
    // Each worker trained some of the trial jobs (the meeting pools see to it), between them as many as one worker alone.
    const trialJobs = await trialsTrained(single);
    expect(trialJobs).toBeGreaterThan(6);
    expect(await trialsTrained(a)).toBeGreaterThan(0);
    expect(await trialsTrained(b)).toBeGreaterThan(0);
    expect((await trialsTrained(a)) + (await trialsTrained(b))).toBe(trialJobs);
  }, 480_000);

  it('a trial job cut short by a stopped worker is retried on another and the choice is unchanged', async () => {
    const { held, hit, release } = heldPool();
    const first = newWorker(new Registry(), held);
    await first.start();
    const job = await queue.add('crash', tuned(), retried);
    // The first trial job (trial 0: jobs are taken in the order added) waits on its first read of the samples.
    await hit;
    const stopped = first.close();
    release();
    await stopped;
    const trialId = `${job.id}-trial-0-rung-0`;
    expect((await queue.getJob(trialId))?.failedReason).toMatch(/training aborted/);

    const second = newWorker();
    await second.start();
    const result = await job.waitUntilFinished(events, 240_000);
    await second.close();
    expect((await queue.getJob(trialId))?.attemptsMade).toBeGreaterThan(1);
    expect(result.tunedSettings).toEqual(alone.tunedSettings);
    expect(await trialLog(result.versionId)).toEqual(await trialLog(alone.versionId));
  }, 480_000);

  it('trials past their budget are cut within their first epoch, and the gate still decides', async () => {
    const worker = newWorker();
    await worker.start();
    const job = await queue.add('cut', { ...tuned(), tune: { trials: 3, trialBudgetS: 0.001 } });
    const result = await job.waitUntilFinished(events, 240_000);
    await worker.close();
    const trials = await trialLog(result.versionId);
    expect(trials).toHaveLength(3);
    for (const trial of trials) expect(trial).toMatchObject({ outcome: 'cut', epochs: 0 });
    // No trial finished an epoch: the job trains its own settings, and the gate judges the version as any other.
    expect(result.tunedSettings).toMatchObject({ negatives: 4, batchSize: 1024, epochs: 20 });
    expect(result).toMatchObject({ promoted: expect.any(Boolean), reason: expect.any(String) });
  }, 240_000);
});

it('a chain tuning every 2nd run reuses the latest tuned settings in between', async () => {
  const worker = newWorker();
  await worker.start();
  const run = async (name: string) => {
    const job = await queue.add(name, { datasetVersion, modelType: 'mf', role: 'recall', seed: 2, tune: { trials: 2, every: 2 } });
    const result = await job.waitUntilFinished(events, 120_000);
    const { rows } = await pool.query('SELECT config FROM model_versions WHERE version_id = $1', [result.versionId]);
    return { result, config: rows[0]!.config };
  };
  // The previous spec left a tuned mf version: the next run is the 2nd since it, and reuses its settings.
  const { rows } = await pool.query(`SELECT max(version_id) AS id FROM model_versions WHERE config ? 'tuning'`);
  const tunedBefore = Number(rows[0]!.id);
  const reused = await run('reuse');
  expect(reused.config.tuning).toBeUndefined();
  expect(reused.config.tunedSettingsFrom).toBe(tunedBefore);
  expect(reused.result.tunedSettings).toBeDefined();
  const tuned = await run('tune-again');
  await worker.close();
  expect(tuned.config.tuning.trials).toHaveLength(2);
  expect(tuned.config.tunedSettingsFrom).toBeUndefined();
}, 240_000);
