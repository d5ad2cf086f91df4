import type { Admin } from 'kafkajs';
import type { TopicSpec } from '@recstream/schemas';

/**
 * Creates the topics that do not exist yet, with their partitions and
 * retention; existing topics are left as they are. Returns the names created.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor,
      configEntries: [{ name: 'retention.ms', value: String(spec.retentionMs) }],
    })),
  });
  return missing.map((spec) => spec.name);
}
