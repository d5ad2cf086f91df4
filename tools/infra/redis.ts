import { execFileSync } from 'node:child_process';
import { hostPort, tcpExchange, waitFor } from './probe.js';
import type { InfraSettings } from './settings.js';

async function ping(url: string): Promise<void> {
  const { host, port } = hostPort(url, 6379);
  const reply = await tcpExchange(host, port, 'PING\r\n');
  // A password-protected server answers -NOAUTH, which still proves it is up.
  if (!reply.startsWith('+PONG') && !reply.includes('NOAUTH')) throw new Error(`unexpected reply ${reply.trim()}`);
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes Redis reachable; returns true if it started a local server. */
export async function ensureRedis(settings: InfraSettings, say: (line: string) => void): Promise<boolean> {
  try {
    await ping(settings.REDIS_URL);
    say('redis ready');
    return false;
  } catch (error) {
    if (settings.userProvided.redis || !hasCommand('redis-server')) {
      throw new Error(
        `Redis is not reachable at ${settings.REDIS_URL} (${(error as Error).message}). ` +
          (settings.userProvided.redis
            ? 'Start that server or point REDIS_URL at a running one.'
            : 'Install Redis (e.g. apt-get install redis-server) or set REDIS_URL to a running server.'),
      );
    }
  }
  const { port } = hostPort(settings.REDIS_URL, 6379);
  say(`starting local redis-server on port ${port}`);
  execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'inherit',
  });
  await waitFor('Redis', () => ping(settings.REDIS_URL), 15_000);
  say('redis ready');
  return true;
}

export function stopRedis(settings: InfraSettings, say: (line: string) => void): void {
  const { port } = hostPort(settings.REDIS_URL, 6379);
  say(`stopping local redis-server on port ${port}`);
  execFileSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { stdio: 'inherit' });
}
