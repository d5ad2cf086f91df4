import type { RedisOptions } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';
import { createRedis, type RedisConnection } from './redis.js';

/** A Postgres pool whose idle clients' failures are logged rather than thrown. */
export function createPool(databaseUrl: string, logger: Logger, size = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: size });
  pool.on('error', (error) => logger.error({ err: error }, 'idle Postgres client failed'));
  return pool;
}

/**
 * Postgres and Redis clients for a worker app, and how to release them.
 * Redis is a Redis Cluster when `redisClusterNodes` is set (createRedis).
 * By default Redis requests wait for a reconnect, as BullMQ's blocking reads need.
 */
export function createClients(urls: RedisConnection & { databaseUrl: string }, logger: Logger, poolSize = 4, redisOptions: RedisOptions = { maxRetriesPerRequest: null }) {
  const redis = createRedis(urls, redisOptions);
  const pool = createPool(urls.databaseUrl, logger, poolSize);
  const release = async () => {
    await Promise.allSettled([redis.quit(), pool.end()]);
  };
  return { redis, pool, release };
}
