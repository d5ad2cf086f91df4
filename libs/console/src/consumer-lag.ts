import type { Admin } from 'kafkajs';

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number | null;
  end: number;
  lag: number;
}

export interface GroupLag {
  group: string;
  /** Messages written but not yet committed by the group, over all its partitions. */
  lag: number;
  partitions: PartitionLag[];
}

type Committed = { topic: string; partitions: { partition: number; offset: string }[] }[];
type Ends = { topic: string; partitions: { partition: number; low: string; high: string }[] }[];

/**
 * Lag per partition: the end offset minus the committed one. A partition the
 * group has never committed on (offset -1) is behind by everything retained.
 */
export function partitionLags(committed: Committed, ends: Ends): PartitionLag[] {
  return ends.flatMap(({ topic, partitions }) =>
    partitions.map(({ partition, low, high }) => {
      const offset = Number(committed.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      const end = Number(high);
      const from = offset >= 0 ? offset : Number(low);
      return { topic, partition, committed: offset >= 0 ? offset : null, end, lag: Math.max(0, end - from) };
    }),
  );
}

/** A consumer group's lag on every topic it has committed offsets for. */
export async function consumerGroupLag(admin: Admin, group: string): Promise<GroupLag> {
  // Without topics, Kafka answers for every topic the group has committed on.
  const committed = await admin.fetchOffsets({ groupId: group });
  const ends = await Promise.all(committed.map(async ({ topic }) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })));
  const partitions = partitionLags(committed, ends);
  return { group, lag: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
}
