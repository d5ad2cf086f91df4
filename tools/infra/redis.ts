import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LocalRedisCluster } from '@recstream/platform/local-redis';
import { hostPort, tcpExchange, waitFor } from './probe.js';
import { DATA_DIR, type InfraSettings } from './settings.js';

const CLUSTER_DATA = resolve(DATA_DIR, 'redis-cluster');
/** The pids of the local masters infra:up started, one a line. */
const CLUSTER_PID_FILE = resolve(CLUSTER_DATA, 'redis.pid');

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

/** The local Redis Cluster REDIS_NODES asks for, on REDIS_CLUSTER_PORT and up. */
function localCluster(settings: InfraSettings): LocalRedisCluster {
  return new LocalRedisCluster({ nodes: settings.REDIS_NODES, port: settings.REDIS_CLUSTER_PORT, dataDir: CLUSTER_DATA });
}

/**
 * Makes the local Redis Cluster of REDIS_NODES masters reachable, starting
 * the masters that are not running and assigning the slots on first start;
 * returns true if it started any.
 */
export async function ensureRedisCluster(settings: InfraSettings, say: (line: string) => void): Promise<boolean> {
  const cluster = localCluster(settings);
  const down = [];
  for (const node of cluster.nodes) {
    if (!(await ping(`redis://${node.address}`).then(() => true, () => false))) down.push(node);
  }
  if (down.length > 0) {
    say(`starting local Redis Cluster masters on ${down.map((node) => node.address).join(', ')} (logs: ${CLUSTER_DATA}/node-*/server.log)`);
    mkdirSync(CLUSTER_DATA, { recursive: true });
    const running = existsSync(CLUSTER_PID_FILE) ? readFileSync(CLUSTER_PID_FILE, 'utf8').split(/\s+/).filter(Boolean) : [];
    writeFileSync(CLUSTER_PID_FILE, [...running, ...down.map((node) => String(node.start({ detached: true })))].join('\n'));
  }
  await cluster.waitUntilFormed();
  say(`redis cluster ready: ${cluster.nodes.length} masters, ${cluster.addresses.join(', ')}`);
  say(`point the apps at it with REDIS_CLUSTER_NODES=${cluster.addresses.join(',')}`);
  return down.length > 0;
}

/** Stops the cluster masters this repo started; their data goes with them (slot assignment stays in nodes.conf). */
export function stopRedisCluster(say: (line: string) => void): void {
  if (!existsSync(CLUSTER_PID_FILE)) return;
  const pids = readFileSync(CLUSTER_PID_FILE, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  rmSync(CLUSTER_PID_FILE);
  say(`stopping local Redis Cluster masters (pids ${pids.join(', ')})`);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone: nothing to stop.
    }
  }
}
