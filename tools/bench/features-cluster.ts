/**
 * bench:features' online read, and the clustered one: the rows a run wrote
 * to one Redis, copied under the cluster layout into a throwaway 3-master
 * Redis Cluster, and read as serving reads them, in turns with the single
 * Redis so that both see the same load.
 */
import type { Redis } from 'ioredis';
import { createRedis } from '@recstream/platform';
import { startTestRedisCluster } from '@recstream/platform/test-redis-cluster';
import { KeyLayout, OnlineFeatureReader } from '@recstream/features';

/**
 * Latencies of `reads` sequential reads of a user and `itemIds` by each
 * reader, ms, after 500 unmeasured rounds. Each round every reader reads
 * once, in an order that rotates from round to round, so a burst of load
 * on the shared machine falls on all of them alike.
 */
export async function readLatencies(readers: readonly OnlineFeatureReader[], users: number, itemIds: readonly string[], reads: number): Promise<number[][]> {
  const latencies = readers.map((): number[] => []);
  for (let i = 0; i < reads + 500; i++) {
    for (let turn = 0; turn < readers.length; turn++) {
      const r = (i + turn) % readers.length;
      const t = performance.now();
      const features = await readers[r]!.read({ userId: `u${i % users}`, itemIds });
      if (i >= 500) latencies[r]!.push(performance.now() - t);
      if (i === 0 && !features.items.some((item) => item.found)) throw new Error('online read found none of the items: the builder wrote nothing');
    }
  }
  return latencies;
}

/** The reads of the single Redis and of a 3-master cluster holding the same rows, in turns. */
export async function pairedReadLatencies(source: Redis, namespace: string, users: number, itemIds: readonly string[], reads: number): Promise<{ single: number[]; cluster: number[] }> {
  const test = await startTestRedisCluster(3);
  const cluster = createRedis({ redisUrl: '', redisClusterNodes: test.cluster.addresses.join(',') });
  try {
    const [plain, tagged] = [new KeyLayout(namespace), new KeyLayout(namespace, true)];
    const rows = [...Array.from({ length: users }, (_, i) => ['user', `u${i}`] as const), ...itemIds.map((id) => ['item', id] as const)];
    for (let i = 0; i < rows.length; i += 1_000) {
      const page = rows.slice(i, i + 1_000);
      const values = await source.mget(page.map(([entity, id]) => plain.row(entity, id)));
      await Promise.all(page.flatMap(([entity, id], j) => (values[j] == null ? [] : [cluster.set(tagged.row(entity, id), values[j]!)])));
    }
    const [single = [], clustered = []] = await readLatencies([new OnlineFeatureReader(source, { namespace }), new OnlineFeatureReader(cluster, { namespace })], users, itemIds, reads);
    return { single, cluster: clustered };
  } finally {
    await cluster.quit();
    await test.destroy();
  }
}
