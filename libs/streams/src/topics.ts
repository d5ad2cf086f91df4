import type { Admin } from 'kafkajs';
import type { TopicSpec } from '@recstream/schemas';

/** How many copies of each partition, and how many must hold a write before it is acknowledged (acks=all). */
export interface Replication {
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** Replication for a cluster of `brokers`: 3 copies that survive one loss from 3 brokers up, else one copy. */
export function defaultReplication(brokers: number): Replication {
  return brokers >= 3 ? { replicationFactor: 3, minInsyncReplicas: 2 } : { replicationFactor: 1, minInsyncReplicas: 1 };
}

/**
 * Creates the topics that do not exist yet, with their partitions, retention
 * and replication; existing topics are left as they are. Replication not
 * given is chosen from the number of brokers the cluster has now
 * (defaultReplication). Returns the names created.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], replication: Partial<Replication> = {}): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length === 0) return [];
  const fallback = replication.replicationFactor === undefined || replication.minInsyncReplicas === undefined ? defaultReplication((await admin.describeCluster()).brokers.length) : undefined;
  const replicationFactor = replication.replicationFactor ?? fallback!.replicationFactor;
  const minInsyncReplicas = replication.minInsyncReplicas ?? fallback!.minInsyncReplicas;
  if (minInsyncReplicas > replicationFactor) {
    throw new Error(`min.insync.replicas (${minInsyncReplicas}) exceeds the replication factor (${replicationFactor}): no write could be acknowledged`);
  }
  await admin.createTopics({
    // kafkajs' own wait gives up when the broker it asks has not heard of the new topic yet, as happens on a cluster.
    waitForLeaders: false,
    topics: missing.map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor,
      configEntries: [
        { name: 'retention.ms', value: String(spec.retentionMs) },
        { name: 'min.insync.replicas', value: String(minInsyncReplicas) },
      ],
    })),
  });
  const created = missing.map((spec) => spec.name);
  await waitForLeaders(admin, created);
  return created;
}

export type TopicMetadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>['topics'];

/**
 * The partitions of `topics` as the cluster describes them. A broker whose
 * metadata has not caught up with a new topic answers that it does not know
 * it, a retriable error kafkajs' admin does not retry: asked again until `timeoutMs`.
 */
export async function topicMetadata(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<TopicMetadata> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await admin.fetchTopicMetadata({ topics })).topics;
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Resolves once every partition of `topics` has a leader; rejects after `timeoutMs`. */
export async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await topicMetadata(admin, topics, Math.max(deadline - Date.now(), 0));
    if (metadata.every((topic) => topic.partitions.every((partition) => partition.leader >= 0))) return;
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} had partitions without a leader after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
