import { Queue } from 'bullmq';
import type { RedisClient } from '@recstream/platform';

/** The job states reported per queue: waiting work first, then finished work BullMQ still keeps. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface QueueDepth {
  queue: string;
  counts: Record<QueueState, number>;
}

/** Job counts of BullMQ queues, read through one shared Redis connection (which stays the caller's to close). */
export class QueueDepths {
  private readonly queues: Queue[];

  constructor(names: readonly string[], connection: RedisClient, prefix: string) {
    this.queues = names.map((name) => new Queue(name, { connection, prefix }));
  }

  async read(): Promise<QueueDepth[]> {
    return Promise.all(
      this.queues.map(async (queue) => {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        return { queue: queue.name, counts: Object.fromEntries(QUEUE_STATES.map((state) => [state, counts[state] ?? 0])) as Record<QueueState, number> };
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
