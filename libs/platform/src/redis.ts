import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A client of one Redis or of a Redis Cluster: what every store and reader takes. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: one server's URL, or (when set) the `host:port` seeds of a Redis Cluster, which win. */
export interface RedisConnection {
  /** REDIS_URL; on a cluster only its user and password are used, so credentials stay in one secret. */
  redisUrl: string;
  /** REDIS_CLUSTER_NODES: comma-separated `host:port` of any of the cluster's masters. */
  redisClusterNodes?: string;
}

/**
 * The one place a Redis client is made. On a cluster, a batch of commands
 * to keys in many slots is grouped by node by its caller (a cluster's
 * pipeline keeps to one node); ioredis' auto-pipelining is left off, as it
 * groups a script whose first argument is its key count by that number.
 * `clusterOptions` apply on a cluster only (the cluster's own offline queue, retries).
 */
export function createRedis(connection: RedisConnection, options: RedisOptions = {}, clusterOptions: ClusterOptions = {}): RedisClient {
  const seeds = clusterSeeds(connection.redisClusterNodes);
  if (seeds.length === 0) return new Redis(connection.redisUrl, options);
  return new Cluster(seeds, { ...clusterOptions, redisOptions: { ...credentials(connection.redisUrl), ...options }, scaleReads: 'master' });
}

/** The user and password a `redis://user:password@host` URL carries; none for an empty or credential-free URL. */
export function credentials(redisUrl: string): Pick<RedisOptions, 'username' | 'password'> {
  if (redisUrl === '') return {};
  const url = new URL(redisUrl);
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** `host:port,host:port` as ioredis' cluster seeds; an empty or unset list means no cluster. */
export function clusterSeeds(list: string | undefined): { host: string; port: number }[] {
  return (list ?? '')
    .split(',')
    .map((seed) => seed.trim())
    .filter(Boolean)
    .map((seed) => {
      const match = /^(.+):(\d+)$/.exec(seed);
      if (!match) throw new Error(`REDIS_CLUSTER_NODES: '${seed}' is not host:port; list the cluster's masters as host:port,host:port`);
      return { host: match[1]!, port: Number(match[2]) };
    });
}

/** Whether the client talks to a Redis Cluster, where a script or multi-key command must keep to one slot. */
export const isCluster = (redis: RedisClient): redis is Cluster => redis instanceof Cluster;
