import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from '@recstream/platform';
import type { sampleGeneratorConfig } from './env.js';

/** The clients the worker and the CLI use, and how to release them. */
export function connect(config: ReturnType<typeof sampleGeneratorConfig>, logger: Logger) {
  // BullMQ's blocking reads need ioredis to wait for Redis rather than fail requests.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
  pool.on('error', (error) => logger.error({ err: error }, 'idle Postgres client failed'));
  const release = async () => {
    await Promise.allSettled([redis.quit(), pool.end()]);
  };
  return { redis, pool, release };
}
