import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type pg from 'pg';
import { Counter, Histogram, type Registry } from 'prom-client';
import { jobFailure, type Logger } from '@recstream/platform';
import type { ModelRegistry } from '@recstream/registry';
import { DEFAULT_QUEUE_PREFIX, QUEUES, TrainJob } from '@recstream/schemas';
import { registerAndPromote } from './promote.js';
import { trainOnDataset, type TrainProgress } from './train.js';
import { runWithSettings, tuneOnDataset, tuningPlan } from './tuning.js';

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
 * promotion gate. Progress goes on the job; on close the running job is
 * aborted between batches so it fails cleanly and is retried with backoff.
 * A failure retrying cannot fix (a dataset not ready) fails the job at once.
 */
export class TrainJobWorker {
  readonly options: TrainWorkerOptions;
  private worker?: Worker;
  private running?: AbortController;
  private closing?: Promise<void>;
  private readonly jobs: Counter;
  private readonly duration: Histogram;

  constructor(
    private readonly deps: TrainWorkerDeps,
    options: Partial<TrainWorkerOptions> = {},
  ) {
    this.options = { ...DEFAULT_TRAIN_WORKER_OPTIONS, ...options };
    this.jobs = new Counter({ name: 'trainer_jobs_total', help: 'Train jobs by outcome', labelNames: ['outcome'], registers: [deps.metrics] });
    this.duration = new Histogram({ name: 'trainer_job_seconds', help: 'Train job duration', buckets: [10, 30, 60, 120, 300, 600, 1800], registers: [deps.metrics] });
  }

  get ready(): boolean {
    return this.worker?.isRunning() === true && !this.closing;
  }

  async start(): Promise<void> {
    this.worker = new Worker(QUEUES.train, (job) => this.process(job), {
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
    })();
    return this.closing;
  }

  private async process(job: Job): Promise<TrainJobResult> {
    const parsed = TrainJob.safeParse(job.data);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'data'}: ${issue.message}`).join('; ');
      throw new UnrecoverableError(`invalid train job data (${problems}); enqueue it again with valid data`);
    }
    const request = parsed.data;
    const log = this.deps.logger.child({ job: job.id, dataset: request.datasetVersion, model: request.modelType, role: request.role });
    const controller = (this.running = new AbortController());
    const stopTimer = this.duration.startTimer();
    let reported = 0;
    try {
      log.info('training started');
      const run = {
        datasetVersion: request.datasetVersion,
        modelType: request.modelType,
        role: request.role,
        hyperparameters: request.hyperparameters ?? {},
        seed: request.seed ?? 1,
        signal: controller.signal,
      };
      const plan = request.tune && (await tuningPlan(this.deps.registry, request.role, request.modelType, request.tune));
      const tuning =
        request.tune && plan?.search
          ? await tuneOnDataset(this.deps.pool, run, {
              trials: request.tune.trials,
              budgetS: request.tune.budgetS,
              onTrial: (trial) => {
                log.info({ trial: trial.trial, validationAuc: trial.score, epochs: trial.epochs, outcome: trial.outcome, settings: trial.settings }, 'tuning trial');
                void job.updateProgress({ phase: 'tune', trial: trial.trial, trials: request.tune?.trials });
              },
            })
          : undefined;
      const reused = plan && !plan.search ? plan : undefined;
      if (reused) log.info({ fromVersion: reused.fromVersion, settings: reused.settings }, 'training with the settings of the latest tuned version');
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
      throw jobFailure(error);
    } finally {
      stopTimer();
      this.running = undefined;
    }
  }
}
