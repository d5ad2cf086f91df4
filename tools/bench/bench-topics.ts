import { Kafka, logLevel } from 'kafkajs';
import type { TopicSpec } from '@recstream/schemas';
import { ensureTopics } from '@recstream/streams';

/**
 * A topic of a bench's own, partitioned as the platform topic it stands in
 * for and kept an hour: bench events in the platform's topics would be read
 * by every feature builder and online updater that starts from the beginning.
 */
export const benchTopic = (bench: string, topic: TopicSpec): TopicSpec => ({ ...topic, name: `bench.${bench}.${topic.name}`, retentionMs: 3_600_000 });

/** Creates the bench's topics where they are missing. */
export async function ensureBenchTopics(brokers: string[], topics: readonly TopicSpec[]): Promise<void> {
  const admin = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topics);
  } finally {
    await admin.disconnect();
  }
}
