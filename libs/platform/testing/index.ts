import { createServer } from 'node:net';

/** A loopback port nothing listens on: bound once by the OS, then released (for a server a test starts itself, or one it expects to find closed). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
