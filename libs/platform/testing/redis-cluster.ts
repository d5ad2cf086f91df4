/**
 * A throwaway local Redis Cluster for tests and benches: its own ports and
 * data folder, so killing its masters disturbs nobody else's Redis.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRedisCluster } from '../src/local-redis-cluster.js';
import { freePorts, startThrowaway } from './index.js';

/** Redis listens on the cluster bus 10,000 above each client port. */
const BUS_OFFSET = 10_000;

export interface TestRedisCluster {
  cluster: LocalRedisCluster;
  /** Kills every node that still runs and deletes the data folder. */
  destroy(): Promise<void>;
}

/** Starts a cluster of `nodes` masters on free ports in a temporary folder; resolves once its state is ok. */
export async function startTestRedisCluster(nodes = 3): Promise<TestRedisCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'recstream-redis-'));
  const cluster = new LocalRedisCluster({ nodes, port: await freePorts(nodes, { from: 20_000, busOffset: BUS_OFFSET }), dataDir });
  return startThrowaway(cluster, dataDir);
}
