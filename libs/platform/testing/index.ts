import { rmSync } from 'node:fs';
import { createServer } from 'node:net';

/** A loopback port nothing listens on: bound once by the OS, then released (for a server a test starts itself, or one it expects to find closed). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Runs a test's cleanup steps in order, naming on stderr any step still
 * running after `warnAfterMs`, so a teardown that runs past its time limit
 * in a loaded CI run says where it stuck.
 */
export async function teardown(label: string, steps: [string, () => unknown][], warnAfterMs = 10_000): Promise<void> {
  for (const [name, step] of steps) {
    const slow = setTimeout(() => console.error(`${label} teardown: ${name} is still running after ${warnAfterMs / 1000} s`), warnAfterMs);
    try {
      await step();
    } finally {
      clearTimeout(slow);
    }
  }
}

/**
 * The first of `count` consecutive loopback ports from about `from` up that
 * nothing listens on now, nor (with `busOffset`, as a Redis Cluster needs)
 * on each one that far above.
 */
export async function freePorts(count: number, { from = 10_000, busOffset }: { from?: number; busOffset?: number } = {}): Promise<number> {
  for (;;) {
    const first = from + Math.floor(Math.random() * 1_000) * count;
    const ports = Array.from({ length: count }, (_, i) => first + i).flatMap((port) => (busOffset ? [port, port + busOffset] : [port]));
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return first;
  }
}

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A local cluster a test kit starts: launched, awaited until formed, stopped. */
export interface LocalCluster {
  start(): unknown;
  waitUntilFormed(): Promise<void>;
  stop(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `cluster`, whose data lies in `dataDir`, and resolves once it has
 * formed; `destroy` kills every node that still runs and deletes the data.
 */
export async function startThrowaway<C extends LocalCluster>(cluster: C, dataDir: string): Promise<{ cluster: C; destroy(): Promise<void> }> {
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
