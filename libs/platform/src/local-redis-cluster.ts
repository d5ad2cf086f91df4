// Redis Cluster from Debian's redis-server, for local runs and tests: not part of what the apps use.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { spawnLogged, stopChild } from './child-process.js';

export interface LocalRedisClusterOptions {
  /** Number of masters (no replicas: a killed master's slots stay down until it restarts). */
  nodes: number;
  /** Port of node 1; node n listens on port + n - 1 (and its cluster bus 10,000 above). */
  port: number;
  /** Folder holding one `node-<n>` folder per node: nodes.conf (slot map and node id) and the server log. */
  dataDir: string;
  /** How long a silent master takes to be marked failed. */
  nodeTimeoutMs?: number;
}

/** One master of a LocalRedisCluster. */
export class LocalRedisNode {
  private child?: ChildProcess;

  constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly nodeTimeoutMs: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return resolve(this.dataDir, 'server.log');
  }

  /**
   * Launches the server; with `detached` it outlives this process (infra:up),
   * otherwise `stop()` ends it. Nothing is persisted but nodes.conf, so a
   * restarted node keeps its slots and comes back empty. Returns the pid.
   */
  start({ detached = false } = {}): number {
    mkdirSync(this.dataDir, { recursive: true });
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dataDir, '--save', '', '--appendonly', 'no'];
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(this.nodeTimeoutMs));
    // The masters left keep answering for their own slots while one is down: serving degrades instead of failing.
    args.push('--cluster-require-full-coverage', 'no');
    const { pid, child } = spawnLogged('redis-server', args, this.logFile, detached);
    this.child = child;
    return pid;
  }

  /** Ends the child server: SIGTERM for a clean shutdown, SIGKILL for a crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopChild(this.child, signal);
    this.child = undefined;
  }
}

/** A local Redis Cluster of `nodes` masters on consecutive ports, the slots split evenly between them. */
export class LocalRedisCluster {
  readonly nodes: readonly LocalRedisNode[];

  constructor(options: LocalRedisClusterOptions) {
    const { nodes, port, dataDir, nodeTimeoutMs = 2_000 } = options;
    if (nodes < 3) throw new Error(`redis-cli creates a cluster of at least 3 masters, not ${nodes}`);
    this.nodes = Array.from({ length: nodes }, (_, i) => new LocalRedisNode(port + i, resolve(dataDir, `node-${i + 1}`), nodeTimeoutMs));
  }

  /** `host:port` of every node, node 1 first: the value of REDIS_CLUSTER_NODES. */
  get addresses(): string[] {
    return this.nodes.map((node) => node.address);
  }

  node(n: number): LocalRedisNode {
    const node = this.nodes[n - 1];
    if (!node) throw new Error(`no node ${n} in this cluster`);
    return node;
  }

  /** Launches every node; returns their pids, node 1 first. */
  start(options: { detached?: boolean } = {}): number[] {
    return this.nodes.map((node) => node.start(options));
  }

  /**
   * Resolves once every node answers and the cluster reports state ok,
   * assigning the slots first when the nodes have never met (a restart finds
   * them in nodes.conf). Rejects after `timeoutMs`.
   */
  async waitUntilFormed(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let created = false;
    let last = 'not listening';
    for (;;) {
      const infos = await Promise.all(this.nodes.map((node) => clusterInfo(node.port).catch((error: Error) => error.message)));
      const states = infos.map((info) => /cluster_state:(\w+)/.exec(info)?.[1] ?? info);
      if (states.every((state) => state === 'ok')) return;
      const listening = infos.every((info) => info.includes('cluster_state'));
      if (listening && !created && infos.every((info) => /cluster_slots_assigned:0\b/.test(info))) {
        execFileSync('redis-cli', ['--cluster', 'create', ...this.addresses, '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
        created = true;
      }
      last = states.join(', ');
      if (Date.now() > deadline) throw new Error(`Redis cluster not ok after ${timeoutMs / 1000} s (node states: ${last}); see ${this.nodes.map((n) => n.logFile).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops every node this process started (SIGKILL for a crash of all). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop(signal)));
  }
}

/** CLUSTER INFO of the node on `port`. */
export async function clusterInfo(port: number): Promise<string> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  // connect() rejects with the failure; without a listener ioredis would also report it as an unhandled event.
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.call('CLUSTER', 'INFO')) as string;
  } finally {
    probe.disconnect();
  }
}
