import type { FlowJob, FlowProducer } from 'bullmq';
import { QUEUES, TrainJob } from '@recstream/schemas';
import { jobOptions, type RetryPolicy, type TrainTarget } from './options.js';

/**
 * Enqueues one `train` job per target for a dataset version, all in one
 * atomic flow add (either all are queued or none). Job ids are derived from
 * the version and target, so a retried generator run that reaches this step
 * again does not queue the same training twice.
 */
export async function enqueueTraining(
  flows: FlowProducer,
  datasetVersion: string,
  targets: readonly TrainTarget[],
  policy: RetryPolicy,
  seed?: number,
): Promise<string[]> {
  const jobs: FlowJob[] = targets.map((target) => ({
    name: `train-${target.role}`,
    queueName: QUEUES.train,
    data: TrainJob.parse({ datasetVersion, ...target, seed }),
    opts: { ...jobOptions(policy), jobId: `train-${datasetVersion}-${target.role}-${target.modelType}` },
  }));
  const added = await flows.addBulk(jobs);
  return added.map((node) => node.job.id!);
}
