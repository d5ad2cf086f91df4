/**
 * A throwaway local Kafka cluster for tests and benches: its own ports and
 * data folder, so killing its nodes disturbs nobody else's broker.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Admin } from 'kafkajs';
import { freePorts, startThrowaway } from '@recstream/platform/testing';
import { LocalKafkaCluster } from '../src/local-cluster.js';
import { topicMetadata } from '../src/topics.js';

const LIBS_DIR = resolve(import.meta.dirname, '../../../tools/kafka/target/libs');

export interface TestClusterOptions {
  nodes: number;
  /** JVM heap of each node. */
  heap?: string;
  /** Quick-start JIT (LocalBrokerOptions.quickStart): for tests; a bench wants the full JIT. */
  quickStart?: boolean;
}

export interface TestCluster {
  cluster: LocalKafkaCluster;
  /** Kills every node that still runs and deletes the data folder. */
  destroy(): Promise<void>;
}

/** Starts a cluster on free ports in a temporary folder and resolves once every node has registered. */
export async function startTestCluster({ nodes, heap = '256m', quickStart = true }: TestClusterOptions): Promise<TestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'recstream-kafka-'));
  const cluster = new LocalKafkaCluster({ libsDir: LIBS_DIR, dataDir, nodes, port: await freePorts(nodes * 2), heap, quickStart });
  return startThrowaway(cluster, dataDir);
}

/** The leader node of each partition of `topic`, by partition. */
export async function partitionLeaders(admin: Admin, topic: string): Promise<Map<number, number>> {
  const [metadata] = await topicMetadata(admin, [topic]);
  return new Map((metadata?.partitions ?? []).map((p) => [p.partitionId, p.leader]));
}
