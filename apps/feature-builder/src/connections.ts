import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from '@recstream/platform';
import { createKafka } from '@recstream/streams';
import type { featureBuilderConfig } from './env.js';

/** The clients the feature builder and the rebuild command use, and how to release them. */
export function connect(config: ReturnType<typeof featureBuilderConfig>, logger: Logger) {
  const kafka = createKafka({ clientId: 'recstream-feature-builder', brokers: config.brokers, logger });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
  pool.on('error', (error) => logger.error({ err: error }, 'idle Postgres client failed'));
  const release = async () => {
    await Promise.allSettled([redis.quit(), pool.end()]);
  };
  return { kafka, redis, pool, release };
}
