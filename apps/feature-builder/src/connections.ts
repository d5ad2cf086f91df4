import { createPool, createRedis, type Logger } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import type { featureBuilderConfig } from './env.js';

/** The clients the feature builder and the rebuild command use (Redis or, with REDIS_CLUSTER_NODES, a Redis Cluster), and how to release them. */
export function connect(config: ReturnType<typeof featureBuilderConfig>, logger: Logger) {
  const kafka = createKafka({ clientId: 'recstream-feature-builder', brokers: config.brokers, logger });
  // Not BullMQ: a Redis write that keeps failing should fail the chunk, which is then retried.
  const redis = createRedis(config, { maxRetriesPerRequest: 3 });
  const pool = createPool(config.databaseUrl, logger);
  const release = async () => {
    await Promise.allSettled([redis.quit(), pool.end()]);
  };
  return { kafka, redis, pool, release };
}
