import type { JobsOptions } from 'bullmq';
import { ModelKindSchema, ModelRoleSchema, TrainTuning } from '@recstream/schemas';
import { z } from 'zod';

/** A model the chain trains on every new dataset version. */
export const TrainTarget = z.object({
  role: ModelRoleSchema,
  modelType: ModelKindSchema,
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  /** Search hyperparameters before training; with `every`, on every Nth run only (see `TrainTuning`). */
  tune: TrainTuning.optional(),
});
export type TrainTarget = z.infer<typeof TrainTarget>;

/**
 * Failed runs are retried with exponential backoff and then kept (failed
 * jobs are never removed), so they stay visible with their reasons; the
 * latest completed ones are kept for inspection too.
 */
export interface RetryPolicy {
  attempts: number;
  /** First retry delay; doubles with each attempt. */
  backoffMs: number;
  /** Completed jobs kept per queue. */
  keepCompleted: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, backoffMs: 30_000, keepCompleted: 200 };

export function jobOptions(policy: RetryPolicy): JobsOptions {
  return {
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: { count: policy.keepCompleted },
    removeOnFail: false,
  };
}
