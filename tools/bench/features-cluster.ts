/**
 * bench:features' clustered online read: the rows a run wrote to one Redis,
 * copied under the cluster layout into a throwaway 3-master Redis Cluster,
 * and read as serving reads them.
 */
import type { Redis } from 'ioredis';
import { createRedis } from '@recstream/platform';
import { startTestRedisCluster } from '@recstream/platform/test-redis-cluster';
import { KeyLayout, OnlineFeatureReader } from '@recstream/features';

/** Latencies of `reads` sequential reads of a user and `itemIds` (after 500 unmeasured ones), ms. */
export async function readLatencies(reader: OnlineFeatureReader, users: number, itemIds: readonly string[], reads: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < reads + 500; i++) {
    const t = performance.now();
    const features = await reader.read({ userId: `u${i % users}`, itemIds });
    if (i >= 500) latencies.push(performance.now() - t);
    if (i === 0 && !features.items.some((item) => item.found)) throw new Error('online read found none of the items: the builder wrote nothing');
  }
  return latencies;
}

/** The same reads against a 3-master cluster holding the same rows. */
export async function clusteredReadLatencies(source: Redis, namespace: string, users: number, itemIds: readonly string[], reads: number): Promise<number[]> {
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
    return await readLatencies(new OnlineFeatureReader(cluster, { namespace }), users, itemIds, reads);
  } finally {
    await cluster.quit();
    await test.destroy();
  }
}
