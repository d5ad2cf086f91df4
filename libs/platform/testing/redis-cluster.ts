/**
 * A throwaway local Redis Cluster for tests and benches: its own ports and
 * data folder, so killing its masters disturbs nobody else's Redis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRedisCluster } from '../src/local-redis-cluster.js';

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
  const cluster = new LocalRedisCluster({ nodes, port: await freePorts(nodes), dataDir });
  const destroy = async () => {
    await cluster.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  cluster.start();
  try {
    await cluster.waitUntilFormed();
  } catch (error) {
    await destroy();
    throw error;
  }
  return { cluster, destroy };
}

/** The first of `count` consecutive client ports that, with their bus ports, nothing listens on now. */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const first = 20_000 + Math.floor(Math.random() * 9_000);
    const ports = Array.from({ length: count }, (_, i) => first + i).flatMap((port) => [port, port + BUS_OFFSET]);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return first;
  }
}

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
