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
