import { Queue, UnrecoverableError, WaitingChildrenError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type pg from 'pg';
import { Counter, Histogram, type Registry } from 'prom-client';
import { jobFailure, type Logger } from '@recstream/platform';
import type { ModelRegistry } from '@recstream/registry';
import { DEFAULT_QUEUE_PREFIX, QUEUES, TRIAL_JOB_NAME, TrainJob, TrialJob } from '@recstream/schemas';
import type { ZodType } from 'zod';
import { registerAndPromote } from './promote.js';
import { trainOnDataset, type TrainProgress } from './train.js';
import { runWithSettings, type DatasetRun } from './run-settings.js';
import { runTrialJob, TrialSearch } from './trial-jobs.js';
import { tuningPlan } from './tuning.js';

export interface TrainWorkerDeps {
  pool: pg.Pool;
  registry: ModelRegistry;
  connection: ConnectionOptions;
  logger: Logger;
  metrics: Registry;
  /** Recorded with every version, e.g. the git commit the image was built from. */
  codeVersion: string;
}

export interface TrainWorkerOptions {
  /** BullMQ key prefix; must match the producers'. */
  prefix: string;
  /** How long a job's lock lasts without renewal before BullMQ treats it as stalled. */
  lockDurationMs: number;
}

export const DEFAULT_TRAIN_WORKER_OPTIONS: TrainWorkerOptions = { prefix: DEFAULT_QUEUE_PREFIX, lockDurationMs: 120_000 };

export interface TrainJobResult {
  versionId: number;
  promoted: boolean;
  reason: string;
  metrics: Record<string, number>;
  backend: string;
  /** The settings a tuning search chose for this job, or that it reused from the latest tuned version. */
  tunedSettings?: Record<string, number>;
}

/**
 * Consumes `train` jobs one at a time (one per host or GPU): trains the
 * requested model on the dataset version, registers it and applies the
 * promotion gate. A job that asks for tuning first spreads its trials as
 * `trial` jobs on the same queue, which every worker takes (TrialSearch).
 * Progress goes on the job; on close the running job is aborted between
 * batches so it fails cleanly and is retried with backoff. A failure
 * retrying cannot fix (a dataset not ready) fails the job at once.
 */
export class TrainJobWorker {
  readonly options: TrainWorkerOptions;
  private worker?: Worker;
  /** The train queue, for adding trial jobs. */
  private queue?: Queue;
  private running?: AbortController;
  private closing?: Promise<void>;
  private readonly jobs: Counter;
  private readonly duration: Histogram;
  private readonly trials: Counter;

  constructor(
    private readonly deps: TrainWorkerDeps,
    options: Partial<TrainWorkerOptions> = {},
  ) {
    this.options = { ...DEFAULT_TRAIN_WORKER_OPTIONS, ...options };
    this.jobs = new Counter({ name: 'trainer_jobs_total', help: 'Train jobs by outcome', labelNames: ['outcome'], registers: [deps.metrics] });
    this.trials = new Counter({ name: 'trainer_trials_total', help: 'Tuning trials trained, by outcome', labelNames: ['outcome'], registers: [deps.metrics] });
    this.duration = new Histogram({ name: 'trainer_job_seconds', help: 'Train job duration', buckets: [10, 30, 60, 120, 300, 600, 1800], registers: [deps.metrics] });
  }

  get ready(): boolean {
    return this.worker?.isRunning() === true && !this.closing;
  }

  async start(): Promise<void> {
    this.queue = new Queue(QUEUES.train, { connection: this.deps.connection, prefix: this.options.prefix });
    this.worker = new Worker(QUEUES.train, (job, token) => (job.name === TRIAL_JOB_NAME ? this.processTrial(job) : this.process(job, token!)), {
      connection: this.deps.connection,
      prefix: this.options.prefix,
      concurrency: 1,
      lockDuration: this.options.lockDurationMs,
    });
    this.worker.on('failed', (job, error) => {
      this.jobs.inc({ outcome: 'failed' });
      this.deps.logger.error({ err: error, job: job?.id, attempts: job?.attemptsMade }, 'train job failed');
    });
    this.worker.on('completed', () => this.jobs.inc({ outcome: 'completed' }));
    await this.worker.waitUntilReady();
  }

  /** Aborts the job in progress (it is retried later), then releases the queue connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.running?.abort('trainer shutting down');
      await this.worker?.close();
      await this.queue?.close();
    })();
    return this.closing;
  }

  private async processTrial(job: Job) {
    const request = parseJob(job, TrialJob, 'trial');
    const controller = (this.running = new AbortController());
    try {
      const report = await runTrialJob(this.deps.pool, request, controller.signal);
      this.trials.inc({ outcome: report.outcome });
      this.deps.logger.info({ job: job.id, parent: job.parentKey, ...report, settings: request.settings }, 'tuning trial');
      return report;
    } catch (error) {
      throw jobFailure(error);
    } finally {
      this.running = undefined;
    }
  }

  private async process(job: Job, token: string): Promise<TrainJobResult> {
    const request = parseJob(job, TrainJob, 'train');
    const log = this.deps.logger.child({ job: job.id, dataset: request.datasetVersion, model: request.modelType, role: request.role });
    const controller = (this.running = new AbortController());
    const stopTimer = this.duration.startTimer();
    let reported = 0;
    let waiting = false;
    try {
      const run = {
        datasetVersion: request.datasetVersion,
        modelType: request.modelType,
        role: request.role,
        hyperparameters: request.hyperparameters ?? {},
        seed: request.seed ?? 1,
        signal: controller.signal,
      };
      const { tuning, reused } = await this.tuneOrReuse(job, token, request, run, log);
      log.info('training started');
      const settings = tuning?.chosen ?? reused?.settings;
      const result = await trainOnDataset(this.deps.pool, {
        ...(settings ? runWithSettings(run, settings) : run),
        onProgress: (progress: TrainProgress) => {
          if (progress.phase === 'train' && performance.now() - reported < 2_000) return;
          reported = performance.now();
          void job.updateProgress({ ...progress });
          if (progress.phase !== 'train') log.info(progress, `${progress.phase} epoch ${progress.epoch}`);
        },
      });
      const outcome = await registerAndPromote(this.deps.registry, this.deps.pool, result, {
        role: request.role,
        modelType: request.modelType,
        datasetVersion: request.datasetVersion,
        codeVersion: this.deps.codeVersion,
        config: {
          seed: request.seed ?? 1,
          ...request.hyperparameters,
          ...settings,
          ...(tuning && { tuning: { chosen: tuning.chosen, seconds: tuning.seconds, trials: tuning.trials } }),
          ...(reused && { tunedSettingsFrom: reused.fromVersion }),
        },
      });
      result.model.dispose();
      const { hr_at_10, ndcg_at_10, auc, test_cases_seen_in_training } = result.metrics;
      log.info(
        { version: outcome.version.versionId, promoted: outcome.promotion.promoted, reason: outcome.promotion.reason, backend: result.backend, hr_at_10, ndcg_at_10, auc, test_cases_seen_in_training },
        'training finished',
      );
      return {
        versionId: outcome.version.versionId,
        promoted: outcome.promotion.promoted,
        reason: outcome.promotion.reason,
        metrics: { ...result.metrics },
        backend: result.backend,
        ...(settings && { tunedSettings: settings }),
      };
    } catch (error) {
      waiting = error instanceof WaitingChildrenError;
      throw jobFailure(error);
    } finally {
      if (!waiting) stopTimer();
      this.running = undefined;
    }
  }

  /**
   * Settings for this job from a search, spread as trial jobs (this step may
   * throw WaitingChildrenError until they are done), or from the latest tuned
   * version when the job's tuning cadence says so; nothing without `tune`.
   */
  private async tuneOrReuse(job: Job, token: string, request: TrainJob, run: DatasetRun & { seed: number }, log: Logger) {
    if (!request.tune) return {};
    const search = new TrialSearch(this.queue!, job, run, request.tune);
    const plan = (await search.started()) ? ({ search: true } as const) : await tuningPlan(this.deps.registry, request.role, request.modelType, request.tune);
    if (!plan.search) {
      log.info({ fromVersion: plan.fromVersion, settings: plan.settings }, 'training with the settings of the latest tuned version');
      return { reused: plan };
    }
    const tuning = await search.step(token, (pending) => {
      log.info({ rung: pending[0]!.rung, epochs: pending[0]!.epochs, trials: pending.length }, 'tuning: waiting for trial jobs');
      void job.updateProgress({ phase: 'tune', rung: pending[0]!.rung, trials: pending.length });
    });
    log.info({ seconds: tuning.seconds, trials: tuning.trials.length, validationAuc: tuning.best.score, chosen: tuning.chosen }, 'tuning finished');
    return { tuning };
  }
}

function parseJob<T>(job: Job, schema: ZodType<T>, kind: string): T {
  const parsed = schema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'data'}: ${issue.message}`).join('; ');
  throw new UnrecoverableError(`invalid ${kind} job data (${problems}); enqueue it again with valid data`);
}
