import { WaitingChildrenError, type Job, type JobsOptions, type Queue } from 'bullmq';
import type pg from 'pg';
import { DEFAULT_TUNE_OPTIONS, type TrialReport, type TrialRequest, type TuningResult } from '@recstream/models';
import { TRIAL_JOB_NAME, type TrainTuning, type TrialJob } from '@recstream/schemas';
import { datasetSearch, type DatasetRun } from './run-settings.js';
import { runDatasetTrial } from './trial.js';

/**
 * A train job's search spread over every trainer worker as trial jobs: the
 * train job adds the rung's trials as its children on the `train` queue,
 * waits for them without holding a worker (BullMQ's waiting-children
 * state), and when it runs again reads their reports and promotes, or adds
 * what is missing. Everything is derived from the children's reports and
 * their fixed job ids, so a train job that crashes or retries picks up where it was.
 */
export class TrialSearch {
  private readonly search;

  constructor(
    private readonly queue: Queue,
    private readonly job: Job,
    private readonly run: DatasetRun & { seed: number },
    private readonly tuning: TrainTuning,
  ) {
    this.search = datasetSearch(run, { trials: tuning.trials });
  }

  /** Whether this job's search already has trial jobs: it goes on, whatever the tuning cadence says now. */
  async started(): Promise<boolean> {
    const { processed = 0, unprocessed = 0 } = await this.job.getDependenciesCount({ processed: true, unprocessed: true });
    return processed + unprocessed > 0;
  }

  /**
   * The search's result once every rung it needs is in; until then adds the
   * missing trial jobs and throws WaitingChildrenError, which BullMQ takes
   * as "run this job again when its children are done".
   */
  async step(token: string, onPending: (pending: TrialRequest[]) => void = () => {}): Promise<TuningResult> {
    // The budget runs from the first trial job's creation (from now if completed-job trimming removed it).
    const first = await this.queue.getJob(this.trialJobId(0, 0));
    const began = first?.timestamp ?? Date.now();
    const deadline = this.tuning.budgetS === undefined ? undefined : began + this.tuning.budgetS * 1000;
    for (;;) {
      const reports = Object.values(await this.job.getChildrenValues<TrialReport>());
      const step = this.search.step(reports, deadline !== undefined && Date.now() >= deadline);
      if ('result' in step) return { ...step.result, seconds: (Date.now() - began) / 1000 };
      onPending(step.pending);
      await this.queue.addBulk(step.pending.map((request) => this.trialJob(request, deadline)));
      if (await this.job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    }
  }

  private trialJob(request: TrialRequest, deadline: number | undefined): { name: string; data: TrialJob; opts: JobsOptions } {
    const { datasetVersion, modelType, role, hyperparameters = {}, seed } = this.run;
    return {
      name: TRIAL_JOB_NAME,
      data: {
        ...{ datasetVersion, modelType, role, hyperparameters, seed },
        ...request,
        patience: DEFAULT_TUNE_OPTIONS.patience,
        ...(deadline !== undefined && { deadline }),
        ...(this.tuning.trialBudgetS !== undefined && { budgetS: this.tuning.trialBudgetS }),
      },
      opts: {
        jobId: this.trialJobId(request.trial, request.rung),
        parent: { id: this.job.id!, queue: this.job.queueQualifiedName },
        // A trial is retried as its train job is; one that fails for good fails the search.
        attempts: this.job.opts.attempts,
        backoff: this.job.opts.backoff,
        failParentOnFailure: true,
      },
    };
  }

  /** One id per request: adding it again is a no-op, and its report is kept under it. */
  private trialJobId(trial: number, rung: number): string {
    return `${this.job.id}-trial-${trial}-rung-${rung}`;
  }
}

/** Trains a trial job's request (see TrialJob); the report is the job's return value. */
export async function runTrialJob(pool: pg.Pool, data: TrialJob, signal?: AbortSignal): Promise<TrialReport> {
  const { trial, rung, epochs, settings, patience, deadline, budgetS, ...run } = data;
  const ownDeadline = budgetS === undefined ? undefined : Date.now() + budgetS * 1000;
  const deadlines = [deadline, ownDeadline].filter((value): value is number => value !== undefined);
  return runDatasetTrial(pool, { ...run, signal }, { trial, rung, epochs, settings }, {
    patience,
    ...(deadlines.length > 0 && { deadline: Math.min(...deadlines) }),
    signal,
  });
}
