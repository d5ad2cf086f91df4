import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { LocalKafkaBroker, newClusterId, type LocalBrokerOptions } from './local-broker.js';

export interface LocalClusterOptions extends Omit<LocalBrokerOptions, 'port' | 'dataDir' | 'cluster'> {
  /** Number of nodes; each is broker and controller in one process. */
  nodes: number;
  /** Client port of node 1; node n listens on port + 2(n - 1), its controller one above. */
  port: number;
  /** Folder holding one `node-<id>` folder per node. */
  dataDir: string;
}

/**
 * A local KRaft cluster of `nodes` processes, each broker and controller in
 * one (a separate controller quorum would double the JVMs on a small machine);
 * 3 voters keep a quorum when any one node dies.
 */
export class LocalKafkaCluster {
  readonly brokers: readonly LocalKafkaBroker[];

  constructor(options: LocalClusterOptions) {
    const { nodes, port, dataDir, ...broker } = options;
    if (nodes < 1) throw new Error(`a cluster needs at least one node, not ${nodes}`);
    const ids = Array.from({ length: nodes }, (_, i) => i + 1);
    const portOf = (id: number) => port + 2 * (id - 1);
    const quorumVoters = ids.map((id) => `${id}@127.0.0.1:${portOf(id) + 1}`);
    const clusterId = newClusterId();
    this.brokers = ids.map(
      (nodeId) =>
        new LocalKafkaBroker({ ...broker, port: portOf(nodeId), dataDir: resolve(dataDir, `node-${nodeId}`), cluster: { nodeId, quorumVoters, clusterId } }),
    );
  }

  /** Client addresses of every node, node 1 first. */
  get addresses(): string[] {
    return this.brokers.map((broker) => broker.address);
  }

  broker(nodeId: number): LocalKafkaBroker {
    const broker = this.brokers.find((b) => b.nodeId === nodeId);
    if (!broker) throw new Error(`no node ${nodeId} in this cluster`);
    return broker;
  }

  /** Launches every node (see LocalKafkaBroker.start); returns their pids, node 1 first. */
  start(options: { detached?: boolean } = {}): number[] {
    return this.brokers.map((broker) => broker.start(options));
  }

  /**
   * Resolves once every node has registered as a broker: before that, topics
   * would be created with too few replicas. Rejects after `timeoutMs`.
   */
  async waitUntilFormed(timeoutMs = 120_000): Promise<void> {
    const admin = new Kafka({ clientId: 'local-cluster', brokers: this.addresses, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      try {
        await admin.connect();
        seen = (await admin.describeCluster()).brokers.length;
        if (seen >= this.brokers.length) return;
      } catch {
        // Not listening yet: the JVMs take a while to start.
      } finally {
        await admin.disconnect();
      }
      if (Date.now() > deadline) {
        throw new Error(`Kafka cluster had ${seen} of ${this.brokers.length} brokers after ${timeoutMs / 1000} s; see ${this.brokers.map((b) => b.logFile).join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Stops every node this process started (SIGKILL for a crash of all). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all(this.brokers.map((broker) => broker.stop(signal)));
  }
}
