import { FlowProducer, Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type pg from 'pg';
import type { Logger } from '@recstream/platform';
import { jobFailure } from '@recstream/platform';
import { DEFAULT_QUEUE_PREFIX, QUEUES, SamplesJob } from '@recstream/schemas';
import { refreshBiViews } from '../bi.js';
import type { SampleGenerator } from '../generator.js';
import { DEFAULT_COVERAGE_WARNING_BELOW, lowCoverage } from '../manifest.js';
import { scheduledRange, rangeKey, type ScheduleWindow, type TimeRange } from '../range.js';
import { DEFAULT_RETRY_POLICY, jobOptions, type RetryPolicy, type TrainTarget } from './options.js';
import { enqueueTraining } from './train-flow.js';

export interface SampleJobWorkerOptions {
  /** BullMQ key prefix; give tests and deployments sharing a Redis their own. */
  prefix: string;
  /** Cron pattern of the scheduled run (5 or 6 fields), or null for on-demand runs only. */
  cron: string | null;
  /** Time zone the cron pattern is read in. */
  timezone: string;
  /** What a scheduled run covers: lookback, alignment; the attribution window comes from the generator. */
  lookbackMs: number;
  alignMs: number;
  /** Trained on every new dataset version. */
  trainTargets: readonly TrainTarget[];
  /** Refresh the materialized BI views after each run. */
  refreshBi: boolean;
  /** A warning is logged for each feature view whose point-in-time coverage is below this share. */
  coverageWarningBelow: number;
  retry: RetryPolicy;
}

const HOUR_MS = 3_600_000;

export const DEFAULT_SAMPLE_JOB_WORKER_OPTIONS: SampleJobWorkerOptions = {
  prefix: DEFAULT_QUEUE_PREFIX,
  cron: '15 * * * *',
  timezone: 'UTC',
  lookbackMs: 7 * 24 * HOUR_MS,
  alignMs: HOUR_MS,
  trainTargets: [
    { role: 'recall', modelType: 'mf' },
    { role: 'ranking', modelType: 'deepfm' },
  ],
  refreshBi: true,
  coverageWarningBelow: DEFAULT_COVERAGE_WARNING_BELOW,
  retry: DEFAULT_RETRY_POLICY,
};

export interface SampleJobWorkerDeps {
  pool: pg.Pool;
  connection: ConnectionOptions;
  generator: SampleGenerator;
  logger: Logger;
  /** The clock scheduled runs take their range from. */
  now?: () => number;
}

/** What a completed samples job returns (visible in the queue). */
export interface SamplesJobResult {
  datasetVersion: string;
  reused: boolean;
  samples: number;
  trainJobs: string[];
}

export const SCHEDULER_ID = 'samples-schedule';

/**
 * The retraining chain's first link: a BullMQ worker on the `samples` queue
 * that builds a dataset version for a range (the job's, or for scheduled
 * runs the latest complete one), refreshes the BI views, and enqueues the
 * training jobs. Invalid jobs fail at once; other failures retry with backoff.
 */
export class SampleJobWorker {
  readonly options: SampleJobWorkerOptions;
  private readonly queue: Queue;
  private readonly flows: FlowProducer;
  private worker?: Worker;
  private closing?: Promise<void>;

  constructor(
    private readonly deps: SampleJobWorkerDeps,
    options: Partial<SampleJobWorkerOptions> = {},
  ) {
    this.options = { ...DEFAULT_SAMPLE_JOB_WORKER_OPTIONS, ...options };
    const { prefix } = this.options;
    this.queue = new Queue(QUEUES.samples, { connection: deps.connection, prefix, defaultJobOptions: jobOptions(this.options.retry) });
    this.flows = new FlowProducer({ connection: deps.connection, prefix });
  }

  /** Installs (or updates) the schedule and starts consuming. */
  async start(): Promise<void> {
    const { cron, timezone, prefix } = this.options;
    if (cron) {
      await this.queue.upsertJobScheduler(SCHEDULER_ID, { pattern: cron, tz: timezone }, { name: 'scheduled', data: {}, opts: jobOptions(this.options.retry) });
    } else {
      await this.queue.removeJobScheduler(SCHEDULER_ID);
    }
    this.worker = new Worker(QUEUES.samples, (job) => this.process(job), { connection: this.deps.connection, prefix, concurrency: 1 });
    this.worker.on('failed', (job, error) => this.deps.logger.error({ err: error, job: job?.id, attempts: job?.attemptsMade }, 'samples job failed'));
    await this.worker.waitUntilReady();
  }

  /** Queues an on-demand run for a range; a run for that range already queued or kept is not queued again. */
  async request(range: TimeRange): Promise<string> {
    const job = await this.queue.add('on-demand', { from: range.from, to: range.to }, { jobId: `samples-${rangeKey(range)}` });
    return job.id!;
  }

  /** Lets the job in progress finish, then releases the queues. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker?.close();
      await Promise.all([this.queue.close(), this.flows.close()]);
    })();
    return this.closing;
  }

  private async process(job: Job): Promise<SamplesJobResult> {
    const { generator, logger } = this.deps;
    const parsed = SamplesJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid samples job data: ${parsed.error.message}; queue { from, to } as ISO-8601 or epoch ms, or {}`);
    const { from, to } = parsed.data;
    const range =
      from !== undefined && to !== undefined
        ? { from, to }
        : scheduledRange((this.deps.now ?? Date.now)(), {
            lookbackMs: this.options.lookbackMs,
            alignMs: this.options.alignMs,
            attributionWindowMs: generator.config.attributionWindowMs,
          } satisfies ScheduleWindow);
    try {
      const { manifest, reused } = await generator.generate({
        range,
        onProgress: (progress) =>
          job.updateProgress({ step: progress.step, done: progress.done }).catch((error: unknown) => logger.warn({ err: error, job: job.id }, 'could not record progress')),
      });
      const low = lowCoverage(manifest, this.options.coverageWarningBelow);
      if (low.length > 0) logger.warn({ job: job.id, datasetVersion: manifest.datasetVersion, lowCoverage: low, below: this.options.coverageWarningBelow }, 'feature views mostly missing at label time');
      const bi = this.options.refreshBi ? await refreshBiViews(this.deps.pool) : {};
      const trainJobs = await enqueueTraining(this.flows, manifest.datasetVersion, this.options.trainTargets, this.options.retry, generator.config.seed);
      logger.info({ job: job.id, datasetVersion: manifest.datasetVersion, reused, samples: manifest.sampleCount, buildMs: manifest.buildMs, bi, trainJobs }, 'dataset version ready');
      return { datasetVersion: manifest.datasetVersion, reused, samples: manifest.sampleCount, trainJobs };
    } catch (error) {
      throw jobFailure(error);
    }
  }
}
