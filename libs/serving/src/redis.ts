import { createRedis, type Logger, type RedisClient, type RedisConnection } from '@recstream/platform';

/**
 * A Redis client for the request path: commands fail at once while Redis is
 * unreachable instead of queueing until it returns, so a Redis outage
 * degrades responses rather than stalling them. It keeps reconnecting.
 * On a cluster the same holds per master: keys on a lost master fail, the others answer.
 */
export function createServingRedis(connection: RedisConnection, logger: Logger): RedisClient {
  // No auto-pipelining: a request's two reads seldom had anything to batch, and with it each request's commands and
  // replies outlived a scavenge, making scavenges longer (docs/decisions/serving-v8-flags.md).
  const redis = createRedis(
    connection,
    { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000 },
    { enableOfflineQueue: false, maxRedirections: 2, retryDelayOnFailover: 0, retryDelayOnClusterDown: 0, retryDelayOnTryAgain: 0 },
  );
  let reported = false;
  redis.on('error', (error) => {
    // One warning per outage; ioredis repeats the error on every reconnect attempt.
    if (!reported) logger.warn({ err: error }, 'Redis unreachable; serving degraded responses until it is back');
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  return redis;
}
