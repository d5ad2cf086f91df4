import { randomUUID } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@recstream/platform';
import { QUEUES, TrainJob } from '@recstream/schemas';
import { SyntheticWorld } from '@recstream/synth';
import { readManifest, SampleGenerator, SampleJobWorker } from '../src/index.js';
import { DAY, HOUR, T0, openTestDb, writeLog, type TestDb } from './harness.js';

const prefix = `test-samples-${randomUUID().slice(0, 8)}`;
let db: TestDb;
let redis: Redis;
let worker: SampleJobWorker;
let trainQueue: Queue;
let samplesQueue: Queue;
/** The worker's log lines at warn level and above. */
const warnings: { msg: string; lowCoverage?: { view: string; coverage: number }[] }[] = [];

/** Waits, without a deadline of its own (the test timeout is the limit), until `probe` returns something. */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  db = await openTestDb();
  await writeLog(db.pool, [...new SyntheticWorld({ users: 30, items: 60, days: 2, seed: 3 }).interactionEvents()]);
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const generator = new SampleGenerator(db.pool, { config: { attributionWindowMs: HOUR } });
  worker = new SampleJobWorker(
    // The clock stands two days and an attribution window after the log starts.
    { pool: db.pool, connection: redis, generator, logger: createLogger('samples-test', 'warn', { write: (line: string) => void warnings.push(JSON.parse(line)) }), now: () => T0 + 2 * DAY + HOUR },
    { prefix, cron: '* * * * * *', lookbackMs: 2 * DAY, alignMs: HOUR, retry: { attempts: 2, backoffMs: 10, keepCompleted: 10 } },
  );
  trainQueue = new Queue(QUEUES.train, { connection: redis, prefix });
  samplesQueue = new Queue(QUEUES.samples, { connection: redis, prefix });
});

afterAll(async () => {
  await worker?.close();
  for (const queue of [trainQueue, samplesQueue]) {
    await queue?.obliterate({ force: true });
    await queue?.close();
  }
  await redis?.quit();
  await db?.close();
});

describe('the retraining chain', () => {
  it('fires on schedule, builds a dataset version and enqueues its training jobs', async () => {
    await worker.start();
    const jobs = await eventually(async () => {
      const waiting = await trainQueue.getJobs(['waiting', 'prioritized']);
      return waiting.length >= 2 ? waiting : undefined;
    });
    const payloads = jobs.map((job: Job) => TrainJob.parse(job.data)).sort((a, b) => a.role.localeCompare(b.role));
    expect(payloads.map((p) => [p.role, p.modelType])).toEqual([
      ['ranking', 'deepfm'],
      ['recall', 'mf'],
    ]);
    const manifest = await readManifest(db.pool, payloads[0]!.datasetVersion);
    expect(manifest).toMatchObject({ status: 'ready', range: { from: T0, to: T0 + 2 * DAY } });
    expect(manifest!.sampleCount).toBeGreaterThan(1_000);

    // The schedule fires every second: later runs find the version ready and reuse it, so look for the run that built it.
    const completed = await eventually(async () => (await samplesQueue.getJobs(['completed'])).find((job) => job.returnvalue?.reused === false));
    expect(completed.returnvalue).toMatchObject({ datasetVersion: manifest!.datasetVersion, samples: manifest!.sampleCount, reused: false });
    expect(completed.progress).toMatchObject({ done: 1 });
    const { rows } = await db.pool.query('SELECT count(*)::int AS days FROM bi_daily_active_users');
    expect(rows[0].days).toBe(2);
    // This log has no feature history: the history-backed views are warned about, the sequence (read from the log) is not.
    const coverage = warnings.find((line) => line.msg === 'feature views mostly missing at label time');
    expect(coverage?.lowCoverage?.map((low) => low.view).sort()).toEqual(['item_attributes', 'item_stats', 'user_activity', 'user_profile']);
  });

  it('runs a range once however often it fires, and fails invalid jobs visibly without retrying them', async () => {
    await eventually(async () => ((await samplesQueue.getJobs(['completed'])).length >= 2 ? true : undefined));
    expect((await trainQueue.getJobs(['waiting', 'prioritized'])).length).toBe(2);

    const bad = await samplesQueue.add('on-demand', { from: T0 + DAY, to: T0 });
    const failed = await eventually(async () => ((await bad.getState()) === 'failed' ? await samplesQueue.getJob(bad.id!) : undefined));
    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toContain('from must be before to');
  });
});
