import { z } from 'zod';
import { ModelKindSchema, ModelRoleSchema } from './models.js';

/**
 * BullMQ job contracts between the offline apps. The sample generator
 * produces `train` jobs; the trainer consumes them. Validate with
 * `TrainJob.parse(job.data)` on the consuming side.
 */
/** BullMQ's key prefix for our queues on one Redis, unless set. */
export const DEFAULT_QUEUE_PREFIX = 'bull';

/** The prefix on a Redis Cluster: a hash tag, so every queue's keys (and a flow's parent and children) share one slot. */
export const CLUSTER_QUEUE_PREFIX = '{recstream}';

/** The BullMQ prefix in use: the one set, else the default for one Redis or a cluster, where it must hold a hash tag. */
export function queuePrefix(setting: string | undefined, clustered: boolean): string {
  const prefix = setting ?? (clustered ? CLUSTER_QUEUE_PREFIX : DEFAULT_QUEUE_PREFIX);
  if (clustered && !/\{[^}]+\}/.test(prefix)) {
    throw new Error(`BULLMQ_PREFIX '${prefix}' has no hash tag, and BullMQ's scripts on a Redis Cluster need one: use ${CLUSTER_QUEUE_PREFIX} or unset it`);
  }
  return prefix;
}

export const QUEUES = {
  /** Sample-generation runs, scheduled (cron) or on demand, one per time range. */
  samples: 'samples',
  /** Training runs over one dataset version, and the tuning trials they spread (`TRIAL_JOB_NAME`). */
  train: 'train',
} as const;

/** Trials one train job may ask for: each is a training run on the dataset. */
export const MAX_TUNE_TRIALS = 200;

/**
 * A hyperparameter search before training, on the validation split: `trials`
 * trials in its first rung, trained as `trial` jobs that every trainer
 * worker takes. With `budgetS`, no rung starts after that many seconds and
 * running trials are cut between batches; with `trialBudgetS`, each trial
 * job is cut that many seconds after it starts. The chosen settings override
 * `hyperparameters`; they and the trial log go into the version's config.
 * With `every` N, a scheduled chain searches on every Nth run of a role and
 * model kind and trains the runs between with the last searched settings.
 */
export const TrainTuning = z
  .object({
    trials: z.number().int().min(1).max(MAX_TUNE_TRIALS),
    budgetS: z.number().positive().max(86_400).optional(),
    trialBudgetS: z.number().positive().max(86_400).optional(),
    every: z.number().int().min(1).max(1_000).optional(),
  })
  .strict();
export type TrainTuning = z.infer<typeof TrainTuning>;

/** The name of the `train` queue's jobs that each train one tuning trial; a train job's own name must differ. */
export const TRIAL_JOB_NAME = 'trial';

/**
 * One tuning trial, a child of the train job that searches: train the
 * parent's run with `settings` from scratch for `epochs` epochs, scoring each
 * on the validation split, and return the report. The same request always
 * has the same job id, so a retry or a resent request trains it again with the same result.
 */
export const TrialJob = z
  .object({
    datasetVersion: z.string().min(1).max(128),
    modelType: ModelKindSchema,
    role: ModelRoleSchema,
    hyperparameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
    seed: z.number().int(),
    trial: z.number().int().min(0),
    rung: z.number().int().min(0),
    epochs: z.number().int().min(1),
    settings: z.record(z.string(), z.number()),
    /** Epochs without a better validation score before the trial stops. */
    patience: z.number().int().min(1),
    /** Epoch ms after which the trial is cut (the search's budget). */
    deadline: z.number().int().optional(),
    /** Seconds after its start that the trial is cut. */
    budgetS: z.number().positive().optional(),
  })
  .strict();
export type TrialJob = z.infer<typeof TrialJob>;

export const TrainJob = z
  .object({
    /** A `dataset_manifests.dataset_version` whose status is `ready`. */
    datasetVersion: z.string().min(1).max(128),
    /** Which model to train. */
    modelType: ModelKindSchema,
    role: ModelRoleSchema,
    /** Overrides of the model's default hyperparameters. */
    hyperparameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
    /** Seed for initialisation and shuffling, so a run can be repeated. */
    seed: z.number().int().optional(),
    /** Search the model's hyperparameters first (see `TrainTuning`). */
    tune: TrainTuning.optional(),
  })
  .strict();
export type TrainJob = z.infer<typeof TrainJob>;

/** Epoch ms or ISO-8601. */
const instant = z.union([z.number().int(), z.string().datetime({ offset: true })]).transform((value) => (typeof value === 'number' ? value : Date.parse(value)));

/**
 * A sample-generation job. Without a range (the scheduled job), the worker
 * takes the latest complete range its schedule settings describe.
 */
export const SamplesJob = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict()
  .refine((job) => (job.from === undefined) === (job.to === undefined), 'from and to go together')
  .refine((job) => job.from === undefined || job.to === undefined || job.from < job.to, 'from must be before to');
export type SamplesJob = z.infer<typeof SamplesJob>;
