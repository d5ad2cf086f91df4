/**
 * The platform's search spread out: a train job that asks for tuning adds
 * its trials as BullMQ child jobs on the train queue, and trainer workers
 * share them (libs/training/src/trial-jobs.ts). Against a train job with
 * the same request but no tuning, on a synthetic world's dataset version,
 * in a database and queue prefix of its own.
 */
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { OfflineStore } from '@recstream/features';
import { createLogger, createMetricsRegistry } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { SampleGenerator } from '@recstream/samples';
import { InteractionEvent, QUEUES, type ModelKind } from '@recstream/schemas';
import { createTestDatabase } from '@recstream/schemas/test-database';
import { SyntheticWorld, type WorldOptions } from '@recstream/synth';
import { TrainJobWorker, type TrainJobResult } from '@recstream/training';
import { infraSettings } from '../infra/settings.js';

export interface TrialJobsBench {
  model: ModelKind;
  world: Pick<WorldOptions, 'users' | 'items' | 'categories' | 'days' | 'seed'>;
  trials: number;
  workers: number;
}

export interface TrialJobsResult {
  /** Test figures of the train job without tuning and of the tuned one. */
  defaults: TrainJobResult;
  tuned: TrainJobResult;
  /** Wall-clock seconds of each job, from adding it to its result. */
  defaultSeconds: number;
  tunedSeconds: number;
  /** Trials in the search's log, and trial jobs each worker trained (a trial promoted to a later rung trains again). */
  trials: number;
  trialJobsPerWorker: number[];
  chosen: Record<string, number>;
}

export async function benchTrialJobs(bench: TrialJobsBench, say: (line: string) => void): Promise<TrialJobsResult> {
  const settings = infraSettings();
  const database = await createTestDatabase(settings.DATABASE_URL);
  const pool = new pg.Pool({ connectionString: database.url, max: 4 * bench.workers });
  const redis = new Redis(settings.REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `bench-tune-${Date.now().toString(36)}`;
  const queue = new Queue(QUEUES.train, { connection: redis, prefix });
  const events = new QueueEvents(QUEUES.train, { connection: redis, prefix });
  const logger = createLogger('bench-tune', 'warn');
  const metrics = Array.from({ length: bench.workers }, () => createMetricsRegistry('bench-tune'));
  const workers = metrics.map(
    (registry) => new TrainJobWorker({ pool, registry: new ModelRegistry(pool), connection: redis, logger, metrics: registry, codeVersion: 'bench' }, { prefix }),
  );
  try {
    const world = new SyntheticWorld(bench.world);
    say(`world: ${JSON.stringify(bench.world)}`);
    const interactions = [...world.interactionEvents()].map((event) => InteractionEvent.parse(event));
    await new OfflineStore(pool).writeBatch({ events: interactions, history: [] });
    const range = { from: world.options.start, to: world.options.start + world.options.days * 86_400_000 };
    const { datasetVersion } = (await new SampleGenerator(pool).generate({ range })).manifest;
    await events.waitUntilReady();
    await Promise.all(workers.map((worker) => worker.start()));
    const request = { datasetVersion, modelType: bench.model, role: 'recall', seed: 1 };
    const timed = async (name: string, data: object) => {
      const started = performance.now();
      const result = (await (await queue.add(name, data)).waitUntilFinished(events)) as TrainJobResult;
      return { result, seconds: (performance.now() - started) / 1000 };
    };
    say(`${bench.model}: training with the defaults`);
    const defaults = await timed('defaults', request);
    say(`${bench.model}: tuning with ${bench.trials} trials as jobs on ${bench.workers} workers, then training`);
    const tuned = await timed('tuned', { ...request, tune: { trials: bench.trials } });
    const { rows } = await pool.query('SELECT config FROM model_versions WHERE version_id = $1', [tuned.result.versionId]);
    return {
      defaults: defaults.result,
      tuned: tuned.result,
      defaultSeconds: defaults.seconds,
      tunedSeconds: tuned.seconds,
      trials: (rows[0]!.config.tuning.trials as unknown[]).length,
      trialJobsPerWorker: await Promise.all(metrics.map(trialJobs)),
      chosen: tuned.result.tunedSettings!,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
    await queue.obliterate({ force: true });
    await Promise.all([queue.close(), events.close()]);
    await redis.quit();
    await pool.end();
    await database.drop();
  }
}

/** Trial jobs a worker trained, from its metrics. */
async function trialJobs(metrics: ReturnType<typeof createMetricsRegistry>): Promise<number> {
  const { values } = await metrics.getSingleMetric('trainer_trials_total')!.get();
  return values.reduce((sum, { value }) => sum + value, 0);
}
