import { Queue, type ConnectionOptions } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import { QUEUES } from '@recstream/schemas';

/** Job states reported; `prioritized` holds train jobs enqueued with a priority. */
const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/**
 * `bullmq_queue_jobs{queue, state}`: the jobs of the samples and train
 * queues per state, read from Redis when Prometheus scrapes, so the
 * dashboard shows how far training lags behind new dataset versions.
 * Returns what releases the queue handles (the connection stays the caller's).
 */
export function registerQueueDepths(metricsRegistry: Registry, connection: ConnectionOptions, prefix: string): { close(): Promise<void> } {
  const queues = [QUEUES.samples, QUEUES.train].map((name) => new Queue(name, { connection, prefix }));
  new Gauge({
    name: 'bullmq_queue_jobs',
    help: 'Jobs per BullMQ queue and state, read at scrape time',
    labelNames: ['queue', 'state'],
    registers: [metricsRegistry],
    async collect() {
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...STATES)));
      queues.forEach((queue, i) => {
        for (const state of STATES) this.set({ queue: queue.name, state }, counts[i]![state] ?? 0);
      });
    },
  });
  return { close: async () => void (await Promise.all(queues.map((queue) => queue.close()))) };
}
