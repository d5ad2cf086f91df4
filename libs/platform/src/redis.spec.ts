import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { clusterSeeds, createRedis, credentials, isCluster } from './redis.js';

describe('createRedis', () => {
  it('makes a Cluster client when cluster nodes are named, and a plain one otherwise', async () => {
    const plain = createRedis({ redisUrl: 'redis://127.0.0.1:1' }, { lazyConnect: true });
    const cluster = createRedis({ redisUrl: 'redis://127.0.0.1:1', redisClusterNodes: '127.0.0.1:1, 127.0.0.1:2' }, { lazyConnect: true });
    expect(plain).toBeInstanceOf(Redis);
    expect(cluster).toBeInstanceOf(Cluster);
    expect([isCluster(plain), isCluster(cluster)]).toEqual([false, true]);
    plain.disconnect();
    cluster.disconnect();
  });

  it('reads host:port seeds and names a malformed one', () => {
    expect(clusterSeeds('a:7001,b.example:7002')).toEqual([
      { host: 'a', port: 7001 },
      { host: 'b.example', port: 7002 },
    ]);
    expect(clusterSeeds(undefined)).toEqual([]);
    expect(clusterSeeds(' ')).toEqual([]);
    expect(() => clusterSeeds('a:7001,b')).toThrow(/'b' is not host:port/);
  });

  it("takes a cluster's user and password from REDIS_URL, the secret that holds them", () => {
    expect(credentials('redis://:p%40ss@recstream-redis-leader:6379')).toEqual({ password: 'p@ss' });
    expect(credentials('redis://app:secret@host:6379')).toEqual({ username: 'app', password: 'secret' });
    expect(credentials('redis://127.0.0.1:6379')).toEqual({});
    expect(credentials('')).toEqual({});
    const cluster = createRedis({ redisUrl: 'redis://:secret@h:6379', redisClusterNodes: '127.0.0.1:1' }, { lazyConnect: true }) as Cluster;
    expect(cluster.options.redisOptions).toMatchObject({ password: 'secret', lazyConnect: true });
    cluster.disconnect();
  });
});
