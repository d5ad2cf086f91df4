import type { Redis } from 'ioredis';

/** Removes every key under `prefix:` (a bench's namespace in the shared Redis), without blocking Redis on one big KEYS. */
export async function removeKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
