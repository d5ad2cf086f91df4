import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnLogged, stopChild } from '@recstream/platform';
import { defaultReplication } from './topics.js';

export interface LocalBrokerOptions {
  /** Folder holding Kafka's jars (kafka_2.13, kafka-tools and their dependencies). */
  libsDir: string;
  /** Folder for the broker's config, log dirs and server log; reused across restarts. */
  dataDir: string;
  /** Client port; the controller listens on port + 1. */
  port: number;
  /** JVM heap, e.g. `512m`. */
  heap: string;
  /** log4j 1.x properties file for the broker's own logging. */
  log4jConfig?: string;
  /**
   * JIT with the quick compiler only: starts sooner and spends less CPU
   * warming up, but runs its hot paths slower. For short-lived test brokers;
   * a long-running one (infra:up) wants the full JIT.
   */
  quickStart?: boolean;
  /** This node's place in a cluster (LocalKafkaCluster); a single node when absent. */
  cluster?: ClusterMembership;
}

/** What a node of a multi-node KRaft cluster needs to know about the others. */
export interface ClusterMembership {
  nodeId: number;
  /** Every node's controller quorum address, `id@host:port`, in the same order on each node. */
  quorumVoters: string[];
  /** Formatted into every node's log dirs: nodes with different ids refuse to form one cluster. */
  clusterId: string;
}

/**
 * A KRaft Kafka node (broker and controller in one process) run from Apache
 * Kafka's jars with `java`: a real broker for local runs and tests where
 * Docker is not available. Alone it is a single-node cluster.
 */
export class LocalKafkaBroker {
  private child?: ChildProcess;

  constructor(private readonly options: LocalBrokerOptions) {}

  get address(): string {
    return `127.0.0.1:${this.options.port}`;
  }

  get nodeId(): number {
    return this.options.cluster?.nodeId ?? 1;
  }

  get logFile(): string {
    return resolve(this.options.dataDir, 'server.log');
  }

  /**
   * Formats the log dirs on first use and launches the broker. With
   * `detached`, it outlives this process (infra:up); otherwise it is a child
   * that `stop()`/`kill()` end. Returns the pid; readiness is the caller's to await.
   */
  start({ detached = false } = {}): number {
    const { dataDir, libsDir, port, heap, log4jConfig, quickStart = false, cluster } = this.options;
    mkdirSync(dataDir, { recursive: true });
    const properties = resolve(dataDir, 'server.properties');
    writeFileSync(properties, serverProperties(port, resolve(dataDir, 'data'), cluster));
    const classpath = `${libsDir}/*`;
    if (!existsSync(resolve(dataDir, 'data/meta.properties'))) {
      const clusterId = cluster?.clusterId ?? newClusterId();
      execFileSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties], { stdio: 'ignore' });
    }
    const jvm = [`-Xmx${heap}`, `-Xms${heap}`, '-XX:+UseG1GC', ...(quickStart ? ['-XX:TieredStopAtLevel=1'] : []), '-Djava.awt.headless=true'];
    if (log4jConfig) jvm.push(`-Dlog4j.configuration=file:${log4jConfig}`);
    const { pid, child } = spawnLogged('java', [...jvm, '-cp', classpath, 'kafka.Kafka', properties], this.logFile, detached);
    this.child = child;
    return pid;
  }

  /** Ends the child broker: SIGTERM for a clean shutdown, SIGKILL for a crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopChild(this.child, signal);
    this.child = undefined;
  }
}

/**
 * A random KRaft cluster id: 16 bytes, base64url. One that begins with `-`
 * would be read by StorageTool as an option, so those are drawn again.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The broker settings of a node: internal topics replicated as the cluster's size allows. */
export function serverProperties(port: number, logDirs: string, cluster?: ClusterMembership): string {
  const nodeId = cluster?.nodeId ?? 1;
  const voters = cluster?.quorumVoters ?? [`1@127.0.0.1:${port + 1}`];
  const { replicationFactor, minInsyncReplicas } = defaultReplication(voters.length);
  return [
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${voters.join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDirs}`,
    'num.partitions=3',
    // Topics are created explicitly, with their partitions and retention (topics:create).
    'auto.create.topics.enable=false',
    `default.replication.factor=${replicationFactor}`,
    `offsets.topic.replication.factor=${replicationFactor}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${replicationFactor}`,
    `transaction.state.log.min.isr=${minInsyncReplicas}`,
    `min.insync.replicas=${minInsyncReplicas}`,
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}
