import { Redis } from 'ioredis';
import type { Logger } from '@recstream/platform';

/**
 * A Redis client for the request path: commands fail at once while Redis is
 * unreachable instead of queueing until it returns, so a Redis outage
 * degrades responses rather than stalling them. It keeps reconnecting.
 */
export function createServingRedis(url: string, logger: Logger): Redis {
  // Auto-pipelining writes the commands of concurrent requests (and a request's parallel co-visitation reads) in one socket write.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000, enableAutoPipelining: true });
  let reported = false;
  redis.on('error', (error) => {
    // One warning per outage; ioredis repeats the error on every reconnect attempt.
    if (!reported) logger.warn({ err: error }, 'Redis unreachable; serving degraded responses until it is back');
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  return redis;
}
